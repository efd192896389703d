from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    bridge_credit_hold_deliveries = fields.Boolean(
        string="Hold Deliveries of Over-limit Customers",
        default=False,
        help="A delivery to a customer over its credit limit cannot be validated unless a credit "
        "manager overrides the hold with a reason.",
    )
