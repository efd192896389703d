from odoo import fields, models


class WarrantyRegistrationTransfer(models.TransientModel):
    _name = "warranty.registration.transfer"
    _description = "Transfer a Warranty to a New Owner"

    registration_id = fields.Many2one("warranty.registration", required=True, readonly=True)
    company_id = fields.Many2one(related="registration_id.company_id")
    partner_id = fields.Many2one("res.partner", "New Owner", required=True, check_company=True)
    transfer_date = fields.Date(required=True, default=fields.Date.context_today)

    def action_transfer(self):
        self.ensure_one()
        new = self.registration_id._transfer_to(self.partner_id, self.transfer_date)
        return {
            "type": "ir.actions.act_window",
            "res_model": "warranty.registration",
            "res_id": new.id,
            "view_mode": "form",
        }
