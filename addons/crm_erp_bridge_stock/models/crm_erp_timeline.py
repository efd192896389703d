from odoo import api, models
from odoo.tools import SQL

from odoo.addons.crm_erp_bridge.models.crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    """Timeline part. Inventory: outgoing deliveries done, credit holds and overrides of deliveries."""

    _inherit = "crm.erp.timeline"

    @api.model
    def _demo_backdate_record(self, record, delta):
        """An order's deliveries move back with it."""
        result = super()._demo_backdate_record(record, delta)
        if record._name == "sale.order":
            self.env.cr.execute(SQL(
                """UPDATE stock_picking SET date = date - %(d)s, scheduled_date = scheduled_date - %(d)s,
                          date_done = date_done - %(d)s, create_date = create_date - %(d)s
                    WHERE sale_id = %(id)s""", d=delta, id=record.id))
        return result

    @api.model
    def _get_timeline_sources(self):
        return super()._get_timeline_sources() + [
            TimelineSource("delivery", self.env._("Delivery done"), self._events_delivery),
        ]

    @api.model
    def _get_message_document_queries(self, partner_ids):
        """The customer's outgoing deliveries are documents of the timeline too (their chatter
        holds the credit holds and overrides of deliveries)."""
        queries = super()._get_message_document_queries(partner_ids)
        if self.env["stock.picking"].has_access("read"):
            queries["stock.picking"] = self.env["stock.picking"]._search(
                [("partner_id", "in", partner_ids), ("picking_type_code", "=", "outgoing")]
            )
        return queries

    @api.model
    def _credit_log_models(self):
        return super()._credit_log_models() + ("stock.picking",)

    @api.model
    def _events_delivery(self, query):
        """Outgoing deliveries done, by date done; the picking's origin (the order) is the
        description, its responsible the salesperson the filter compares."""
        table = SQL.identifier("stock_picking")
        rows = self._fetch_documents(
            "stock.picking",
            [
                ("partner_id", "in", query.partner_ids),
                ("state", "=", "done"),
                ("picking_type_code", "=", "outgoing"),
            ]
            + query.period_domain("date_done")
            + query.user_domain(),
            [
                SQL("%s.id AS id", table),
                SQL("%s.date_done AS date", table),
                SQL("%s.name AS name", table),
                SQL("%s.origin AS description", table),
                SQL("%s.user_id AS user_id", table),
                SQL("%s.partner_id AS partner_id", table),
            ],
            "date_done desc, id desc",
            query.limit,
        )
        return [self._event(row, "delivery", "stock.picking") for row in rows]
