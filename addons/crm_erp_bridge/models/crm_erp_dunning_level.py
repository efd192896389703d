from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmErpDunningLevel(models.Model):
    """A payment reminder level: N days overdue, email to the invoice contact and/or activity."""

    _name = "crm.erp.dunning.level"
    _inherit = "crm.erp.cadence.step.mixin"
    _description = "Payment Reminder Level"
    _order = "company_id, days_overdue, sequence, id"
    _check_company_auto = True
    _cadence_res_model = "account.move"

    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    days_overdue = fields.Integer(required=True, default=7)
    activity_user = fields.Selection(
        [("salesperson", "Salesperson"), ("accountant", "Accountant")],
        string="Activity For",
        default="salesperson",
        required=True,
        help="Salesperson: the invoice's salesperson. Accountant: the user set below.",
    )
    accountant_id = fields.Many2one(
        "res.users",
        domain=[("share", "=", False)],
        help="User receiving the activities of this level when they are for the accountant.",
    )

    def _cadence_due_date_rule(self):
        """N days after the invoice's due date."""
        self.ensure_one()
        return "invoice_date_due", self.days_overdue

    def _cadence_scope_domain(self):
        """The invoices of this level's company."""
        self.ensure_one()
        return [("company_id", "=", self.company_id.id)]

    @api.constrains("days_overdue")
    def _check_days_overdue(self):
        for level in self:
            if level.days_overdue < 0:
                raise ValidationError(
                    self.env._('The days overdue of reminder level "%(level)s" cannot be negative.', level=level.name)
                )

    def _cadence_activity_user(self, record):
        """The invoice's salesperson, or the level's accountant (falling back on the salesperson)."""
        if self.activity_user == "accountant" and self.accountant_id:
            return self.accountant_id
        return record.invoice_user_id

    def _cadence_recipient(self, record):
        """The invoice contact."""
        return record.partner_id
