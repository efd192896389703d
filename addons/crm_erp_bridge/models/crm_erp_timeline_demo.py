from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL


class CrmErpTimeline(models.AbstractModel):
    """Demo data: a story installed in one go reads like months of history on the timeline."""

    _inherit = "crm.erp.timeline"

    @api.model
    def _demo_backdate(self, shifts):
        """Move demo records back in time, as if made ``days`` ago: ``shifts`` is a list of
        ``(xml id, days)``; an xml id that does not exist (its addon is not installed) is skipped.

        Called by the demo data only (a private method: not reachable over RPC).
        """
        for xmlid, days in shifts:
            record = self.env.ref(xmlid, raise_if_not_found=False)
            if record:
                record.flush_recordset()
                self._demo_backdate_record(record, timedelta(days=days))
        self.env.invalidate_all()

    @api.model
    def _demo_backdate_record(self, record, delta):
        """One record: its creation date and its chatter, and for an order its order date. Extended by
        the addons that add dated documents to a record (deliveries, warranty registrations)."""
        self.env.cr.execute(SQL("UPDATE %s SET create_date = create_date - %s WHERE id = %s",
                                SQL.identifier(record._table), delta, record.id))
        self.env.cr.execute(SQL("UPDATE mail_message SET date = date - %s WHERE model = %s AND res_id = %s",
                                delta, record._name, record.id))
        if record._name == "sale.order":  # an order date the demo did not set (made today) moves too
            self.env.cr.execute(SQL(
                "UPDATE sale_order SET date_order = date_order - %s"
                " WHERE id = %s AND date_order > now() - interval '1 day'",
                delta, record.id))
        return True
