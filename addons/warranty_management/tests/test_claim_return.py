from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestClaimReturn(WarrantyCommon):
    """Return receipt of the defective unit, inspection, and resolutions waiting for the unit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = new_test_user(cls.env, "wret_stock", groups="stock.group_stock_user",
                                       name="Return warehouse clerk")
        cls.lot, cls.spare = cls._make_serials(cls.serial_product, ["CT-RT-001", "CT-RT-SPARE"])
        cls.order = cls._sell(cls.business, cls.serial_product, 1)
        cls._deliver(cls.order, cls.lot)
        cls.registration = cls.env["warranty.registration"].search([("lot_id", "=", cls.lot.id)])

    def _approved_claim(self, user=None):
        claim = self.env["warranty.claim"].with_user(user or self.warranty_user).create({
            "partner_id": self.business.id, "lot_id": self.lot.id})
        claim.action_review()
        claim.action_approve()
        return claim

    def _receive(self, claim):
        picking = claim.return_picking_id.with_user(self.stock_user)
        picking.button_validate()
        return picking

    def test_warranty_user_creates_return_with_serial(self):
        claim = self._approved_claim()
        action = claim.action_create_return()
        picking = claim.sudo().return_picking_id
        self.assertEqual(action["res_model"], "stock.picking")
        self.assertEqual(action["res_id"], picking.id)
        self.assertEqual(picking.picking_type_code, "incoming")
        self.assertEqual(picking.partner_id, self.business)
        self.assertEqual(picking.warranty_claim_id, claim)
        self.assertEqual(picking.location_id.usage, "customer")
        self.assertEqual(picking.move_ids.move_line_ids.lot_id, self.lot)
        self.assertEqual(picking.move_ids.move_line_ids.quantity, 1.0)
        self.assertIn("Return receipt", claim.message_ids[0].body)

    def test_plain_employee_cannot_create_return(self):
        claim = self._approved_claim()
        with self.assertRaises(AccessError):
            claim.with_user(self.plain_employee).action_create_return()
        self.assertFalse(claim.return_picking_id)

    def test_return_refused_on_new_claim_and_twice(self):
        claim = self.env["warranty.claim"].with_user(self.warranty_user).create({
            "partner_id": self.business.id, "lot_id": self.lot.id})
        with self.assertRaisesRegex(UserError, "no return can be received"):
            claim.action_create_return()
        claim.action_review()
        claim.action_create_return()
        with self.assertRaisesRegex(UserError, "already has the return"):
            claim.action_create_return()

    def test_validated_return_informs_claim_and_keeps_registration(self):
        claim = self._approved_claim()
        claim.action_create_return()
        picking = self._receive(claim)
        self.assertEqual(picking.state, "done")
        self.assertEqual(claim.return_state, "done")
        self.assertIn("Unit received back", claim.message_ids[0].body)
        # the receipt is no replacement: no registration is created or closed for it
        registrations = self.env["warranty.registration"].search([("lot_id", "=", self.lot.id)])
        self.assertEqual(registrations, self.registration)
        self.assertEqual(self.registration.state, "active")

    def test_replacement_waits_for_return_when_policy_requires(self):
        self.policy.require_return_before_resolution = True
        claim = self._approved_claim()
        self.assertTrue(claim.return_required)
        with self.assertRaisesRegex(UserError, "requires the defective unit back"):
            claim.action_create_replacement()
        claim.action_create_return()
        with self.assertRaisesRegex(UserError, "requires the defective unit back"):
            claim.action_create_replacement()
        self._receive(claim)
        claim.action_create_replacement()
        self.assertEqual(claim.state, "in_progress")
        self.assertTrue(claim.replacement_picking_id)

    def test_refund_waits_for_return_when_policy_requires(self):
        self.policy.require_return_before_resolution = True
        claim = self._approved_claim()
        with self.assertRaisesRegex(UserError, "requires the defective unit back"):
            claim.action_create_refund()
        self.assertFalse(claim.refund_move_id)
        claim.action_create_return()
        self._receive(claim)
        claim.action_create_refund()
        self.assertTrue(claim.refund_move_id)

    def test_no_wait_without_policy_setting(self):
        claim = self._approved_claim()
        self.assertFalse(claim.return_required)
        claim.action_create_refund()
        self.assertEqual(claim.resolution, "refund")

    def test_repair_never_waits_for_return(self):
        self.policy.require_return_before_resolution = True
        claim = self._approved_claim()
        claim.with_user(self.warranty_manager).action_create_repair()
        self.assertEqual(claim.resolution, "repair")

    def test_inspection_customer_damage_removes_coverage(self):
        claim = self._approved_claim()
        self.assertTrue(claim.covered)
        wizard = self.env["warranty.claim.inspection"].with_user(self.warranty_user).create({
            "claim_id": claim.id, "result": "customer_damage", "reason": "Dropped: housing cracked"})
        wizard.action_apply()
        self.assertEqual(claim.inspection_result, "customer_damage")
        self.assertEqual(claim.inspection_user_id, self.warranty_user)
        self.assertFalse(claim.covered)
        self.assertEqual(claim.coverage_parts_pct, 0.0)
        self.assertIn("Dropped: housing cracked", claim.entitlement_reason)
        self.assertIn("Dropped: housing cracked", claim.message_ids[0].body)
        self.assertIn("Damaged by customer", claim.message_ids[0].body)
        # checking the entitlement again does not undo the finding
        claim.action_refresh_entitlement()
        self.assertFalse(claim.covered)
        with self.assertRaisesRegex(ValidationError, "not under warranty"):
            claim.action_create_refund()

    def test_inspection_changing_entitlement_needs_reason(self):
        claim = self._approved_claim()
        with self.assertRaisesRegex(UserError, "Write the reason"):
            claim._record_inspection("no_fault_found", "  ")
        self.assertFalse(claim.inspection_result)
        self.assertTrue(claim.covered)
        claim._record_inspection("confirmed_defect", False)  # confirms the entitlement: no reason needed
        self.assertTrue(claim.covered)

    def test_confirmed_defect_after_denial_restores_entitlement(self):
        claim = self._approved_claim()
        claim._record_inspection("no_fault_found", "Works on the bench")
        self.assertFalse(claim.covered)
        claim._record_inspection("confirmed_defect", "Fails when warm")
        self.assertTrue(claim.covered)
        self.assertEqual(claim.registration_id, self.registration)

    def test_manager_override_wins_over_inspection(self):
        claim = self._approved_claim()
        claim._record_inspection("customer_damage", "Water inside")
        claim.with_user(self.warranty_manager)._override_entitlement(
            True, {"parts": 100.0, "labor": 100.0, "travel": 0.0}, "Goodwill for a key account")
        self.assertTrue(claim.covered)
        claim._record_inspection("customer_damage", "Still water inside")
        self.assertTrue(claim.covered, "The manager's decision stands")

    def test_plain_employee_cannot_record_inspection(self):
        claim = self._approved_claim()
        with self.assertRaises(AccessError):
            claim.with_user(self.plain_employee)._record_inspection("customer_damage", "Dropped")
        self.assertTrue(claim.covered)

    def test_inspection_refused_on_closed_claim(self):
        claim = self._approved_claim()
        claim.action_create_repair()
        claim.action_resolve()
        with self.assertRaisesRegex(UserError, "is finished"):
            claim._record_inspection("customer_damage", "Too late")

    def test_timeline_shows_return(self):
        claim = self._approved_claim()
        claim.action_create_return()
        timeline = self.env["crm.erp.timeline"].with_user(self.warranty_user)
        events = timeline._get_event_sources()["warranty_return"](
            timeline._timeline_query(self.business.ids, limit=10))
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["res_model"], "warranty.claim")
        self.assertEqual(events[0]["res_id"], claim.id)
        self.assertIn(claim.sudo().return_picking_id.name, events[0]["name"])
        self.assertIn("warranty_return", dict(timeline._get_event_types()))
        other = timeline._get_event_sources()["warranty_return"](
            timeline._timeline_query(self.other_customer.ids, limit=10))
        self.assertFalse(other)

    def test_timeline_returns_hidden_from_plain_employee(self):
        claim = self._approved_claim()
        claim.action_create_return()
        timeline = self.env["crm.erp.timeline"].with_user(self.plain_employee)
        self.assertFalse(timeline._events_warranty_return(timeline._timeline_query(self.business.ids, limit=10)))

