from odoo import api, models


class CrmErpTimeline(models.AbstractModel):
    _inherit = "crm.erp.timeline"

    @api.model
    def _get_event_sources(self):
        sources = super()._get_event_sources()
        sources["followup_sent"] = self._events_followup_sent
        sources["reminder_sent"] = self._events_reminder_sent
        sources["delivery_confirmation"] = self._events_delivery_confirmation
        return sources

    @api.model
    def _get_event_types(self):
        return super()._get_event_types() + [
            ("followup_sent", self.env._("Follow-up sent")),
            ("reminder_sent", self.env._("Payment reminder sent")),
            ("delivery_confirmation", self.env._("Delivery confirmation")),
        ]

    @api.model
    def _events_cadence_logs(self, kind, partner_ids, date_from, date_to, limit):
        """Return the newest cadence log lines of ``kind`` for these customers, in one query."""
        domain = [("kind", "=", kind), ("partner_id", "in", list(partner_ids)), ("skipped_reason", "=", False)]
        if date_from:
            domain.append(("date", ">=", date_from))
        if date_to:
            domain.append(("date", "<=", date_to))
        fnames = ["date", "partner_id", "user_id", "order_id", "move_id", "followup_step_id", "dunning_level_id"]
        return self.env["crm.erp.cadence.log"].search_fetch(domain, fnames, limit=limit, order="date desc, id desc")

    @api.model
    def _events_followup_sent(self, partner_ids, date_from, date_to, limit):
        """Quotation follow-up steps run (email sent and/or activity scheduled)."""
        logs = self._events_cadence_logs("followup", partner_ids, date_from, date_to, limit)
        return [
            {
                "date": log.date,
                "event_type": "followup_sent",
                "name": self.env._(
                    'Follow-up "%(step)s" on %(order)s',
                    step=log.followup_step_id.sudo().name,
                    order=log.order_id.sudo().name,
                ),
                "res_model": "sale.order",
                "res_id": log.order_id.id,
                "amount": False,
                "currency_id": False,
                "user_id": log.user_id.id,
                "partner_id": log.partner_id.id,
            }
            for log in logs
        ]

    @api.model
    def _events_reminder_sent(self, partner_ids, date_from, date_to, limit):
        """Payment reminders run on unpaid invoices."""
        logs = self._events_cadence_logs("dunning", partner_ids, date_from, date_to, limit)
        return [
            {
                "date": log.date,
                "event_type": "reminder_sent",
                "name": self.env._(
                    'Payment reminder "%(level)s" for %(invoice)s',
                    level=log.dunning_level_id.sudo().name,
                    invoice=log.move_id.sudo().name,
                ),
                "res_model": "account.move",
                "res_id": log.move_id.id,
                "amount": False,
                "currency_id": False,
                "user_id": log.user_id.id,
                "partner_id": log.partner_id.id,
            }
            for log in logs
        ]

    @api.model
    def _events_delivery_confirmation(self, partner_ids, date_from, date_to, limit):
        """Customers' answers to delivery confirmation requests, in one query."""
        domain = [("partner_id", "in", list(partner_ids)), ("bridge_delivery_answered_on", "!=", False)]
        if date_from:
            domain.append(("bridge_delivery_answered_on", ">=", date_from))
        if date_to:
            domain.append(("bridge_delivery_answered_on", "<=", date_to))
        orders = self.env["sale.order"].search_fetch(
            domain,
            ["name", "bridge_delivery_answered_on", "bridge_delivery_state", "user_id", "partner_id"],
            limit=limit,
            order="bridge_delivery_answered_on desc, id desc",
        )
        return [
            {
                "date": order.bridge_delivery_answered_on,
                "event_type": "delivery_confirmation",
                "name": (
                    self.env._("Delivery of %(order)s confirmed by the customer", order=order.name)
                    if order.bridge_delivery_state == "confirmed"
                    else self.env._("Delivery changes requested for %(order)s", order=order.name)
                ),
                "res_model": "sale.order",
                "res_id": order.id,
                "amount": False,
                "currency_id": False,
                "user_id": order.user_id.id,
                "partner_id": order.partner_id.id,
            }
            for order in orders
        ]
