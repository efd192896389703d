import base64
import json

from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReportDashboard(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("crm_erp_bridge.crm_erp_sales_management_dashboard")
        cls.salesperson = new_test_user(
            cls.env, login="report_dashboard_sales", groups="sales_team.group_sale_salesman"
        )

    def test_dashboard_pivots_read_report_fields(self):
        data = json.loads(base64.b64decode(self.dashboard.spreadsheet_binary_data))
        self.assertEqual(
            {pivot["model"] for pivot in data["pivots"].values()},
            {"crm.erp.forecast.report", "crm.erp.customer.report", "crm.erp.capacity.report"},
        )
        for pivot in data["pivots"].values():
            fields = self.env[pivot["model"]]._fields
            for spec in pivot["measures"] + pivot["rows"] + pivot["columns"]:
                self.assertIn(spec["fieldName"], fields)

    def test_salesperson_opens_dashboard(self):
        dashboard = self.dashboard.with_user(self.salesperson)
        self.assertIn(dashboard, self.env["spreadsheet.dashboard"].with_user(self.salesperson).search([]))
        self.assertTrue(dashboard.get_readonly_dashboard()["snapshot"])

    def test_dashboard_menu_opens_this_dashboard(self):
        action = self.env.ref("crm_erp_bridge.crm_erp_sales_management_dashboard_action")
        self.assertEqual(action.tag, "action_spreadsheet_dashboard")
        self.assertEqual(action.params["dashboard_id"], self.dashboard.id)
