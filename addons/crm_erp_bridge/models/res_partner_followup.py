from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    bridge_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        index=True,
        help="No automatic email (quotation follow-ups, reminders, confirmations) is sent to this contact "
        "or, when set on a company, to any of its contacts.",
    )
    bridge_do_not_chase = fields.Boolean(
        string="Do Not Chase",
        help="No payment reminder is sent for the invoices of this customer.",
    )
    bridge_promise_to_pay_date = fields.Date(
        string="Promise to Pay",
        help="The customer promised to pay by this date: payment reminders are paused until then.",
    )

    def action_bridge_send_reminder(self):
        """Send the due payment reminders of this customer's unpaid invoices."""
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        return invoices.action_bridge_send_reminder()
