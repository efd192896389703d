from odoo import fields, models

from ..models.warranty_claim_return import INSPECTION_RESULTS


class WarrantyClaimInspection(models.TransientModel):
    _name = "warranty.claim.inspection"
    _description = "Record the Inspection of a Claimed Unit"

    claim_id = fields.Many2one("warranty.claim", required=True, readonly=True)
    result = fields.Selection(INSPECTION_RESULTS, required=True, default="confirmed_defect")
    reason = fields.Text(help="Mandatory when the result changes the entitlement of the claim.")

    def action_apply(self):
        self.ensure_one()
        self.claim_id._record_inspection(self.result, self.reason)
        return {"type": "ir.actions.act_window_close"}
