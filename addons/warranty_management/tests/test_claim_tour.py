from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestClaimTour(HttpCase, WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the tour ends on the repair order, which needs the repair (inventory) rights
        cls.tour_user = new_test_user(
            cls.env, "wcore_tour", password="wcore_tour", name="Core tour technician",
            groups="warranty_management.group_warranty_user,stock.group_stock_user")
        cls.serial_product.name = "Tour espresso machine"
        cls.customer = cls.env["res.partner"].create({"name": "Tour Bar Centrale", "is_company": True})
        cls.lot = cls._make_serials(cls.serial_product, ["TOUR-SN-001"])
        cls.registration = cls._register(cls.customer, cls.serial_product, cls.lot,
                                         start=date.today().replace(day=1))

    def test_claim_to_repair_tour(self):
        self.start_tour("/odoo/action-warranty_management.warranty_claim_action", "warranty_management_claim_tour",
                        login="wcore_tour")
        claim = self.env["warranty.claim"].search([("lot_id", "=", self.lot.id)])
        self.assertEqual(claim.state, "in_progress")
        self.assertEqual(claim.registration_id, self.registration)
        self.assertTrue(claim.repair_id.under_warranty)
