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
