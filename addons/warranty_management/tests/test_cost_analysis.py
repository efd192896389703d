import io
from datetime import date

import openpyxl

from odoo.tests import HttpCase, new_test_user, tagged

from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestCostAnalysis(WarrantyCostCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["warranty.registration"].create({
            "partner_id": cls.customer.id, "product_id": cls.unit_product.id, "quantity": 3,
            "start_date": date.today(),
        })

    def test_claim_rate_and_cost_per_unit(self):
        self._add_costs()
        self.env.flush_all()
        [(units, claims, rate, cost, per_unit)] = self.env["warranty.claim.analysis"].with_user(
            self.warranty_user)._read_group(
            [("product_id", "=", self.unit_product.id)], [],
            ["units_sold:sum", "claim_count:sum", "claim_rate:sum", "total_cost:sum", "cost_per_unit:sum"])
        self.assertEqual((units, claims), (4.0, 1))
        self.assertAlmostEqual(rate, 25.0, places=2)
        self.assertAlmostEqual(cost, 122.05, places=2)
        self.assertAlmostEqual(per_unit, 30.51, places=2)

    def test_provision_vs_actual(self):
        self._post_invoice(self.unit_product, 1, 1000.0)
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.env.flush_all()
        [(accrued, actual)] = self.env["warranty.provision.report"].with_user(self.warranty_manager)._read_group(
            [("product_id", "=", self.unit_product.id)], [], ["amount_accrued:sum", "amount_actual:sum"])
        self.assertEqual((accrued, actual), (50.0, 67.05))


@tagged("post_install", "-at_install")
class TestCostReportXlsx(WarrantyCostCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.report_date = date(2001, 3, 15)

    def _workbook(self, user):
        lines = self._add_costs()
        lines.date = self.report_date
        content = self.env["warranty.cost.report.xlsx"].with_user(user)._generate(
            self.report_date, self.report_date)
        return openpyxl.load_workbook(io.BytesIO(content))

    def test_cost_sheet_rows_equal_screen_figures(self):
        sheet = self._workbook(self.warranty_user)["Claim Costs"]
        rows = list(sheet.iter_rows(min_row=2, max_row=4, values_only=True))
        self.assertEqual([row[3] for row in rows], ["Parts", "Labor", "Travel/Shipping"])
        self.assertEqual([row[7] for row in rows], [37.05, 60.0, 25.0])
        self.assertEqual([row[9] for row in rows], [37.05, 30.0, 0.0])
        self.assertEqual([row[10] for row in rows], [0.0, 30.0, 25.0])

    def test_totals_are_formulas_and_header_frozen(self):
        sheet = self._workbook(self.warranty_user)["Claim Costs"]
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet["A5"].value, "Total")
        self.assertEqual(sheet["J5"].value, "=SUM(J2:J4)")
        self.assertEqual(sheet["H2"].number_format, "#,##0.00")

    def test_month_sheet(self):
        sheet = self._workbook(self.warranty_user)["By Month"]
        self.assertEqual(sheet["A2"].value, "2001-03")
        self.assertEqual((sheet["B2"].value, sheet["C2"].value), (67.05, 55.0))
        self.assertEqual(sheet["D2"].value, "=B2+C2")

    def test_provision_sheet_for_managers_only(self):
        self.assertNotIn("Provision vs Actual", self._workbook(self.warranty_user).sheetnames)
        self.assertIn("Provision vs Actual", self._workbook(self.warranty_manager).sheetnames)


@tagged("post_install", "-at_install")
class TestCostReportRoute(HttpCase):

    def test_download_as_warranty_user(self):
        new_test_user(self.env, "wacct_xlsx", groups="warranty_management.group_warranty_user",
                      password="wacct_xlsx_pwd")
        self.authenticate("wacct_xlsx", "wacct_xlsx_pwd")
        response = self.url_open("/warranty_management/cost_report.xlsx?date_from=2001-01-01&date_to=2001-12-31")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn("Claim Costs", openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames)

    def test_download_refused_without_warranty_group(self):
        new_test_user(self.env, "wacct_noxlsx", groups="base.group_user", password="wacct_noxlsx_pwd")
        self.authenticate("wacct_noxlsx", "wacct_noxlsx_pwd")
        response = self.url_open("/warranty_management/cost_report.xlsx")
        self.assertEqual(response.status_code, 403)
