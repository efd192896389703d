from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmErpDunningLevel(models.Model):
    """A payment reminder level: N days overdue, one statement per customer (email listing all
    its invoices due at this level, printable as a letter) and/or an activity, optionally a late
    fee or interest drafted as an invoice."""

    _name = "crm.erp.dunning.level"
    _inherit = "crm.erp.cadence.step.mixin"
    _description = "Payment Reminder Level"
    _order = "company_id, days_overdue, sequence, id"
    _check_company_auto = True
    _cadence_res_model = "account.move"
    _cadence_mail_model = "crm.erp.dunning.statement"

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

    fee_type = fields.Selection(
        [("none", "No fee"), ("fixed", "Fixed amount"), ("percent", "Percentage of the amount due")],
        string="Late Fee",
        default="none",
        required=True,
        help="Charge a late fee or interest with this level's statement: a draft invoice the accountant "
        "checks and confirms (never posted automatically).",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        string="Fee Product",
        check_company=True,
        default=lambda self: self.env.ref("crm_erp_bridge.product_dunning_fee", raise_if_not_found=False),
        help="Product of the late fee invoice line (its income account and taxes apply).",
    )
    fee_fixed_amount = fields.Monetary(string="Fee Amount", currency_field="currency_id")
    fee_percent = fields.Float(string="Fee Rate (%)", help="Percentage of the amount due listed in the statement.")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.constrains("fee_type", "fee_product_id", "fee_fixed_amount", "fee_percent")
    def _check_fee(self):
        for level in self.filtered(lambda lvl: lvl.fee_type != "none"):
            if not level.fee_product_id:
                raise ValidationError(
                    self.env._('Reminder level "%(level)s" charges a late fee: choose its product.', level=level.name)
                )
            amount = level.fee_fixed_amount if level.fee_type == "fixed" else level.fee_percent
            if amount <= 0:
                raise ValidationError(
                    self.env._('The late fee of reminder level "%(level)s" must be positive.', level=level.name)
                )

    def _dunning_fee_amount(self, amount_due):
        """THE late fee of a statement of ``amount_due`` (company currency) at this level."""
        self.ensure_one()
        if self.fee_type == "fixed":
            return self.fee_fixed_amount
        if self.fee_type == "percent":
            return self.currency_id.round(amount_due * self.fee_percent / 100.0)
        return 0.0

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

    def _statement_recipients(self, partners):
        """Return ``{commercial partner id: contact}``: whom the statements of ``partners`` are
        addressed to (one query): the customer's first active invoicing address among its
        contacts, else the customer itself."""
        recipients = {partner.id: partner for partner in partners}
        invoicing = partners.browse().search(
            [("parent_id", "in", partners.ids), ("type", "=", "invoice")], order="id desc")
        for contact in invoicing:
            recipients[contact.parent_id.id] = contact
        return recipients

    def _cadence_execute_groups(self, groups):
        """One statement per group of invoices (one customer): one email listing them all, one
        activity, one late fee invoice; every invoice's log line points to its statement."""
        self.ensure_one()
        statements = self.env["crm.erp.dunning.statement"]._create_statements(self, groups)
        return statements._log_values()
