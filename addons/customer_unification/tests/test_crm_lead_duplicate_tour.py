from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLeadDuplicateTour(HttpCase):
    def test_duplicate_lead_banner_and_merge_as_salesman(self):
        """A salesperson types a lead that is already open: the banner names it while typing, and
        its merge button opens Odoo's lead merge, which leaves one lead."""
        salesman = new_test_user(self.env, login="cu_lead_tour", password="cu_lead_tour",
                                 groups="base.group_user,sales_team.group_sale_salesman")
        existing = self.env["crm.lead"].with_user(salesman).create({
            "name": "Gates for the new plant", "type": "lead", "partner_name": "Orsolini Impianti S.r.l.",
            "contact_name": "Marta Orsolini", "email_from": "marta@orsolini-impianti.it",
            "country_id": self.env.ref("base.it").id,
        })
        self.start_tour("/odoo/action-crm.crm_lead_all_leads/new", "customer_unification_lead_duplicate_tour",
                        login="cu_lead_tour")
        leads = self.env["crm.lead"].search([("partner_name", "ilike", "orsolini")])
        self.assertEqual(len(leads), 1, "the two leads are merged into one")
        self.assertIn(leads.name, (existing.name, "Sliding gates"))
