from odoo.tests import Form, tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestCrmLeadMatching(CustomerUnificationMatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._company("Travimex Costruzioni S.p.A.", email="info@travimex.it",
                                    phone="051 998 1122", city="Bologna")
        cls.person = cls._person("Giorgia Vendramini", email="g.vendramini@example.com",
                                 mobile="347 555 0101", city="Padova")

    def _lead(self, **vals):
        return self.env["crm.lead"].with_user(self.salesman).create(dict({"name": "Lead", "type": "lead"}, **vals))

    def test_lead_links_fuzzy_company(self):
        lead = self._lead(partner_name="TRAVIMEX COSTRUZIONI", email_from="Info@Travimex.it",
                          country_id=self.italy.id)
        self.assertEqual(lead._find_matching_partner(), self.customer)

    def test_lead_links_person_with_swapped_name(self):
        lead = self._lead(contact_name="Vendramini Giorgia", phone="+39 347 5550101", country_id=self.italy.id)
        self.assertEqual(lead._find_matching_partner(), self.person)

    def test_lead_does_not_link_on_partial_name(self):
        lead = self._lead(contact_name="Vendramini")
        self.assertFalse(lead._find_matching_partner())

    def test_conversion_wizard_shows_explanation(self):
        lead = self._lead(partner_name="Travimex Costruzioni Spa", email_from="info@travimex.it",
                          country_id=self.italy.id)
        wizard = Form(self.env["crm.lead2opportunity.partner"].with_user(self.salesman).with_context(
            active_model="crm.lead", active_id=lead.id, active_ids=lead.ids))
        self.assertEqual(wizard.partner_id, self.customer)
        self.assertIn("Match score with", wizard.cu_match_explanation)
        self.assertIn("info@travimex.it", wizard.cu_match_explanation)
