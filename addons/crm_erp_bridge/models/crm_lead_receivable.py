from odoo import api, fields, models

from .res_partner import RECEIVABLE_FIELDS


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # The customer's receivable figures, shown on the opportunity.
    bridge_currency_id = fields.Many2one(related="company_currency", string="Bridge Currency")
    bridge_invoiced_12m = fields.Monetary(
        string="Invoiced (12 Months)", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
    )
    bridge_open_receivable = fields.Monetary(
        string="Open Receivables", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
    )
    bridge_overdue_amount = fields.Monetary(
        string="Overdue Amount", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
    )
    bridge_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (Days)", compute="_compute_bridge_receivables",
    )
    bridge_credit_exposure = fields.Monetary(
        string="Credit Exposure", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
    )
    bridge_credit_usage = fields.Float(
        string="Credit Limit Usage (%)", compute="_compute_bridge_receivables",
    )
    bridge_avg_days_to_pay = fields.Float(
        string="Average Days to Pay", compute="_compute_bridge_receivables",
    )
    bridge_last_order_date = fields.Datetime(
        string="Last Order", compute="_compute_bridge_receivables",
    )
    bridge_open_quotation_count = fields.Integer(
        string="Open Quotations", compute="_compute_bridge_receivables",
    )
    bridge_credit_warning = fields.Boolean(
        string="Credit Warning", compute="_compute_bridge_receivables",
    )
    bridge_credit_warning_message = fields.Char(
        string="Credit Warning Message", compute="_compute_bridge_receivables",
    )

    @api.depends("partner_id")
    @api.depends_context("company", "allowed_company_ids")
    def _compute_bridge_receivables(self):
        figures = self.partner_id._bridge_get_receivable_figures()
        for lead in self:
            values = figures.get(lead.partner_id.commercial_partner_id._origin.id)
            for fname in RECEIVABLE_FIELDS:
                lead[fname] = values[fname] if values else False
            lead.bridge_credit_warning_message = values and values["bridge_credit_warning_message"]
