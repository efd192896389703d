"""The demo story (Arredo Italia S.r.l.) is there in a database installed with demo data: a customer
entered twice and merged with an undoable log that moved documents of both records, an overdue
customer being chased, a quotation being followed up, a warranty claim with its costs.

Reads the demo records only (the other tests create their own data); the main test database is
installed with the three addons and their demo data."""

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("crm_erp_bridge.demo_company_arredo")

    def test_company_italian_in_euros_with_a_chart(self):
        self.assertEqual(self.company, self.env.ref("customer_unification.demo_company_arredo"))
        self.assertEqual(self.company.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(self.company.country_id, self.env.ref("base.it"))
        self.assertTrue(self.company.chart_template)
        admin = self.env.ref("base.user_admin")
        self.assertIn(self.company, admin.company_ids)
        self.assertEqual(admin.company_id, self.company)

    def test_customer_entered_twice_is_merged_with_documents_of_both(self):
        # the merge re-points the xmlids of the merged-away record too: both names lead to the master
        master = self.env.ref("crm_erp_bridge.demo_partner_bellavista_accounting")
        self.assertEqual(self.env.ref("crm_erp_bridge.demo_partner_bellavista_sales"), master)
        log = self.env["customer.merge.log"].search([("master_id", "=", master.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual(log.state, "done")
        self.assertEqual(log.source_ids.with_context(active_test=False).mapped("name"), ["Hotel Bellavista"])
        self.assertFalse(log.source_ids.with_context(active_test=False).active)
        self.assertGreater(log.score, 0.5, "the log says how alike the two records were (the engine's score)")
        # the sales record's lead and quotation moved (each row journaled for the undo) ...
        lead = self.env.ref("customer_unification.demo_lead_bellavista")
        quotation = self.env.ref("crm_erp_bridge.demo_order_bellavista_quote")
        moved = {(line.table_name, line.row_id) for line in log.line_ids}
        self.assertIn(("crm_lead", lead.id), moved)
        self.assertIn(("sale_order", quotation.id), moved)
        # ... to accounting's record, which has its invoice: one customer with the documents of both
        invoice = self.env.ref("crm_erp_bridge.demo_invoice_bellavista_deposit")
        self.assertEqual(lead.partner_id | quotation.partner_id | invoice.partner_id, master)
        self.assertEqual(invoice.company_id, self.company)
        self.assertEqual(invoice.state, "posted")

    def test_history_is_spread_over_months(self):
        """Installed in one go, the story is still dated over the past months (crm.erp.timeline._demo_backdate)."""
        # the user's calendar days, as the demo dated its records (not UTC's: they differ around midnight)
        today = fields.Date.context_today(self.env.user)

        def day(timestamp):
            return fields.Date.context_today(self.env.user, timestamp)

        lead = self.env.ref("customer_unification.demo_lead_bellavista")
        self.assertGreaterEqual((today - day(lead.create_date)).days, 90)
        order = self.env.ref("warranty_management.demo_sale_bellavista")
        self.assertGreaterEqual((today - day(order.date_order)).days, 40)
        deliveries = order.picking_ids.filtered("date_done")
        self.assertTrue(deliveries)
        self.assertTrue(all((today - day(picking.date_done)).days >= 40 for picking in deliveries))
        registrations = self.env["warranty.registration"].search([("sale_order_id", "=", order.id)])
        self.assertTrue(registrations)
        self.assertTrue(all((today - registration.start_date).days >= 40 for registration in registrations))
        self.assertGreaterEqual((today - self.env.ref("warranty_management.demo_claim_resolved").claim_date).days, 30)

    def test_overdue_customer_is_chased(self):
        older = self.env.ref("crm_erp_bridge.demo_invoice_miramare_level_2")
        newer = self.env.ref("crm_erp_bridge.demo_invoice_miramare_level_1")
        self.assertEqual(older.bridge_dunning_level_id, self.env.ref("crm_erp_bridge.demo_dunning_level_2"))
        self.assertEqual(newer.bridge_dunning_level_id, self.env.ref("crm_erp_bridge.demo_dunning_level_1"))
        self.assertFalse(self.env.ref("crm_erp_bridge.demo_invoice_lago_promised").bridge_dunning_level_id)

    def test_quotation_is_followed_up(self):
        quotation = self.env.ref("crm_erp_bridge.demo_quotation_followup_running")
        self.assertEqual(quotation.company_id, self.company)
        self.assertTrue(quotation.bridge_followup_log_ids)

    def test_warranty_claim_has_costs(self):
        claim = self.env.ref("warranty_management.demo_claim_repair")
        self.assertEqual(claim.company_id, self.company)
        self.assertEqual(claim.partner_id, self.env.ref("crm_erp_bridge.demo_partner_bellavista_accounting"))
        self.assertEqual(len(claim.cost_line_ids), 3)
        self.assertGreater(claim.cost_amount_total, 0)
        self.assertTrue(claim.cost_move_ids.filtered(lambda move: move.state == "posted"))
        # the motor maker's three-year warranty reimburses the part: recovery expected from the vendor
        supplier_claim = claim.supplier_claim_ids
        self.assertEqual(len(supplier_claim), 1)
        self.assertEqual(supplier_claim.vendor_id, self.env.ref("warranty_management.demo_partner_vendor"))
        self.assertEqual(supplier_claim.state, "expected")
        self.assertGreater(supplier_claim.expected_amount, 0)
