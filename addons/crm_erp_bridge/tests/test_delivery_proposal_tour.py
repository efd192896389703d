from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .test_delivery_proposal import DeliveryProposalCommon


@tagged("post_install", "-at_install")
class TestDeliveryProposalTour(HttpCase, DeliveryProposalCommon):
    def test_salesman_applies_proposal_tour(self):
        order = self._proposal()
        self.start_tour(
            f"/odoo/sale.order/{order.id}", "crm_erp_bridge_delivery_proposal_tour", login=self.salesman.login
        )
        self.assertEqual(order.bridge_delivery_state, "applied")
        self.assertEqual(order.partner_shipping_id.street, "Via Po 7")
        self.assertEqual(order.partner_shipping_id.parent_id, self.customer)
        self.assertEqual(order.commitment_date.date(), fields.Date.today() + timedelta(days=10))
