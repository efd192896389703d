from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    bridge_credit_hold_deliveries = fields.Boolean(
        related="company_id.bridge_credit_hold_deliveries", readonly=False
    )
