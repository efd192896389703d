from datetime import date

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged, users

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestClaim(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._make_serials(cls.serial_product, ["CT-CL-001"])
        cls.order = cls._sell(cls.business, cls.serial_product, 1, date_order=date(2025, 1, 5))
        cls._deliver(cls.order, cls.lot)
        cls.registration = cls.env["warranty.registration"].search([("lot_id", "=", cls.lot.id)])
        cls.registration.write({"start_date": date(2025, 1, 10), "base_end_date": date(2026, 1, 10)})

    def _claim(self, user=None, **vals):
        model = self.env["warranty.claim"].with_user(user or self.warranty_user)
        return model.create({
            "partner_id": self.business.id,
            "lot_id": self.lot.id,
            "claim_date": date(2025, 6, 1),
            **vals,
        })

    def _approved_claim(self, **vals):
        claim = self._claim(**vals)
        claim.action_review()
        claim.action_approve()
        return claim

    def test_intake_checks_entitlement(self):
        claim = self._claim()
        self.assertTrue(claim.name.startswith("WC/"))
        self.assertEqual(claim.product_id, self.serial_product)
        self.assertEqual(claim.registration_id, self.registration)
        self.assertEqual(claim.sale_order_id, self.order)
        self.assertTrue(claim.covered)
        self.assertEqual(claim.coverage_labor_pct, 50.0)
        self.assertIn("Under warranty", claim.message_ids[0].body)

    def test_claim_after_expiry_is_not_covered(self):
        claim = self._claim(claim_date=date(2026, 2, 1))
        self.assertFalse(claim.covered)
        self.assertIn("expired", claim.entitlement_reason)

    def test_serial_of_other_customer_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self._claim(partner_id=self.other_customer.id)
        self.assertIn("belongs to another customer", str(caught.exception))
        self.assertFalse(self.env["warranty.claim"].search([("lot_id", "=", self.lot.id)]),
                         "Nothing half-written")

    def test_serial_never_sold_refused(self):
        lot = self._make_serials(self.serial_product, ["CT-CL-002"])
        with self.assertRaisesRegex(ValidationError, "never sold"):
            self._claim(lot_id=lot.id)

    def test_failure_before_sale_refused(self):
        with self.assertRaisesRegex(ValidationError, "before the sale"):
            self._claim(claim_date=date(2024, 12, 1))

    def test_zero_quantity_refused(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self._claim(quantity=0)

    def test_plain_employee_cannot_open_claim(self):
        with self.assertRaises(AccessError):
            self._claim(user=self.plain_employee)

    def test_lifecycle_to_closed(self):
        claim = self._approved_claim()
        claim.action_create_repair()
        self.assertEqual(claim.state, "in_progress")
        claim.action_resolve()
        claim.action_close()
        self.assertEqual(claim.state, "closed")

    def test_transition_outside_lifecycle_refused(self):
        claim = self._claim()
        with self.assertRaisesRegex(UserError, "cannot go from"):
            claim.action_resolve()

    def test_reject_requires_reason(self):
        claim = self._claim()
        with self.assertRaisesRegex(UserError, "reason"):
            claim.action_reject()
        claim.reject_reason = "Damage caused by a fall"
        claim.action_reject()
        self.assertEqual(claim.state, "rejected")

    def test_repair_created_under_warranty(self):
        claim = self._approved_claim()
        claim.action_create_repair()
        repair = claim.sudo().repair_id
        self.assertTrue(repair.under_warranty)
        self.assertEqual(repair.lot_id, self.lot)
        self.assertEqual(repair.partner_id, self.business)
        self.assertEqual(repair.warranty_claim_id, claim)

    def test_repair_of_expired_unit_not_under_warranty(self):
        claim = self._approved_claim(claim_date=date(2026, 3, 1))
        claim.action_create_repair()
        self.assertFalse(claim.sudo().repair_id.under_warranty)

    def test_repair_needs_approval(self):
        claim = self._claim()
        with self.assertRaisesRegex(UserError, "Approve"):
            claim.action_create_repair()

    def test_manager_override_is_logged_and_used_for_repair(self):
        claim = self._approved_claim(claim_date=date(2026, 3, 1))
        claim.with_user(self.warranty_manager)._override_entitlement(
            True, {"parts": 100.0, "labor": 0.0, "travel": 0.0}, "Goodwill: loyal customer")
        self.assertTrue(claim.covered)
        self.assertTrue(claim.entitlement_override)
        self.assertIn("Goodwill: loyal customer", claim.message_ids[0].body)
        claim.action_create_repair()
        self.assertTrue(claim.sudo().repair_id.under_warranty)

    def test_override_requires_reason(self):
        claim = self._claim()
        with self.assertRaisesRegex(UserError, "reason"):
            claim.with_user(self.warranty_manager)._override_entitlement(True, {}, "  ")

    @users("wcore_user", "wcore_employee")
    def test_warranty_user_cannot_override(self):
        claim = self._claim().with_env(self.env)
        with self.assertRaises(AccessError):
            claim._override_entitlement(False, {}, "No")

    @users("wcore_user", "wcore_employee")
    def test_warranty_user_cannot_open_override_wizard(self):
        claim = self._claim()
        with self.assertRaises(AccessError):
            self.env["warranty.claim.override"].create({"claim_id": claim.id, "reason": "No"})

    def test_replacement_creates_delivery(self):
        claim = self._approved_claim()
        claim.action_create_replacement()
        picking = claim.sudo().replacement_picking_id
        self.assertEqual(picking.picking_type_code, "outgoing")
        self.assertEqual(picking.partner_id, self.business)
        self.assertEqual(picking.move_ids.product_id, self.serial_product)
        self.assertEqual(claim.resolution, "replacement")

    def test_replacement_unit_takes_over_warranty(self):
        new_lot = self._make_serials(self.serial_product, ["CT-CL-003"])
        claim = self._approved_claim()
        claim.action_create_replacement()
        picking = claim.sudo().replacement_picking_id
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.move_line_ids = [(0, 0, {
            "product_id": self.serial_product.id, "lot_id": new_lot.id, "quantity": 1.0,
            "location_id": picking.location_id.id, "location_dest_id": picking.location_dest_id.id,
            "picking_id": picking.id})]
        picking.move_ids.picked = True
        picking.button_validate()
        new = self.env["warranty.registration"].search([("lot_id", "=", new_lot.id)])
        self.assertEqual(new.end_date, self.registration.end_date)
        self.assertEqual(self.registration.state, "closed")

    def test_refund_creates_credit_note_at_sale_price(self):
        claim = self._approved_claim()
        claim.action_create_refund()
        refund = claim.sudo().refund_move_id
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.invoice_line_ids.price_unit, self.order.order_line.price_unit)
        self.assertEqual(refund.partner_id, self.business)

    def test_sla_deadlines_from_policy(self):
        claim = self._claim()
        created = fields.Date.context_today(claim, claim.create_date)
        self.assertEqual((claim.sla_review_deadline - created).days, 2)
        self.assertEqual((claim.sla_deadline - created).days, 10)
