from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    warranty_journal_id = fields.Many2one(
        related="company_id.warranty_journal_id", readonly=False
    )
    warranty_expense_account_id = fields.Many2one(
        related="company_id.warranty_expense_account_id", readonly=False
    )
    warranty_cost_counterpart_account_id = fields.Many2one(
        related="company_id.warranty_cost_counterpart_account_id", readonly=False
    )
    warranty_provision_account_id = fields.Many2one(
        related="company_id.warranty_provision_account_id", readonly=False
    )
    warranty_provision_expense_account_id = fields.Many2one(
        related="company_id.warranty_provision_expense_account_id", readonly=False
    )
    warranty_labor_rate = fields.Monetary(
        related="company_id.warranty_labor_rate",
        currency_field="currency_id",
        readonly=False,
    )
    warranty_analytic_account_id = fields.Many2one(
        related="company_id.warranty_analytic_account_id", readonly=False
    )
    warranty_sla_review_days = fields.Integer(
        related="company_id.warranty_sla_review_days", readonly=False
    )
    warranty_sla_resolution_days = fields.Integer(
        related="company_id.warranty_sla_resolution_days", readonly=False
    )
