from odoo import api, models
from odoo.tools import SQL


class ResPartner(models.Model):
    """The deliveries part of the bridge's credit exposure."""

    _inherit = "res.partner"

    @api.model
    def _bridge_credit_exposure_order_open_qty_sql(self):
        """Ordered and neither delivered nor invoiced: what was delivered and not invoiced is
        the deliveries part (:meth:`_bridge_credit_exposure_deliveries`), never counted twice."""
        return SQL("GREATEST(l.product_uom_qty - GREATEST(l.qty_delivered, l.qty_invoiced), 0)")

    @api.model
    def _bridge_credit_exposure_delivered_qty_sql(self):
        """SQL expression (on ``sale_order_line l``) of the quantity the deliveries part counts:
        delivered and not yet invoiced."""
        return SQL("GREATEST(l.qty_delivered - l.qty_invoiced, 0)")

    @api.model
    def _bridge_credit_exposure_deliveries(self, commercial_ids, company):
        """Deliveries not yet invoiced: the delivered quantities of confirmed orders not yet
        invoiced, at the lines' unit price with taxes, in ``company``'s currency (1 query)."""
        return self._bridge_credit_exposure_lines_sql(
            commercial_ids, company, self._bridge_credit_exposure_delivered_qty_sql()
        )
