from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # --- Receivables in CRM and credit block (crm_erp_bridge core) ---
    bridge_overdue_amount_threshold = fields.Monetary(
        related="company_id.bridge_overdue_amount_threshold",
        currency_field="currency_id",
        readonly=False,
    )
    bridge_overdue_days_threshold = fields.Integer(
        related="company_id.bridge_overdue_days_threshold",
        readonly=False,
    )
    bridge_credit_block = fields.Boolean(
        related="company_id.bridge_credit_block",
        readonly=False,
    )
    bridge_exposure_receivables = fields.Boolean(related="company_id.bridge_exposure_receivables", readonly=False)
    bridge_exposure_orders = fields.Boolean(related="company_id.bridge_exposure_orders", readonly=False)
    bridge_exposure_deliveries = fields.Boolean(related="company_id.bridge_exposure_deliveries", readonly=False)
    # --- other crm_erp_bridge settings are inserted below this line ---
    # --- Revenue forecast (crm_erp_bridge reports) ---
    bridge_forecast_min_closed_quotations = fields.Integer(
        related="company_id.bridge_forecast_min_closed_quotations", readonly=False
    )
    bridge_forecast_default_rate = fields.Float(related="company_id.bridge_forecast_default_rate", readonly=False)
    # --- Quote follow-up, expiry, dunning (crm_erp_bridge follow-up) ---
    bridge_won_on_confirm = fields.Boolean(related="company_id.bridge_won_on_confirm", readonly=False)
    bridge_expired_lost_reason_id = fields.Many2one(
        related="company_id.bridge_expired_lost_reason_id", readonly=False
    )
    bridge_delivery_confirm_mode = fields.Selection(related="company_id.bridge_delivery_confirm_mode", readonly=False)
    bridge_delivery_confirm_days = fields.Integer(related="company_id.bridge_delivery_confirm_days", readonly=False)
    bridge_delivery_confirm_timeout_days = fields.Integer(
        related="company_id.bridge_delivery_confirm_timeout_days", readonly=False
    )
    bridge_checkin_trigger = fields.Selection(related="company_id.bridge_checkin_trigger", readonly=False)
    bridge_checkin_delay_days = fields.Integer(related="company_id.bridge_checkin_delay_days", readonly=False)
    bridge_checkin_activity_type_id = fields.Many2one(
        related="company_id.bridge_checkin_activity_type_id", readonly=False
    )
    bridge_dormant_factor = fields.Float(related="company_id.bridge_dormant_factor", readonly=False)
    bridge_dormant_min_orders = fields.Integer(related="company_id.bridge_dormant_min_orders", readonly=False)
