from odoo.exceptions import AccessError
from odoo.tests import tagged

from .report_common import CrmErpReportCommon

REPORTS = ["crm.erp.customer.report", "crm.erp.forecast.report", "crm.erp.capacity.report"]


@tagged("post_install", "-at_install")
class TestReportAccess(CrmErpReportCommon):

    def _visible(self, user, model="crm.erp.customer.report", companies=None):
        env = self.env(user=user, context=dict(self.env.context, allowed_company_ids=(companies or self.company_a).ids))
        rows = env[model].search([("partner_id", "in", (self.customer_a | self.customer_b).ids)])
        return {(row.res_model, row.res_id) for row in rows}

    def test_salesperson_sees_own_team_figures(self):
        visible = self._visible(self.salesperson_a)
        self.assertIn(("crm.lead", self.opp_open.id), visible)
        self.assertIn(("sale.order", self.order.id), visible)
        self.assertIn(("account.move", self.inv_partial.id), visible)

    def test_salesperson_does_not_see_other_team(self):
        self.assertNotIn(("crm.lead", self.opp_team_b.id), self._visible(self.salesperson_a))
        self.assertEqual(self._visible(self.salesperson_b), {("crm.lead", self.opp_team_b.id)})

    def test_forecast_restricted_to_own_team(self):
        visible = self._visible(self.salesperson_b, "crm.erp.forecast.report")
        self.assertEqual(visible, {("crm.lead", self.opp_team_b.id)})

    def test_capacity_restricted_to_own_team(self):
        # opportunities without quotation show as an amount by team (component "opportunity")
        self.assertEqual(
            self._visible(self.salesperson_b, "crm.erp.capacity.report"), {("crm.lead", self.opp_team_b.id)}
        )
        self.assertEqual(
            self._visible(self.salesperson_a, "crm.erp.capacity.report"),
            {("sale.order", self.order.id), ("sale.order", self.quote_eur.id), ("crm.lead", self.opp_open.id)},
        )

    def test_manager_sees_all_teams(self):
        visible = self._visible(self.report_manager)
        self.assertIn(("crm.lead", self.opp_team_b.id), visible)
        self.assertIn(("crm.lead", self.opp_open.id), visible)

    def test_other_company_hidden_unless_allowed(self):
        move = ("account.move", self.inv_company_b.id)
        self.assertNotIn(move, self._visible(self.report_manager))
        self.assertIn(move, self._visible(self.report_manager, companies=self.company_a | self.company_b))

    def test_user_without_bridge_group_refused(self):
        for model in REPORTS:
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.internal_user).search([])
