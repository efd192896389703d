from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    warranty_registration_count = fields.Integer(
        "Installed Base", compute="_compute_warranty_counts", groups="warranty_management.group_warranty_user")
    warranty_claim_count = fields.Integer(
        "Warranty Claims", compute="_compute_warranty_counts", groups="warranty_management.group_warranty_user")

    def _compute_warranty_counts(self):
        commercial = self.commercial_partner_id
        registrations = dict(self.env["warranty.registration"]._read_group(
            [("commercial_partner_id", "in", commercial.ids), ("state", "=", "active")],
            ["commercial_partner_id"], ["__count"]))
        claims = dict(self.env["warranty.claim"]._read_group(
            [("commercial_partner_id", "in", commercial.ids)], ["commercial_partner_id"], ["__count"]))
        for partner in self:
            partner.warranty_registration_count = registrations.get(partner.commercial_partner_id, 0)
            partner.warranty_claim_count = claims.get(partner.commercial_partner_id, 0)

    def action_view_installed_base(self):
        """Open what the customer owns: registrations of its commercial entity, active first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("warranty_management.warranty_registration_action")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_filter_active": 1}
        return action

    def action_view_warranty_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("warranty_management.warranty_claim_action")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
