from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CrmErpBridgeCommon


@tagged("post_install", "-at_install")
class TestCrmErpTimelineTour(HttpCase, CrmErpBridgeCommon):
    def test_timeline_tour_as_salesman(self):
        self._create_order(user=self.salesman)
        self._create_invoice(user=self.salesman, invoice_date=fields.Date.today() - timedelta(days=100))
        self._create_invoice(user=self.salesman, invoice_date=fields.Date.today() - timedelta(days=3))
        self.start_tour(
            f"/odoo/res.partner/{self.customer.id}",
            "crm_erp_bridge_timeline_tour",
            login=self.salesman.login,
        )

    def test_log_call_tour_as_salesman(self):
        self.start_tour(
            f"/odoo/res.partner/{self.customer.id}",
            "crm_erp_bridge_log_call_tour",
            login=self.salesman.login,
        )
        interaction = self.env["crm.erp.interaction"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(interaction.interaction_type, "call")
        self.assertEqual(interaction.user_id, self.salesman)
