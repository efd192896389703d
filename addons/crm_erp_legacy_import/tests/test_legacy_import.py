from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from ..models.crm_erp_legacy_import import CrmErpLegacyImport
from .common import INVOICE_HEADER, OPPORTUNITY_HEADER, ORDER_HEADER, LegacyImportCommon


@tagged("post_install", "-at_install")
class TestLegacyImport(LegacyImportCommon):
    """Opportunities, quotations/orders and open invoices imported once, linked to unified customers."""

    def _opportunities(self):
        return OPPORTUNITY_HEADER + (
            "OPP-1,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,IT,legacy_salesman,"
            "Boiler plant,Legacy Negotiation,12000,40,2030-03-31\n"
            "OPP-2,C-2,Nuovaditta Serramenti,nuova@serramenti.example,IT,Legacy Salesman Anna,Windows,,4500,10,\n"
            "OPP-3,C-2,Nuovaditta Serramenti,nuova@serramenti.example,IT,,Doors,,800,,\n"
        )

    def test_opportunities_preview_then_import(self):
        job = self._job("opportunity", self._opportunities())
        self.assertEqual(job.state, "preview")
        self.assertEqual((job.row_count, job.create_row_count, job.reject_row_count), (3, 3, 0))
        docs = self._docs(job)
        self.assertEqual((docs["OPP-1"].customer_status, docs["OPP-1"].partner_id), ("match", self.known))
        self.assertEqual(docs["OPP-2"].customer_status, "new")
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Boiler plant")]), "the preview creates nothing")
        job.action_import()
        self.assertEqual(job.state, "done")
        leads = self.env["crm.lead"].search([("name", "in", ("Boiler plant", "Windows", "Doors"))])
        self.assertEqual(len(leads), 3)
        boiler = leads.filtered(lambda lead: lead.name == "Boiler plant")
        self.assertEqual(boiler.type, "opportunity")
        self.assertEqual(boiler.partner_id, self.known)
        self.assertEqual(boiler.stage_id, self.stage)
        self.assertEqual((boiler.expected_revenue, boiler.probability), (12000, 40))
        self.assertEqual(boiler.user_id, self.salesman)
        self.assertEqual(boiler.date_deadline, date(2030, 3, 31))
        windows = leads.filtered(lambda lead: lead.name == "Windows")
        self.assertEqual(windows.user_id, self.salesman, "a salesperson by name")
        new_customer = self.env["res.partner"].search([("email", "=", "nuova@serramenti.example")])
        self.assertEqual(len(new_customer), 1, "two rows naming one new customer create it once")
        self.assertEqual((leads - boiler).partner_id, new_customer)
        self.assertEqual(job.customer_created_count, 1)
        self.assertEqual((job.created_row_count, job.link_row_count, job.reject_row_count), (3, 0, 0))
        self.assertConserved(job)

    def test_rerun_creates_nothing_twice(self):
        self._job("opportunity", self._opportunities()).action_import()
        leads = self.env["crm.lead"].search_count([("name", "in", ("Boiler plant", "Windows", "Doors"))])
        partners = self.env["res.partner"].search_count([])
        job = self._job("opportunity", self._opportunities())
        self.assertEqual((job.create_row_count, job.link_row_count), (0, 3))
        self.assertEqual(set(job.document_ids.mapped("status")), {"link"})
        job.action_import()
        self.assertEqual(self.env["crm.lead"].search_count([("name", "in", ("Boiler plant", "Windows", "Doors"))]),
                         leads)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(set(job.document_ids.mapped("result")), {"linked"})
        self.assertConserved(job)

    def test_new_customer_refused_by_block_rule_rejects_its_documents_only(self):
        """New customers are created in one batch; when the block rule refuses one (here the
        second spelling of a customer the file names twice under two references), only its
        documents are rejected, with the rule's reason, and the others are imported."""
        self.env.ref("customer_unification.customer_match_rule_company").prevention_mode = "block"
        content = OPPORTUNITY_HEADER + (
            "OPP-B1,C-10,Blockcheck Arredi S.r.l.,ufficio@blockcheck.example,IT,,Sofas,,1000,,\n"
            "OPP-B2,C-11,BLOCKCHECK ARREDI SRL,ufficio@blockcheck.example,IT,,Chairs,,500,,\n"
            "OPP-B3,C-12,Tuttaltra Ceramiche,info@tuttaltra.example,IT,,Tiles,,700,,\n"
        )
        job = self._job("opportunity", content)
        self.assertEqual(set(job.document_ids.mapped("customer_status")), {"new"})
        partners = self.env["res.partner"].search_count([])
        job.action_import()
        docs = self._docs(job)
        self.assertEqual(docs["OPP-B1"].result, "done")
        self.assertEqual(docs["OPP-B3"].result, "done")
        self.assertEqual(docs["OPP-B2"].result, "rejected")
        self.assertIn("customer:", docs["OPP-B2"].reason)
        self.assertIn("Blockcheck Arredi S.r.l.", docs["OPP-B2"].reason)
        self.assertEqual(self.env["res.partner"].search_count([]), partners + 2)
        self.assertEqual(job.customer_created_count, 2)
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Chairs")]))
        self.assertEqual((job.created_row_count, job.reject_row_count), (2, 1))
        self.assertConserved(job)

    def test_customer_reference_found_again_by_another_file(self):
        self._job("opportunity", self._opportunities()).action_import()
        new_customer = self.env["res.partner"].search([("email", "=", "nuova@serramenti.example")])
        # the same legacy customer, its e-mail since changed: its reference finds it
        content = OPPORTUNITY_HEADER + "OPP-9,C-2,Nuovaditta Serramenti,changed@serramenti.example,IT,,Gates,,1,,\n"
        job = self._job("opportunity", content)
        doc = job.document_ids
        self.assertEqual((doc.customer_status, doc.partner_id), ("ref", new_customer))

    def test_same_reference_from_another_source_is_another_document(self):
        self._job("opportunity", self._opportunities()).action_import()
        job = self._job("opportunity", self._opportunities(), source="Other CRM")
        self.assertEqual(job.create_row_count, 3)

    def test_orders_grouped_by_reference(self):
        cur = self.company_currency
        content = ORDER_HEADER + (
            f"SO-1,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,legacy_salesman,2024-11-15,sale,{cur},"
            "LEG-DESK,Desk combination,2,450\n"
            f"SO-1,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,legacy_salesman,2024-11-15,sale,{cur},"
            "Legacy Chair,,4,70.5\n"
            "SO-2,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,,2024-12-02,sent,,LEG-DESK,,1,470\n"
            "SO-3,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,,,draft,,LEG-DESK,,1,470\n"
        )
        self.company.bridge_delivery_confirm_mode = "on_confirmation"
        job = self._job("order", content)
        self.assertEqual((job.row_count, job.create_row_count), (4, 4))
        job.action_import()
        orders = self.env["sale.order"].search([("client_order_ref", "in", ("SO-1", "SO-2", "SO-3"))])
        by_ref = {order.client_order_ref: order for order in orders}
        confirmed = by_ref["SO-1"]
        self.assertEqual(confirmed.state, "sale")
        self.assertEqual(confirmed.date_order.date(), date(2024, 11, 15), "the legacy date is kept")
        self.assertEqual(confirmed.partner_id, self.known)
        self.assertEqual(confirmed.user_id, self.salesman)
        self.assertEqual(confirmed.order_line.mapped("product_id"), self.desk | self.chair)
        self.assertEqual(sorted(confirmed.order_line.mapped("price_unit")), [70.5, 450.0])
        self.assertEqual(confirmed.amount_untaxed, 2 * 450 + 4 * 70.5)
        self.assertFalse(confirmed.bridge_delivery_state, "an order confirmed long ago asks its customer nothing")
        confirmed.action_bridge_request_delivery_confirmation()
        self.assertEqual(confirmed.bridge_delivery_state, "requested", "the button still asks")
        self.assertEqual(by_ref["SO-2"].state, "sent")
        self.assertEqual(by_ref["SO-3"].state, "draft")
        refs = self.env["crm.erp.legacy.ref"].search([("kind", "=", "order"), ("source_system", "=", "Test ERP")])
        self.assertEqual(set(refs.mapped("reference")), {"SO-1", "SO-2", "SO-3"})
        self.assertConserved(job)

    def test_open_invoices_posted_with_whole_total_due(self):
        content = INVOICE_HEADER + (
            "INV-1,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,,2024-10-31,2024-12-31,,,"
            "Boiler service,1,800\n"
            "INV-1,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,,2024-10-31,2024-12-31,,,VAT,1,176\n"
            "INV-2,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,,30/11/2024,,,LEG-DESK,,2,300\n"
        )
        job = self._job("invoice", content, user=self.billing_importer)
        job.action_import()
        invoices = self.env["account.move"].search(
            [("ref", "in", ("INV-1", "INV-2")), ("move_type", "=", "out_invoice")])
        self.assertEqual(len(invoices), 2)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        first = invoices.filtered(lambda inv: inv.ref == "INV-1")
        self.assertEqual(first.amount_total, 976)
        self.assertEqual(first.amount_residual, first.amount_total)
        self.assertEqual(first.invoice_date_due, date(2024, 12, 31))
        self.assertEqual(first.partner_id, self.known)
        self.assertEqual(first.journal_id.type, "sale")
        second = invoices - first
        self.assertEqual(second.invoice_date, date(2024, 11, 30))
        self.assertEqual(second.invoice_line_ids.product_id, self.desk)
        self.assertEqual(second.amount_residual, 600)
        self.assertConserved(job)

    def test_background_import_is_chunked_and_resumable(self):
        self.env["ir.config_parameter"].set_param("crm_erp_legacy_import.sync_document_limit", 1)
        job = self._job("opportunity", self._opportunities(), chunk_size=1)
        job.action_import()
        self.assertEqual(job.state, "running")
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Boiler plant")]))
        Import = self.env["crm.erp.legacy.import"]
        Import._cron_process_imports()
        self.assertEqual(job.processed_count, 1)
        self.assertAlmostEqual(job.progress, 100 / 3, places=2)
        # a new call takes up where the former stopped (a new transaction after a crash would too)
        Import._cron_process_imports()
        Import._cron_process_imports()
        Import._cron_process_imports()
        self.assertEqual(job.state, "done")
        self.assertEqual(self.env["crm.lead"].search_count([("name", "in", ("Boiler plant", "Windows", "Doors"))]), 3)
        lead = self.env["crm.lead"].search([("name", "=", "Boiler plant")])
        self.assertEqual(lead.create_uid, self.sales_importer, "the cron imports with the importer's rights")

    def test_overridden_line_rule_reaches_the_background_path(self):
        """A consultant's override of the order line values is what the cron creates."""
        original = CrmErpLegacyImport._legacy_prepare_order_line

        def with_discount(self, values):
            return dict(original(self, values), discount=10.0)

        self.env["ir.config_parameter"].set_param("crm_erp_legacy_import.sync_document_limit", 0)
        content = ORDER_HEADER + (
            "SO-7,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,,,draft,,LEG-DESK,,1,100\n")
        job = self._job("order", content)
        job.action_import()
        with patch.object(CrmErpLegacyImport, "_legacy_prepare_order_line", with_discount):
            self.env["crm.erp.legacy.import"]._cron_process_imports()
            self.env["crm.erp.legacy.import"]._cron_process_imports()
        order = self.env["sale.order"].search([("client_order_ref", "=", "SO-7")])
        self.assertEqual(order.order_line.discount, 10.0)
        self.assertEqual(job.state, "done")
