from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    example_credit_grace_amount = fields.Monetary(
        "Credit Grace Amount", currency_field="currency_id",
        help="Customers may exceed their credit limit by this amount before the block applies.")
