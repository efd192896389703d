from odoo import api, models

from .crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    _inherit = "crm.erp.timeline"

    @api.model
    def _get_timeline_sources(self):
        return super()._get_timeline_sources() + [
            TimelineSource("followup_sent", self.env._("Follow-up sent"), self._events_followup_sent),
            TimelineSource("reminder_sent", self.env._("Payment reminder statement sent"), self._events_reminder_sent),
            TimelineSource("delivery_confirmation", self.env._("Delivery confirmation"),
                           self._events_delivery_confirmation),
        ]

    @api.model
    def _events_cadence_logs(self, kind, query):
        """Return the newest cadence log lines of ``kind`` for these customers, in one query."""
        domain = [("kind", "=", kind), ("partner_id", "in", list(query.partner_ids)), ("skipped_reason", "=", False)]
        fnames = ["date", "partner_id", "user_id", "order_id", "move_id", "followup_step_id", "dunning_level_id"]
        return self.env["crm.erp.cadence.log"].search_fetch(
            domain + query.period_domain("date") + query.user_domain(), fnames,
            limit=query.limit, order="date desc, id desc")

    @api.model
    def _events_followup_sent(self, query):
        """Quotation follow-up steps run (email sent and/or activity scheduled)."""
        return [
            self._event(
                {"id": log.order_id.id, "date": log.date, "user_id": log.user_id.id, "partner_id": log.partner_id.id,
                 "name": self.env._('Follow-up "%(step)s" on %(order)s',
                                    step=log.followup_step_id.sudo().name, order=log.order_id.sudo().name)},
                "followup_sent", "sale.order")
            for log in self._events_cadence_logs("followup", query)
        ]

    @api.model
    def _events_reminder_sent(self, query):
        """Payment reminder statements sent (or printed) to the customer, one per customer and
        level, in one query."""
        domain = [("partner_id", "in", list(query.partner_ids))]
        statements = self.env["crm.erp.dunning.statement"].search_fetch(
            domain + query.period_domain("date") + query.user_domain(),
            ["date", "partner_id", "user_id", "level_id", "move_ids", "amount_residual", "currency_id"],
            limit=query.limit, order="date desc, id desc")
        return [
            self._event(
                {"id": statement.id, "date": statement.date, "user_id": statement.user_id.id,
                 "partner_id": statement.partner_id.id, "amount": statement.amount_residual,
                 "currency_id": statement.currency_id.id,
                 "name": self.env._('Statement "%(level)s" sent: %(count)s overdue invoice(s)',
                                    level=statement.level_id.sudo().name, count=len(statement.move_ids))},
                "reminder_sent", "crm.erp.dunning.statement")
            for statement in statements
        ]

    @api.model
    def _events_delivery_confirmation(self, query):
        """Customers' answers to delivery confirmation requests, in one query."""
        domain = [("partner_id", "in", list(query.partner_ids)), ("bridge_delivery_answered_on", "!=", False)]
        orders = self.env["sale.order"].search_fetch(
            domain + query.period_domain("bridge_delivery_answered_on") + query.user_domain(),
            ["name", "bridge_delivery_answered_on", "bridge_delivery_state", "user_id", "partner_id"],
            limit=query.limit,
            order="bridge_delivery_answered_on desc, id desc",
        )
        return [
            self._event(
                {"id": order.id, "date": order.bridge_delivery_answered_on, "user_id": order.user_id.id,
                 "partner_id": order.partner_id.id,
                 "name": (
                     self.env._("Delivery of %(order)s confirmed by the customer", order=order.name)
                     if order.bridge_delivery_state == "confirmed"
                     else self.env._("Delivery changes requested for %(order)s", order=order.name)
                 )},
                "delivery_confirmation", "sale.order")
            for order in orders
        ]
