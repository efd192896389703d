from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmErpPromiseToPay(models.TransientModel):
    """Record a customer's promise to pay: reminders pause until the date."""

    _name = "crm.erp.promise.to.pay"
    _description = "Record Promise to Pay"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    promise_date = fields.Date(string="Promised For", required=True)
    note = fields.Char(help="What the customer promised (amount, how, who said it).")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id")).commercial_partner_id
        if partner:
            values.update(
                partner_id=partner.id,
                promise_date=values.get("promise_date") or partner.bridge_promise_to_pay_date,
                note=values.get("note") or partner.bridge_promise_to_pay_note,
            )
        return values

    def action_confirm(self):
        """Store the promise on the customer and post it on its chatter.

        Accountants may chase customers without the right to edit contact cards: after the
        invoicing-rights check, only these two fields are written as superuser."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        partner._bridge_check_may_chase()
        if self.promise_date < fields.Date.context_today(self):
            raise UserError(self.env._("The promised payment date cannot be in the past."))
        partner.sudo().write({"bridge_promise_to_pay_date": self.promise_date, "bridge_promise_to_pay_note": self.note})
        partner.sudo().message_post(
            body=self.env._("Promise to pay by %(date)s: %(note)s", date=self.promise_date, note=self.note or ""),
            author_id=self.env.user.partner_id.id,
        )
        return {"type": "ir.actions.act_window_close"}
