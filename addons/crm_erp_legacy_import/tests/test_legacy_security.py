from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import INVOICE_HEADER, OPPORTUNITY_HEADER, LegacyImportCommon

ROW = "OPP-1,C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example,IT,,Secured,,100,10,\n"


@tagged("post_install", "-at_install")
class TestLegacySecurity(LegacyImportCommon):
    """Who may import which kind, and what a company sees."""

    def test_unification_manager_without_sales_role_is_refused(self):
        with self.assertRaisesRegex(AccessError, "may not import"):
            self._job("opportunity", OPPORTUNITY_HEADER + ROW, user=self.unification_manager)

    def test_salesman_without_unification_manager_is_refused(self):
        with self.assertRaises(AccessError):
            self._job("opportunity", OPPORTUNITY_HEADER + ROW, user=self.salesman)

    def test_sales_importer_may_not_import_invoices(self):
        content = INVOICE_HEADER + "INV-1,C-1,X,x@example.com,,2024-10-31,,,,Service,1,100\n"
        with self.assertRaisesRegex(AccessError, "may not import"):
            self._job("invoice", content, user=self.sales_importer)

    def test_import_refused_when_the_right_is_lost_before_import(self):
        job = self._job("opportunity", OPPORTUNITY_HEADER + ROW)
        self.sales_importer.groups_id -= self.env.ref("sales_team.group_sale_salesman_all_leads")
        self.sales_importer.groups_id -= self.env.ref("sales_team.group_sale_manager")
        with self.assertRaises(AccessError):
            job.action_import()

    def test_references_read_by_sales_not_written(self):
        self._job("opportunity", OPPORTUNITY_HEADER + ROW).action_import()
        ref = self.env["crm.erp.legacy.ref"].with_user(self.salesman).search([("reference", "=", "OPP-1")])
        self.assertEqual(ref.kind, "opportunity")
        with self.assertRaises(AccessError):
            ref.write({"reference": "OPP-2"})

    def test_other_company_sees_neither_imports_nor_references(self):
        job = self._job("opportunity", OPPORTUNITY_HEADER + ROW)
        job.action_import()
        other = self.env["res.company"].create({"name": "Legacy Other Co"})
        outsider = new_test_user(
            self.env, login="legacy_outsider", company_id=other.id, company_ids=[other.id],
            groups="customer_unification.group_customer_unification_manager,"
                   "sales_team.group_sale_salesman_all_leads")
        self.assertFalse(self.env["crm.erp.legacy.import"].with_user(outsider).search([("id", "=", job.id)]))
        self.assertFalse(self.env["crm.erp.legacy.ref"].with_user(outsider).search([("reference", "=", "OPP-1")]))
        # the other company imports the same reference as a document of its own
        other_job = self._job("opportunity", OPPORTUNITY_HEADER + ROW, user=outsider)
        self.assertEqual(other_job.company_id, other)
        self.assertEqual(other_job.create_row_count, 1)
