from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _find_matching_partner(self, email_only=False):
        """Link the lead to the best-scoring existing customer instead of Odoo's ``name ilike`` guess.

        ``email_only`` lookups (automatic processes) keep Odoo's exact e-mail search.
        """
        self.ensure_one()
        if self.partner_id or email_only:
            return super()._find_matching_partner(email_only=email_only)
        match = self._cu_best_partner_match()
        if match:
            return match["partner"]
        return super()._find_matching_partner(email_only=True)

    def _cu_lead_raw_values(self, is_company):
        """Raw partner values of the lead, as a company (``partner_name``) or as a person (``contact_name``)."""
        self.ensure_one()
        return {
            "name": self.partner_name if is_company else (self.contact_name or self.partner_name),
            "is_company": is_company,
            "email": self.email_from, "phone": self.phone, "mobile": self.mobile,
            "street": self.street, "zip": self.zip, "city": self.city,
            "country_code": self.country_id.code, "phone_code": self.country_id.phone_code,
            "website": self.website,
        }

    def _cu_lead_profiles(self):
        """Profiles to match, most specific first: the company when named, then the contact person."""
        matcher = self.env["customer.match.rule"].sudo()
        profiles = []
        if self.partner_name:
            profiles.append(matcher._profile_from_values(
                self._cu_lead_raw_values(True), company_id=self.company_id.id))
        if self.contact_name:
            profiles.append(matcher._profile_from_values(
                self._cu_lead_raw_values(False), company_id=self.company_id.id))
        return profiles

    def _cu_best_partner_match(self):
        """Best match of the lead among the customers the user may read: dict(partner, score, explanation) or False.

        Matching runs over every company; a customer of a company the user cannot
        access is never proposed (the lead would point at a contact the user cannot open).
        """
        self.ensure_one()
        matcher = self.env["customer.match.rule"].sudo()
        Partner = self.env["res.partner"]
        for profile in self._cu_lead_profiles():
            matches, _hidden = Partner._cu_visible_matches(matcher._match_profile(profile, limit=5))
            if matches:
                return dict(matches[0], partner=Partner.browse(matches[0]["partner_id"]))
        return False
