from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestClaimRefundLimits(WarrantyCommon):
    """A refund never exceeds the units sold and covered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.start_trigger = "order"
        cls.order = cls._sell(cls.business, cls.plain_product, 3)
        cls.registration = cls.env["warranty.registration"].search([("sale_order_id", "=", cls.order.id)])

    def _approved_claim(self, quantity, **vals):
        claim = self.env["warranty.claim"].with_user(self.warranty_user).create({
            "partner_id": self.business.id, "product_id": self.plain_product.id, "quantity": quantity,
            "claim_date": date.today(), **vals,
        })
        claim.action_review()
        claim.action_approve()
        return claim

    def test_refund_of_units_sold(self):
        claim = self._approved_claim(3)
        self.assertEqual(claim.registration_id, self.registration)
        claim.action_create_refund()
        refund = claim.sudo().refund_move_id
        self.assertEqual(refund.invoice_line_ids.quantity, 3.0)
        self.assertEqual(refund.amount_untaxed, 3 * self.order.order_line.price_unit)

    def test_refund_beyond_units_sold_refused(self):
        claim = self._approved_claim(4)
        with self.assertRaisesRegex(ValidationError, "covers 3.0 unit"):
            claim.action_create_refund()
        self.assertFalse(claim.refund_move_id)
        self.assertEqual(claim.state, "approved")

    def test_refunds_of_several_claims_add_up(self):
        self._approved_claim(2).action_create_refund()
        second = self._approved_claim(2)
        with self.assertRaisesRegex(ValidationError, "2.0 of which are refunded already"):
            second.action_create_refund()
        self._approved_claim(1).action_create_refund()

    def test_refund_of_claim_not_covered_refused(self):
        claim = self._approved_claim(1, claim_date=date(2010, 1, 1))
        claim.covered = False
        with self.assertRaisesRegex(ValidationError, "not under warranty"):
            claim.action_create_refund()


@tagged("post_install", "-at_install")
class TestCertificateInForceOnly(WarrantyCommon):

    def _print(self, registration):
        return self.env["ir.actions.report"].with_user(self.warranty_user)._render_qweb_html(
            "warranty_management.warranty_certificate_report_action", registration.ids)

    def test_certificate_of_closed_registration_refused(self):
        registration = self._register(self.business, self.plain_product, start=date(2025, 1, 10))
        registration.action_close()
        with self.assertRaisesRegex(UserError, "no longer in force"):
            self._print(registration)

    def test_certificate_of_expired_or_transferred_registration_refused(self):
        for state in ("expired", "transferred"):
            registration = self._register(self.business, self.plain_product, start=date(2025, 1, 10))
            registration.state = state
            with self.assertRaisesRegex(UserError, "no longer in force"):
                self._print(registration)

    def test_certificate_of_active_registration_printed(self):
        registration = self._register(self.business, self.plain_product, start=date(2025, 1, 10))
        html, __ = self._print(registration)
        self.assertIn(registration.name, html.decode())
