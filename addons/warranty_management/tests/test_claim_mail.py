from odoo.tests import tagged

from .common import WarrantyCommon

INCOMING = """Return-Path: <{email_from}>
From: {email_from}
To: {to}
Subject: {subject}
Message-ID: <{msg_id}@customer.example.com>
Content-Type: text/plain; charset=utf-8

{body}
"""


@tagged("post_install", "-at_install")
class TestClaimMail(WarrantyCommon):
    """Claims opened by an e-mail to the warranty alias."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias = cls.env.ref("warranty_management.mail_alias_warranty_claim")
        if not cls.alias.alias_domain_id:
            cls.alias.alias_domain_id = cls.env["mail.alias.domain"].create({"name": "warranty-test.example.com"})
        cls.business.email = "Service Desk <Service@BarCentrale.example.com>"
        cls.lot = cls._make_serials(cls.serial_product, ["CT-ML-001"])
        cls.registration = cls._register(cls.business, cls.serial_product, cls.lot)
        cls.other_lot = cls._make_serials(cls.serial_product, ["CT-ML-OTHER"])
        cls._register(cls.other_customer, cls.serial_product, cls.other_lot)

    def _receive(self, email_from, subject, body, msg_id="claim-1"):
        raw = INCOMING.format(email_from=email_from, to=self.alias.alias_full_name, subject=subject, body=body,
                              msg_id=msg_id)
        # the mail gateway runs as superuser, like the fetchmail cron
        self.env["mail.thread"].sudo().message_process(False, raw)
        return self.env["warranty.claim"].search([("source", "=", "email")], order="id desc", limit=1)

    def test_alias_created_at_install(self):
        self.assertEqual(self.alias.alias_name, "warranty")
        self.assertEqual(self.alias.alias_model_id.model, "warranty.claim")

    def test_email_opens_claim_for_known_customer_and_serial(self):
        claim = self._receive("service@barcentrale.example.com", "Machine broken",
                              "Hello, our machine with serial CT-ML-001, bought last year, leaks water.")
        self.assertTrue(claim)
        self.assertTrue(claim.name.startswith("WC/"))
        self.assertEqual(claim.partner_id, self.business)
        self.assertEqual(claim.lot_id, self.lot)
        self.assertEqual(claim.registration_id, self.registration)
        self.assertTrue(claim.covered)
        self.assertIn("leaks water", claim.description)
        reply = claim.message_ids.filtered(lambda m: m.subject == f"Your warranty claim {claim.name}")
        self.assertTrue(reply, "The sender gets the claim reference back")
        self.assertIn(self.business, reply.partner_ids)
        self.assertIn(claim.name, reply.body)

    def test_serial_in_subject_found(self):
        claim = self._receive("service@barcentrale.example.com", "Warranty request CT-ML-001.", "See subject.")
        self.assertEqual(claim.lot_id, self.lot)

    def test_serial_of_another_customer_ignored(self):
        claim = self._receive("service@barcentrale.example.com", "Broken", "Serial CT-ML-OTHER", msg_id="claim-2")
        self.assertEqual(claim.partner_id, self.business)
        self.assertFalse(claim.lot_id)
        self.assertFalse(claim.covered)

    def test_unknown_sender_becomes_customer(self):
        claim = self._receive("New Person <new.person@unknown.example.com>", "Help", "No serial", msg_id="claim-3")
        self.assertEqual(claim.partner_id.email_normalized, "new.person@unknown.example.com")
        self.assertEqual(claim.partner_id.name, "New Person")

    def test_partner_match_is_a_seam(self):
        self.assertEqual(self.env["warranty.claim"]._find_claim_partner("SERVICE@barcentrale.example.com"),
                         self.business)
        self.assertFalse(self.env["warranty.claim"]._find_claim_partner("not an email"))
        self.assertEqual(
            self.env["warranty.claim"]._find_claim_registration(self.business, "about CT-ML-001, thanks"),
            self.registration)
