from markupsafe import Markup

from odoo import api, fields, models


class CrmLead2OpportunityPartner(models.TransientModel):
    _inherit = "crm.lead2opportunity.partner"

    cu_match_explanation = fields.Html(
        "Why This Customer", compute="_compute_cu_match_explanation", sanitize=False)

    @api.depends("lead_id", "partner_id", "action")
    def _compute_cu_match_explanation(self):
        matcher = self.env["customer.match.rule"].sudo()
        pair_model = self.env["customer.duplicate.pair"]
        for convert in self:
            convert.cu_match_explanation = False
            if convert.action != "exist" or not convert.partner_id or not convert.lead_id:
                continue
            partner_profile = matcher._profiles_from_ids(convert.partner_id._origin.ids).get(
                convert.partner_id._origin.id)
            if not partner_profile:
                continue
            best = None
            for profile in convert.lead_id._cu_lead_profiles():
                if bool(profile["is_company"]) != bool(partner_profile["is_company"]):
                    continue
                rule = matcher._rule_for_profile(profile)
                if rule:
                    score, explanation = rule._score_profiles(profile, partner_profile)
                    if best is None or score > best[0]:
                        best = (score, explanation)
            if best:
                convert.cu_match_explanation = Markup("<p>%s</p>") % self.env._(
                    "Match score with %(customer)s: %(score)s%%",
                    customer=convert.partner_id.display_name, score=round(best[0] * 100),
                ) + pair_model._render_explanation(best[1])
