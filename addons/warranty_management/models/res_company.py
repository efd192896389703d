from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    warranty_journal_id = fields.Many2one(
        "account.journal",
        string="Warranty Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Miscellaneous journal receiving warranty cost and provision entries.",
    )
    warranty_expense_account_id = fields.Many2one(
        "account.account",
        string="Warranty Expense Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Debited with the covered part of claim costs.",
    )
    warranty_cost_counterpart_account_id = fields.Many2one(
        "account.account",
        string="Warranty Cost Counterpart Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Credited with the covered claim costs that no provision absorbs "
        "(e.g. accrued costs or stock interim account).",
    )
    warranty_provision_account_id = fields.Many2one(
        "account.account",
        string="Warranty Provision Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Liability account holding the warranty provision (IAS 37).",
    )
    warranty_provision_expense_account_id = fields.Many2one(
        "account.account",
        string="Warranty Provision Expense Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Debited when a provision is accrued, credited when its unused part is released.",
    )
    warranty_labor_rate = fields.Monetary(
        string="Warranty Labor Hourly Rate",
        currency_field="currency_id",
        help="Cost of one hour of labor on a warranty claim.",
    )
    warranty_analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Warranty Analytic Account",
        check_company=True,
        help="Default analytic distribution (100%) of new claim cost lines.",
    )
    warranty_sla_review_days = fields.Integer(
        string="Default Claim Review (days)",
        default=2,
        help="Days allowed to review a claim whose unit has no warranty policy (0 with the resolution "
        "days: no deadline).",
    )
    warranty_sla_resolution_days = fields.Integer(
        string="Default Claim Resolution (days)",
        default=10,
        help="Days allowed to resolve a claim whose unit has no warranty policy.",
    )
