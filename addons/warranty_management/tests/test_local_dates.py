from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestLocalDates(WarrantyCommon):
    """A warranty's dates are the acting user's calendar days, not UTC's.

    The user's time zone is chosen so that, at the hour the test runs, the user's date differs
    from the UTC date (Kiritimati is UTC+14, Pago Pago UTC-11): a date taken from a UTC
    timestamp without conversion shows up at any hour, not only around midnight.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        utc_now = fields.Datetime.now()
        cls.env.user.tz = "Pacific/Kiritimati" if utc_now.hour >= 10 else "Pacific/Pago_Pago"
        cls.local_today = fields.Date.context_today(cls.env.user)
        cls.utc_today = utc_now.date()

    def setUp(self):
        super().setUp()
        # what every test below proves depends on it
        self.assertNotEqual(self.local_today, self.utc_today)

    def _registrations(self, order):
        return self.env["warranty.registration"].search([("sale_order_id", "=", order.id)])

    def test_delivery_starts_the_warranty_on_the_users_day(self):
        lots = self._make_serials(self.serial_product, ["CT-TZ-001"])
        order = self._sell(self.business, self.serial_product, 1)
        self._deliver(order, lots)
        registration = self._registrations(order)
        self.assertEqual(registration.start_date, self.local_today)
        self.assertEqual(registration.end_date, self.local_today + relativedelta(years=1))

    def test_order_trigger_starts_on_the_orders_local_day(self):
        self.policy.start_trigger = "order"
        order = self._sell(self.business, self.plain_product, 2)
        registration = self._registrations(order)
        self.assertEqual(registration.start_date, fields.Date.context_today(order, order.date_order))
        self.assertEqual(registration.start_date, self.local_today)
        self.assertEqual(registration._get_sale_date(), self.local_today)

    def test_manual_registration_starts_today_for_the_user(self):
        registration = self.env["warranty.registration"].create({
            "partner_id": self.business.id, "product_id": self.plain_product.id})
        self.assertEqual(registration.start_date, self.local_today)

    def test_transfer_dated_today_for_a_warranty_started_today(self):
        lots = self._make_serials(self.serial_product, ["CT-TZ-002"])
        order = self._sell(self.business, self.serial_product, 1)
        self._deliver(order, lots)
        registration = self._registrations(order)
        new = registration._transfer_to(self.other_customer, self.local_today)
        self.assertEqual(new.partner_id, self.other_customer)
        self.assertEqual(new.start_date, self.local_today)
        self.assertEqual(registration.state, "transferred")

    def test_claim_deadlines_count_from_the_users_day(self):
        claim = self.env["warranty.claim"].create({
            "partner_id": self.business.id, "product_id": self.plain_product.id})
        self.assertEqual(claim.claim_date, self.local_today)
        self.assertEqual(claim.sla_review_deadline, self.local_today + relativedelta(days=2))
        self.assertEqual(claim.sla_deadline, self.local_today + relativedelta(days=10))
