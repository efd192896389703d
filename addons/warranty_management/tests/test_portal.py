from datetime import date

from odoo import fields, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, "wcore_portal", groups="base.group_portal", name="Core portal Maria",
            partner_id=cls.consumer.id)
        cls.lot = cls._make_serials(cls.serial_product, ["CT-PO-001"])
        cls.own = cls._register(cls.consumer, cls.serial_product, cls.lot, start=date(2025, 1, 10))
        cls.foreign = cls._register(cls.other_customer, cls.plain_product, start=date(2025, 1, 10))

    def test_portal_user_sees_only_own_registrations(self):
        visible = self.env["warranty.registration"].with_user(self.portal_user).search([])
        self.assertEqual(visible, self.own)

    def test_portal_user_cannot_read_other_customer_registration(self):
        with self.assertRaises(AccessError):
            self.foreign.with_user(self.portal_user).read(["name"])

    def test_portal_user_cannot_create_claim_directly(self):
        with self.assertRaises(AccessError):
            self.env["warranty.claim"].with_user(self.portal_user).create({
                "partner_id": self.consumer.id, "lot_id": self.lot.id})

    def test_portal_user_sees_only_own_claims(self):
        own_claim = self.env["warranty.claim"].create({"partner_id": self.consumer.id, "lot_id": self.lot.id})
        self.env["warranty.claim"].create({"partner_id": self.other_customer.id,
                                           "product_id": self.plain_product.id})
        visible = self.env["warranty.claim"].with_user(self.portal_user).search([])
        self.assertEqual(visible, own_claim)


@tagged("post_install", "-at_install")
class TestPortalPages(HttpCase, WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, "wcore_portal_http", password="wcore_portal_http", groups="base.group_portal",
            name="Core portal Bar", partner_id=cls.business.id)
        cls.lot = cls._make_serials(cls.serial_product, ["CT-PO-100"])
        cls.own = cls._register(cls.business, cls.serial_product, cls.lot, start=date(2025, 1, 10))
        cls.foreign = cls._register(cls.other_customer, cls.plain_product, start=date(2025, 1, 10))

    def test_portal_lists_own_warranties(self):
        self.authenticate("wcore_portal_http", "wcore_portal_http")
        response = self.url_open("/my/warranty")
        self.assertEqual(response.status_code, 200)
        self.assertIn("CT-PO-100", response.text)
        self.assertNotIn(self.foreign.name, response.text)

    def test_portal_user_opens_claim(self):
        self.authenticate("wcore_portal_http", "wcore_portal_http")
        response = self.url_open("/my/warranty/claims/new", data={
            "registration_id": self.own.id,
            "description": "The pump makes noise",
            "claim_date": "2025-06-01",
            "csrf_token": http.Request.csrf_token(self),
        })
        self.assertEqual(response.status_code, 200)
        claim = self.env["warranty.claim"].search([("lot_id", "=", self.lot.id)])
        self.assertEqual(claim.source, "portal")
        self.assertEqual(claim.partner_id, self.business)
        self.assertTrue(claim.covered)
        self.assertIn(f"/my/warranty/claims/{claim.id}", response.url)

    def test_portal_user_cannot_claim_for_other_customer_unit(self):
        self.authenticate("wcore_portal_http", "wcore_portal_http")
        response = self.url_open("/my/warranty/claims/new", data={
            "registration_id": self.foreign.id,
            "description": "Not mine",
            "csrf_token": http.Request.csrf_token(self),
        })
        self.assertIn("Choose one of your registered products", response.text)
        self.assertFalse(self.env["warranty.claim"].search([("partner_id", "=", self.business.id)]))

    def test_portal_user_cannot_open_other_customer_claim(self):
        claim = self.env["warranty.claim"].create({
            "partner_id": self.other_customer.id, "product_id": self.plain_product.id})
        self.authenticate("wcore_portal_http", "wcore_portal_http")
        response = self.url_open(f"/my/warranty/claims/{claim.id}")
        self.assertNotIn(claim.name, response.text)


@tagged("post_install", "-at_install")
class TestPortalSelfRegistration(HttpCase, WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.start_trigger = "registration"
        cls.portal_user = new_test_user(
            cls.env, "wcore_portal_reg", password="wcore_portal_reg", groups="base.group_portal",
            name="Core portal registrant", partner_id=cls.business.id)
        cls.lots = cls._make_serials(cls.serial_product, ["CT-PR-001", "CT-PR-002"])
        cls.order = cls._sell(cls.business, cls.serial_product, 1)
        cls._deliver(cls.order, cls.lots[0])

    def _post_serial(self, serial):
        self.authenticate("wcore_portal_reg", "wcore_portal_reg")
        return self.url_open("/my/warranty/register", data={
            "serial": serial, "csrf_token": http.Request.csrf_token(self)})

    def test_customer_registers_delivered_serial(self):
        self._post_serial("CT-PR-001")
        registration = self.env["warranty.registration"].search([("lot_id", "=", self.lots[0].id)])
        self.assertEqual(registration.partner_id, self.business)
        self.assertEqual(registration.sale_order_id, self.order)
        self.assertEqual(registration.start_date, fields.Date.context_today(registration.with_user(self.portal_user)))

    def test_customer_cannot_register_serial_not_delivered_to_them(self):
        response = self._post_serial("CT-PR-002")
        self.assertIn("was not delivered to you", response.text)
        self.assertFalse(self.env["warranty.registration"].search([("lot_id", "=", self.lots[1].id)]))
