from odoo import fields, models


class WarrantyProvisionLine(models.Model):
    """Movement of a warranty provision layer: accrual, use by a claim, or release."""

    _name = "warranty.provision.line"
    _description = "Warranty Provision Movement"
    _order = "date, id"
    _check_company_auto = True

    provision_id = fields.Many2one(
        "warranty.provision", "Provision", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="provision_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one(related="provision_id.product_id", store=True, index=True)
    policy_id = fields.Many2one(related="provision_id.policy_id", store=True)
    kind = fields.Selection(
        [("accrual", "Accrual"), ("reversal", "Reversal (credit note)"), ("use", "Use"), ("release", "Release")],
        required=True, index=True)
    date = fields.Date(required=True, index=True)
    amount = fields.Monetary(required=True)
    account_move_id = fields.Many2one("account.move", "Journal Entry", index="btree_not_null", check_company=True)
    cost_line_id = fields.Many2one(
        "warranty.claim.cost.line", "Claim Cost", index="btree_not_null", ondelete="set null")
    claim_id = fields.Many2one(related="cost_line_id.claim_id", store=True, index="btree_not_null")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "A provision movement cannot be negative."),
    ]
