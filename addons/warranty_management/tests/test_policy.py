from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyPolicy(WarrantyCommon):

    def test_month_duration_is_calendar_correct(self):
        policy = self.policy.copy({"duration": 1, "duration_unit": "month", "consumer_legal_months": 0})
        self.assertEqual(policy._get_end_date(date(2024, 1, 31), self.business), date(2024, 2, 29))
        self.assertEqual(policy._get_end_date(date(2025, 1, 31), self.business), date(2025, 2, 28))

    def test_year_duration_from_leap_day(self):
        self.assertEqual(self.policy._get_end_date(date(2024, 2, 29), self.business), date(2025, 2, 28))

    def test_day_duration(self):
        policy = self.policy.copy({"duration": 30, "duration_unit": "day"})
        self.assertEqual(policy._get_end_date(date(2025, 1, 1), self.business), date(2025, 1, 31))

    def test_consumer_legal_minimum_wins_over_shorter_policy(self):
        self.assertEqual(self.policy._get_end_date(date(2025, 3, 15), self.consumer), date(2027, 3, 15))

    def test_legal_minimum_does_not_apply_to_companies(self):
        self.assertEqual(self.policy._get_end_date(date(2025, 3, 15), self.business), date(2026, 3, 15))

    def test_contact_of_company_is_not_a_consumer(self):
        contact = self.env["res.partner"].create({"name": "Core test barista", "parent_id": self.business.id})
        self.assertEqual(self.policy._get_end_date(date(2025, 3, 15), contact), date(2026, 3, 15))

    def test_longer_commercial_policy_wins_over_legal_minimum(self):
        policy = self.policy.copy({"duration": 3})
        self.assertEqual(policy._get_end_date(date(2025, 3, 15), self.consumer), date(2028, 3, 15))

    def test_zero_duration_refused(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self.policy.copy({"duration": 0})

    def test_negative_duration_refused(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self.policy.write({"duration": -2})

    def test_coverage_above_hundred_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.policy.write({"coverage_parts_pct": 120.0})

    def test_category_policy_applies_to_products_of_subcategories(self):
        self.category.warranty_policy_id = self.policy
        child = self.env["product.category"].create({"name": "Core test child", "parent_id": self.category.id})
        product = self.env["product.product"].create({"name": "Core test kettle", "categ_id": child.id})
        self.assertEqual(product._get_warranty_policy(), self.policy)

    def test_product_policy_wins_over_category(self):
        other = self.policy.copy({"name": "Core test category policy"})
        self.category.warranty_policy_id = other
        self.assertEqual(self.serial_product._get_warranty_policy(), self.policy)

    @users("wcore_manager")
    def test_manager_creates_policy(self):
        policy = self.env["warranty.policy"].create(
            {"name": "Core test manager policy", "duration": 6, "duration_unit": "month"})
        self.assertEqual(policy.duration_unit, "month")
        self.assertEqual(policy.create_uid, self.warranty_manager)

    @users("wcore_user", "wcore_employee")
    def test_warranty_user_cannot_create_policy(self):
        with self.assertRaises(AccessError):
            self.env["warranty.policy"].create({"name": "Core test refused"})


@tagged("post_install", "-at_install")
class TestSupplierTerm(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Core test vendor", "is_company": True})

    @users("wcore_manager")
    def test_manager_records_vendor_terms_per_product(self):
        term = self.env["warranty.supplier.term"].create({
            "product_tmpl_id": self.serial_product.product_tmpl_id.id,
            "partner_id": self.vendor.id,
            "duration": 18,
            "duration_unit": "month",
            "reimburse_parts_pct": 100.0,
        })
        found = self.env["warranty.supplier.term"]._find_term(self.serial_product, self.vendor)
        self.assertEqual(found, term)
        self.assertEqual(term._get_end_date(date(2025, 1, 31)), date(2026, 7, 31))

    @users("wcore_user", "wcore_employee")
    def test_warranty_user_cannot_edit_vendor_terms(self):
        with self.assertRaises(AccessError):
            self.env["warranty.supplier.term"].create({
                "product_tmpl_id": self.serial_product.product_tmpl_id.id, "partner_id": self.vendor.id})

    def test_zero_supplier_duration_refused(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self.env["warranty.supplier.term"].create({
                "product_tmpl_id": self.serial_product.product_tmpl_id.id,
                "partner_id": self.vendor.id,
                "duration": 0,
            })
