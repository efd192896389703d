from odoo.tests import HttpCase, tagged

from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestCostTour(WarrantyCostCommon, HttpCase):

    def test_add_and_post_costs_tour(self):
        self.start_tour(
            f"/odoo/warranty.claim/{self.claim.id}", "warranty_management_cost_tour", login="wacct_manager")
        line = self.claim.cost_line_ids
        self.assertEqual((line.cost_type, line.quantity, line.amount, line.state), ("labor", 2.0, 80.0, "posted"))
        self.assertEqual(line.invoice_id.amount_untaxed, 40.0)
