import io
import json

import openpyxl

from odoo.tests import HttpCase, tagged

from .report_common import CrmErpReportCommon


@tagged("post_install", "-at_install")
class TestReportTour(CrmErpReportCommon, HttpCase):

    def test_forecast_drill_down_and_export_tour(self):
        self.start_tour(
            "/odoo/action-crm_erp_bridge.crm_erp_forecast_report_action",
            "crm_erp_forecast_report_tour",
            login=self.salesperson_a.login,
        )

    def test_sales_dashboard_tour(self):
        self.start_tour(
            "/odoo/action-crm_erp_bridge.crm_erp_sales_management_dashboard_action",
            "crm_erp_sales_dashboard_tour",
            login=self.salesperson_a.login,
        )

    def test_export_route_answers_xlsx(self):
        self.authenticate(self.salesperson_a.login, self.salesperson_a.login)
        domain = json.dumps([["partner_id", "=", self.customer_b.id]])
        response = self.url_open(f"/crm_erp_bridge/report/xlsx/forecast?domain={domain}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        workbook = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True)
        rows = list(workbook["Cash-in"].iter_rows(min_row=2, values_only=True))
        self.assertEqual([(row[1], row[-1]) for row in rows[:-1]], [(self.inv_b.name, 300.0)])

    def test_export_button_downloads_workbook(self):
        """The export button runs the progress client action on the download route; what the
        route answers is a workbook (zip) with the rows the salesperson may read."""
        report = self.env["crm.erp.forecast.report"].with_user(self.salesperson_a)
        action = report.action_export_xlsx()
        self.assertEqual(action["tag"], "crm_erp_bridge.report_xlsx_export")
        self.assertEqual(action["params"]["filename"], "forecast_report.xlsx")
        self.assertEqual(action["params"]["rows"], report.search_count([]))
        self.authenticate(self.salesperson_a.login, self.salesperson_a.login)
        response = self.url_open(action["params"]["url"])
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
        self.assertIn(action["params"]["filename"], response.headers["Content-Disposition"])

    def test_export_route_unknown_report(self):
        self.authenticate(self.salesperson_a.login, self.salesperson_a.login)
        self.assertEqual(self.url_open("/crm_erp_bridge/report/xlsx/unknown").status_code, 404)
