from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common_followup import CrmErpBridgeFollowupCommon


@tagged("post_install", "-at_install")
class TestDunningWorklistTour(HttpCase, CrmErpBridgeFollowupCommon):
    def test_worklist_send_statement_tour_as_accountant(self):
        self.env["crm.erp.dunning.level"].search([("company_id", "=", self.company.id)]).action_archive()
        self.env["crm.erp.dunning.level"].create(
            {"name": "Tour statement level", "days_overdue": 7, "mail_template_id": self.invoice_template.id})
        customer = self.env["res.partner"].create(
            {"name": "Tour Overdue Customer", "is_company": True, "email": "tour@example.com"})
        invoices = self._create_overdue_invoice(partner=customer, days=10) | self._create_overdue_invoice(
            partner=customer, days=12)
        self.env["crm.erp.interaction"].create({
            "partner_id": customer.id, "interaction_type": "call", "outcome": "no_answer",
            "date": fields.Datetime.now() - timedelta(days=1)})
        accountant = new_test_user(
            self.env, login="bridge_tour_accountant", name="Bridge Tour Accountant",
            groups="account.group_account_invoice,crm_erp_bridge.group_crm_erp_bridge_user",
        )
        self.start_tour(
            "/odoo/action-crm_erp_bridge.res_partner_action_dunning_worklist",
            "crm_erp_bridge_dunning_worklist_tour",
            login=accountant.login,
        )
        statement = invoices.bridge_dunning_statement_ids
        self.assertEqual(statement.move_ids, invoices)
        self.assertTrue(statement.manual)
