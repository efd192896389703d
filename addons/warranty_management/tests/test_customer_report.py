import io

import openpyxl
from lxml import etree

from odoo.tests import new_test_user, tagged

from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestCustomerReportWarrantyCost(WarrantyCostCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env, "wacct_sales", groups="sales_team.group_sale_salesman,crm_erp_bridge.group_crm_erp_bridge_user")
        cls.other_salesperson = new_test_user(
            cls.env, "wacct_sales2", groups="sales_team.group_sale_salesman,crm_erp_bridge.group_crm_erp_bridge_user")
        cls.customer.user_id = cls.salesperson

    def _warranty_rows(self, user):
        self.env.flush_all()
        return self.env["crm.erp.customer.report"].with_user(user).search([
            ("partner_id", "=", self.customer.id), ("source", "=", "warranty"),
        ])

    def test_covered_cost_per_customer(self):
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        rows = self._warranty_rows(self.salesperson)
        self.assertAlmostEqual(sum(rows.mapped("warranty_cost")), 67.05, places=2)
        self.assertEqual(set(rows.mapped("res_id")), {self.claim.id})
        self.assertEqual(set(rows.mapped("res_model")), {"warranty.claim"})

    def test_draft_costs_not_reported(self):
        self._add_costs()
        self.assertFalse(self._warranty_rows(self.salesperson))

    def test_other_salesperson_does_not_see_it(self):
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.assertFalse(self._warranty_rows(self.other_salesperson))

    def test_measure_through_the_pivot_and_its_views(self):
        """The measure this addon adds reaches the pivot (web_read_group), its pivot and list
        views (next to the margin) and is 0 on the bridge's own rows."""
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.env.flush_all()
        report = self.env["crm.erp.customer.report"].with_user(self.salesperson)
        self.assertIn("warranty_cost", report._report_measures())
        result = report.web_read_group(
            [("partner_id", "=", self.customer.id)], ["warranty_cost:sum", "margin_amount:sum"], ["source"])
        by_source = {group["source"]: group["warranty_cost"] for group in result["groups"]}
        self.assertAlmostEqual(by_source.pop("warranty"), 67.05, places=2)
        self.assertFalse(any(by_source.values()))
        for view_type, xpath in (("pivot", "field[@type='measure']"), ("list", "field")):
            arch = etree.fromstring(report.get_views([(False, view_type)])["views"][view_type]["arch"])
            names = [node.get("name") for node in arch.iterfind(xpath)]
            self.assertEqual(names.index("warranty_cost") + 1, names.index("margin_amount"), view_type)

    def test_measure_in_the_xlsx_export(self):
        """The export's summary has a Warranty Cost column; the warranty sheet lists the rows."""
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.env.flush_all()
        __, content = self.env["crm.erp.report.xlsx"].with_user(self.salesperson)._export_xlsx(
            "customer", [("partner_id", "=", self.customer.id)])
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
        rows = list(workbook["By Customer"].iter_rows(values_only=True))
        column = rows[0].index("Warranty Cost")
        self.assertAlmostEqual(rows[1][column], 67.05, places=2)
        self.assertEqual(rows[1][0], self.customer.display_name)
        self.assertIn("Warranty Cost", workbook.sheetnames)
