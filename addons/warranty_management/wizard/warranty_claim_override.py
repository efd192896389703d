from odoo import fields, models


class WarrantyClaimOverride(models.TransientModel):
    _name = "warranty.claim.override"
    _description = "Override a Claim's Entitlement"

    claim_id = fields.Many2one("warranty.claim", required=True, readonly=True)
    covered = fields.Boolean("Under Warranty")
    coverage_parts_pct = fields.Float("Parts Coverage (%)", default=100.0)
    coverage_labor_pct = fields.Float("Labor Coverage (%)", default=100.0)
    coverage_travel_pct = fields.Float("Travel/Shipping Coverage (%)", default=100.0)
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        self.claim_id._override_entitlement(self.covered, {
            "parts": self.coverage_parts_pct,
            "labor": self.coverage_labor_pct,
            "travel": self.coverage_travel_pct,
        }, self.reason)
        return {"type": "ir.actions.act_window_close"}
