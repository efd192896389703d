from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLegacyTour(HttpCase):
    def test_upload_preview_import_tour(self):
        new_test_user(
            self.env, login="legacy_tour_importer", password="legacy_tour_importer",
            groups="customer_unification.group_customer_unification_manager,"
                   "sales_team.group_sale_salesman_all_leads")
        self.start_tour("/odoo", "crm_erp_legacy_import_tour", login="legacy_tour_importer")
        lead = self.env["crm.lead"].search([("name", "=", "Tour legacy opportunity")])
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_id.name, "Tourlegacy Serramenti")
        self.assertEqual(lead.expected_revenue, 5400)
        ref = self.env["crm.erp.legacy.ref"].search([("reference", "=", "TOUR-OPP-1")])
        self.assertEqual((ref.res_model, ref.res_id), ("crm.lead", lead.id))
