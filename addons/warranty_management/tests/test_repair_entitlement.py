from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestRepairEntitlement(WarrantyCommon):
    """A repair order opened in the Repairs app for a registered serial gets the entitlement answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the least privileged user of the Repairs app: inventory user, no warranty rights
        cls.technician = new_test_user(cls.env, "wrep_tech", groups="stock.group_stock_user",
                                       name="Repair technician")
        cls.lot, cls.old_lot, cls.free_lot = cls._make_serials(
            cls.serial_product, ["CT-RO-001", "CT-RO-OLD", "CT-RO-FREE"])
        cls.registration = cls._register(cls.business, cls.serial_product, cls.lot,
                                         start=fields.Date.today() - timedelta(days=10))
        cls._register(cls.business, cls.serial_product, cls.old_lot, start=date(2020, 1, 1))

    def _repair(self, lot, user=None, **vals):
        return self.env["repair.order"].with_user(user or self.technician).create({
            "partner_id": self.business.id, "product_id": self.serial_product.id, "lot_id": lot.id, **vals})

    def test_registered_serial_under_warranty(self):
        repair = self._repair(self.lot)
        self.assertTrue(repair.under_warranty)
        self.assertIn("Covered by", repair.warranty_entitlement_reason)
        self.assertEqual(repair.sudo().warranty_registration_id, self.registration)

    def test_expired_serial_not_under_warranty_even_if_ticked(self):
        repair = self._repair(self.old_lot, under_warranty=True)
        self.assertFalse(repair.under_warranty)
        self.assertIn("expired", repair.warranty_entitlement_reason)

    def test_other_customer_not_under_warranty(self):
        repair = self._repair(self.lot, partner_id=self.other_customer.id)
        self.assertFalse(repair.under_warranty)
        self.assertIn("another customer", repair.warranty_entitlement_reason)

    def test_unregistered_serial_keeps_the_box(self):
        repair = self._repair(self.free_lot, under_warranty=True)
        self.assertTrue(repair.under_warranty)
        self.assertFalse(repair.warranty_entitlement_reason)

    def test_changing_serial_recomputes(self):
        repair = self._repair(self.old_lot)
        self.assertFalse(repair.under_warranty)
        repair.lot_id = self.lot
        self.assertTrue(repair.under_warranty)

    def test_same_rule_as_claims(self):
        """Overriding THE entitlement rule changes the repair order's answer too."""
        model = type(self.env["warranty.registration"])
        original = model._check_entitlement

        def never_covered(self, partner=None, product=None, lot=None, date=None):
            result = original(self, partner=partner, product=product, lot=lot, date=date)
            return {**result, "covered": False, "reason": "Custom rule: not covered"}

        with patch.object(model, "_check_entitlement", never_covered):
            repair = self._repair(self.lot)
            self.assertFalse(repair.under_warranty)
            self.assertEqual(repair.warranty_entitlement_reason, "Custom rule: not covered")

    def test_repair_from_claim_takes_claim_decision(self):
        claim = self.env["warranty.claim"].create({"partner_id": self.business.id, "lot_id": self.old_lot.id})
        claim.action_review()
        claim.action_approve()
        claim.with_user(self.warranty_manager)._override_entitlement(
            True, {"parts": 100.0, "labor": 100.0, "travel": 100.0}, "Goodwill")
        claim.action_create_repair()
        self.assertTrue(claim.repair_id.under_warranty)
        self.assertIn("Goodwill", claim.repair_id.warranty_entitlement_reason)

    def test_ticking_box_against_entitlement_refused(self):
        repair = self._repair(self.old_lot)
        with self.assertRaisesRegex(UserError, "decided by its warranty claim or the registration"):
            repair.under_warranty = True
        with self.assertRaisesRegex(UserError, "decided by its warranty claim or the registration"):
            repair.write({"under_warranty": True, "priority": "1"})
        repair.write({"lot_id": self.old_lot.id, "under_warranty": True})  # recomputed, not taken
        self.assertFalse(repair.under_warranty)
        free = self._repair(self.free_lot)
        free.under_warranty = True
        self.assertTrue(free.under_warranty)

    def test_technician_form_shows_reason_without_warranty_rights(self):
        repair = self._repair(self.lot)
        arch = self.env["repair.order"].with_user(self.technician).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("warranty_entitlement_reason", arch)
        self.assertNotIn('name="warranty_registration_id"', arch)
        values = repair.with_user(self.technician).web_read({"under_warranty": {}, "warranty_entitlement_reason": {}})
        self.assertTrue(values[0]["under_warranty"])

    def test_repair_follows_claim_inspection(self):
        claim = self.env["warranty.claim"].create({"partner_id": self.business.id, "lot_id": self.lot.id})
        claim.action_review()
        claim.action_approve()
        claim.action_create_repair()
        repair = claim.repair_id
        self.assertTrue(repair.under_warranty)
        claim.with_user(self.warranty_user)._record_inspection("customer_damage", "Dropped on the floor")
        self.assertFalse(repair.under_warranty)
        self.assertIn("Dropped on the floor", repair.warranty_entitlement_reason)

    def test_plain_employee_cannot_create_repair(self):
        with self.assertRaises(AccessError):
            self._repair(self.lot, user=self.plain_employee)
