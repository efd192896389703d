from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    warranty_claim_id = fields.Many2one(
        "warranty.claim", "Warranty Claim", index="btree_not_null", copy=False, check_company=True, readonly=True)
