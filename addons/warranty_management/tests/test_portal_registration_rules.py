
from odoo import http
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestSelfRegistrationOnce(WarrantyCommon):
    """Only the current owner of a unit not delivered back may register it, and only once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.start_trigger = "registration"
        cls.model = cls.env["warranty.registration"]

    def _delivered(self, name, partner=None):
        lot = self._make_serials(self.serial_product, [name])
        order = self._sell(partner or self.business, self.serial_product, 1)
        picking = self._deliver(order, lot)
        return lot, picking

    def _register_serial(self, serial, partner=None):
        return self.model._register_serial_for_customer(serial, partner or self.business)

    def test_registers_once(self):
        self._delivered("CT-RR-001")
        registration = self._register_serial("CT-RR-001")
        self.assertEqual(registration.state, "active")
        with self.assertRaisesRegex(UserError, "already registered"):
            self._register_serial("CT-RR-001")

    def test_closed_registration_is_not_renewed(self):
        self._delivered("CT-RR-002")
        registration = self._register_serial("CT-RR-002")
        registration.action_close()
        with self.assertRaisesRegex(UserError, "already registered"):
            self._register_serial("CT-RR-002")
        self.assertEqual(self.model.search_count([("lot_id.name", "=", "CT-RR-002")]), 1)

    def test_expired_registration_is_not_renewed(self):
        self._delivered("CT-RR-003")
        registration = self._register_serial("CT-RR-003")
        registration.state = "expired"
        with self.assertRaisesRegex(UserError, "already registered"):
            self._register_serial("CT-RR-003")

    def test_previous_owner_cannot_register_transferred_unit(self):
        self._delivered("CT-RR-004")
        registration = self._register_serial("CT-RR-004")
        new = registration._transfer_to(self.other_customer, registration.start_date)
        new.state = "expired"
        with self.assertRaisesRegex(UserError, "already registered"):
            self._register_serial("CT-RR-004")
        self.assertEqual(self.model.search_count([("lot_id", "=", registration.lot_id.id)]), 2)

    def test_unit_returned_cannot_be_registered(self):
        lot, picking = self._delivered("CT-RR-005")
        wizard = self.env["stock.return.picking"].with_context(
            active_id=picking.id, active_model="stock.picking").create({})
        wizard.product_return_moves.quantity = 1.0
        return_picking = wizard._create_return()
        return_picking.move_ids.move_line_ids.lot_id = lot
        return_picking.move_ids.picked = True
        return_picking.button_validate()
        with self.assertRaisesRegex(UserError, "returned or passed to another customer"):
            self._register_serial("CT-RR-005")
        self.assertFalse(self.model.search([("lot_id", "=", lot.id)]))


@tagged("post_install", "-at_install")
class TestPortalRegistrationHostile(HttpCase, WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.start_trigger = "registration"
        cls.owner_user = new_test_user(
            cls.env, "wcore_rr_owner", password="wcore_rr_owner", groups="base.group_portal",
            name="Core portal owner", partner_id=cls.business.id)
        cls.hostile_user = new_test_user(
            cls.env, "wcore_rr_hostile", password="wcore_rr_hostile", groups="base.group_portal",
            name="Core portal hostile", partner_id=cls.other_customer.id)
        cls.lot = cls._make_serials(cls.serial_product, ["CT-RR-100"])
        cls._deliver(cls._sell(cls.business, cls.serial_product, 1), cls.lot)

    def _post_serial(self, login):
        self.authenticate(login, login)
        return self.url_open("/my/warranty/register", data={
            "serial": "CT-RR-100", "csrf_token": http.Request.csrf_token(self)})

    def test_other_customer_cannot_register_unit(self):
        response = self._post_serial("wcore_rr_hostile")
        self.assertIn("was not delivered to you", response.text)
        self.assertFalse(self.env["warranty.registration"].search([("lot_id", "=", self.lot.id)]))

    def test_owner_registers_then_closed_registration_stays_closed(self):
        self._post_serial("wcore_rr_owner")
        registration = self.env["warranty.registration"].search([("lot_id", "=", self.lot.id)])
        registration.action_close()
        response = self._post_serial("wcore_rr_owner")
        self.assertIn("already registered", response.text)
        self.assertEqual(self.env["warranty.registration"].search([("lot_id", "=", self.lot.id)]), registration)

    def test_certificate_of_closed_registration_not_served(self):
        self._post_serial("wcore_rr_owner")
        registration = self.env["warranty.registration"].search([("lot_id", "=", self.lot.id)])
        registration.action_close()
        response = self.url_open(f"/my/warranty/{registration.id}/certificate")
        self.assertEqual(response.status_code, 404)

    def test_certificate_of_other_customer_not_served(self):
        self._post_serial("wcore_rr_owner")
        registration = self.env["warranty.registration"].search([("lot_id", "=", self.lot.id)])
        self.authenticate("wcore_rr_hostile", "wcore_rr_hostile")
        response = self.url_open(f"/my/warranty/{registration.id}/certificate")
        self.assertEqual(response.status_code, 404)
