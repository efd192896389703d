from odoo.tests import HttpCase, new_test_user, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestClaimReturnTour(HttpCase, WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the technician receives the unit too: warranty user and inventory user
        cls.tour_user = new_test_user(
            cls.env, "wret_tour", password="wret_tour", name="Return tour technician",
            groups="warranty_management.group_warranty_user,stock.group_stock_user")
        cls.serial_product.name = "Tour return espresso"
        cls.customer = cls.env["res.partner"].create({"name": "Tour Return Bar", "is_company": True})
        cls.lot = cls._make_serials(cls.serial_product, ["TOUR-RT-001"])
        cls._deliver(cls._sell(cls.customer, cls.serial_product, 1), cls.lot)  # the unit is at the customer's
        cls.registration = cls.env["warranty.registration"].search([("lot_id", "=", cls.lot.id)])
        cls.claim = cls.env["warranty.claim"].with_user(cls.tour_user).create({
            "partner_id": cls.customer.id, "lot_id": cls.lot.id})

    def test_claim_return_inspection_tour(self):
        self.start_tour("/odoo/action-warranty_management.warranty_claim_action",
                        "warranty_management_claim_return_tour", login="wret_tour")
        self.assertEqual(self.claim.state, "approved")
        self.assertEqual(self.claim.return_picking_id.state, "done")
        self.assertEqual(self.claim.return_picking_id.move_ids.move_line_ids.lot_id, self.lot)
        self.assertEqual(self.claim.inspection_result, "customer_damage")
        self.assertFalse(self.claim.covered)
        self.assertEqual(self.registration.state, "active")
        self.assertTrue(self.claim.message_ids.filtered(lambda m: "Inspection by" in m.body
                                                        and "housing cracked" in m.body))
