from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestSupplierClaim(WarrantyCostCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Cost test vendor", "is_company": True})
        cls.unit_product.seller_ids = [Command.create({"partner_id": cls.vendor.id, "price": 350.0})]
        cls.term = cls.env["warranty.supplier.term"].create({
            "product_tmpl_id": cls.unit_product.product_tmpl_id.id,
            "partner_id": cls.vendor.id,
            "duration": 1,
            "duration_unit": "year",
            "reimburse_parts_pct": 100.0,
            "reimburse_labor_pct": 50.0,
            "reimburse_travel_pct": 100.0,
        })

    def _post_costs(self):
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        return self.claim.supplier_claim_ids

    def _vendor_refund(self, amount, ref="", post=True):
        refund = self.env["account.move"].create({
            "move_type": "in_refund",
            "partner_id": self.vendor.id,
            "invoice_date": fields.Date.today(),
            "ref": ref,
            "invoice_line_ids": [Command.create({
                "name": "Warranty reimbursement", "quantity": 1, "price_unit": amount, "tax_ids": [],
            })],
        })
        if post:
            refund.action_post()
        return refund

    def test_expected_reimbursement_recorded_when_costs_posted(self):
        supplier_claim = self._post_costs()
        self.assertEqual(len(supplier_claim), 1)
        self.assertEqual(supplier_claim.vendor_id, self.vendor)
        # parts 37.05 covered x 100% + labor 30.00 covered x 50%; travel is not covered
        self.assertAlmostEqual(supplier_claim.expected_amount, 52.05, places=2)
        self.assertEqual(supplier_claim.state, "expected")

    def test_vendor_found_whatever_the_vendors_list_read_before(self):
        """The vendor is read from the vendor pricelist when the costs are posted, not from the
        product's vendors list, which the ORM caches per current company: a vendor price added
        in another current company after that list was read is still found."""
        self.unit_product.seller_ids.unlink()
        other_company = self.env["res.company"].create({"name": "Other current company"})
        claim = self.claim.with_context(allowed_company_ids=[other_company.id, self.claim.company_id.id])
        self.assertFalse(claim.product_id.seller_ids)  # read (and cached) with the other current company
        self.env["product.supplierinfo"].create({
            "product_tmpl_id": self.unit_product.product_tmpl_id.id, "partner_id": self.vendor.id, "price": 340.0})
        vendor, _date = self.env["warranty.supplier.claim"]._get_unit_purchase(claim)
        self.assertEqual(vendor, self.vendor)

    def test_vendor_of_another_company_is_not_the_units(self):
        """A vendor price recorded for another company says nothing of this company's unit."""
        self.unit_product.seller_ids.unlink()
        other_company = self.env["res.company"].create({"name": "Other warranty company"})
        self.env["product.supplierinfo"].create({
            "product_tmpl_id": self.unit_product.product_tmpl_id.id, "partner_id": self.vendor.id,
            "company_id": other_company.id, "price": 300.0})
        self.assertFalse(self._post_costs())

    def test_no_supplier_claim_after_vendor_warranty(self):
        self.claim.claim_date = fields.Date.today() + timedelta(days=400)
        self.assertFalse(self._post_costs())

    def test_no_supplier_claim_without_term(self):
        self.term.unlink()
        self.assertFalse(self._post_costs())

    def test_credit_note_fully_recovers(self):
        supplier_claim = self._post_costs()
        self._vendor_refund(52.05, ref=supplier_claim.name)
        self.assertEqual(supplier_claim.state, "recovered")
        self.assertAlmostEqual(supplier_claim.recovered_amount, 52.05, places=2)

    def test_credit_note_partially_recovers(self):
        supplier_claim = self._post_costs()
        self._vendor_refund(20.0, ref=supplier_claim.name)
        self.assertEqual(supplier_claim.state, "partial")
        self.assertAlmostEqual(supplier_claim.residual_amount, 32.05, places=2)

    def test_unrelated_credit_note_not_matched(self):
        supplier_claim = self._post_costs()
        refund = self._vendor_refund(10.0, ref="Price difference")
        self.assertFalse(refund.warranty_supplier_claim_id)
        self.assertEqual(supplier_claim.state, "expected")

    def test_draft_credit_note_does_not_count(self):
        supplier_claim = self._post_costs()
        self._vendor_refund(52.05, ref=supplier_claim.name, post=False)
        self.assertEqual(supplier_claim.state, "expected")

    def test_credit_note_created_from_supplier_claim(self):
        supplier_claim = self._post_costs()
        action = supplier_claim.with_user(self.warranty_manager).action_create_vendor_refund()
        refund = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((refund.move_type, refund.partner_id), ("in_refund", self.vendor))
        self.assertAlmostEqual(refund.amount_untaxed, 52.05, places=2)
        refund.action_post()
        self.assertEqual(supplier_claim.state, "recovered")

    def test_warranty_user_cannot_change_expected_amount(self):
        supplier_claim = self._post_costs()
        with self.assertRaises(AccessError):
            supplier_claim.with_user(self.warranty_user).expected_amount = 1000.0
