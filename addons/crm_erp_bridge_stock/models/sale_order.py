from odoo import models


class SaleOrder(models.Model):
    """The glue's extension of sales orders: the order's own incoterm (added by Inventory's
    ``sale_stock``) in the bridge's delivery confirmation."""

    _inherit = "sale.order"

    def _bridge_delivery_incoterm(self):
        """The order's incoterm, else the bridge's rule (the company's default)."""
        self.ensure_one()
        return self.incoterm or super()._bridge_delivery_incoterm()
