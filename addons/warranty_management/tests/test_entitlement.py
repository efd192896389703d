from datetime import date

from odoo.tests import tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestEntitlement(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._make_serials(cls.serial_product, ["CT-EN-001"])
        cls.registration = cls._register(cls.business, cls.serial_product, cls.lot, start=date(2025, 1, 10))
        cls.check = cls.env["warranty.registration"]._check_entitlement

    def test_covered_unit_returns_coverage_and_days_remaining(self):
        result = self.check(partner=self.business, lot=self.lot, date=date(2025, 12, 31))
        self.assertTrue(result["covered"])
        self.assertEqual(result["coverage"], {"parts": 100.0, "labor": 50.0, "travel": 0.0})
        self.assertEqual(result["days_remaining"], 11)
        self.assertEqual(result["registration"], self.registration)

    def test_contact_of_owner_is_covered(self):
        contact = self.env["res.partner"].create({"name": "Core test bar manager", "parent_id": self.business.id})
        self.assertTrue(self.check(partner=contact, lot=self.lot, date=date(2025, 6, 1))["covered"])

    def test_product_without_serial_finds_customer_registration(self):
        registration = self._register(self.business, self.plain_product, start=date(2025, 1, 10))
        result = self.check(partner=self.business, product=self.plain_product, date=date(2025, 6, 1))
        self.assertEqual(result["registration"], registration)
        self.assertTrue(result["covered"])

    def test_expired_unit_not_covered(self):
        result = self.check(partner=self.business, lot=self.lot, date=date(2026, 1, 11))
        self.assertFalse(result["covered"])
        self.assertIn("expired", result["reason"])
        self.assertEqual(result["coverage"], {"parts": 0.0, "labor": 0.0, "travel": 0.0})

    def test_failure_before_start_not_covered(self):
        result = self.check(partner=self.business, lot=self.lot, date=date(2025, 1, 1))
        self.assertFalse(result["covered"])
        self.assertIn("only starts", result["reason"])

    def test_other_customer_not_covered(self):
        result = self.check(partner=self.other_customer, lot=self.lot, date=date(2025, 6, 1))
        self.assertFalse(result["covered"])
        self.assertIn("another customer", result["reason"])

    def test_unregistered_serial_not_covered(self):
        lot = self._make_serials(self.serial_product, ["CT-EN-002"])
        result = self.check(partner=self.business, lot=lot, date=date(2025, 6, 1))
        self.assertFalse(result["covered"])
        self.assertIn("never sold", result["reason"])

    def test_missing_customer_not_covered(self):
        result = self.check(lot=self.lot, date=date(2025, 6, 1))
        self.assertFalse(result["covered"])
        self.assertIn("No customer", result["reason"])

    def test_missing_product_and_serial_not_covered(self):
        result = self.check(partner=self.business, date=date(2025, 6, 1))
        self.assertFalse(result["covered"])

    def test_closed_registration_not_covered(self):
        self.registration._close("Returned")
        result = self.check(partner=self.business, lot=self.lot, date=date(2025, 6, 1))
        self.assertFalse(result["covered"])
        self.assertIn("closed", result["reason"])

    def test_entitlement_readable_by_warranty_user(self):
        result = self.env["warranty.registration"].with_user(self.warranty_user)._check_entitlement(
            partner=self.business, lot=self.lot, date=date(2025, 6, 1))
        self.assertTrue(result["covered"])
