from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestRenewalCron(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(cls.env, "wcore_sales", groups="sales_team.group_sale_salesman",
                                        name="Core test salesperson")
        cls.business.user_id = cls.salesperson
        cls.today = fields.Date.context_today(cls.env["warranty.registration"])
        cls.model = cls.env["warranty.registration"]

    def _registration_ending_in(self, days, **vals):
        registration = self._register(self.business, self.plain_product, start=self.today - relativedelta(years=1),
                                      **vals)
        registration.base_end_date = self.today + relativedelta(days=days)
        return registration

    def _run_cron_until_done(self):
        for __ in range(100):
            __, remaining = self.model._cron_expire_and_renew()
            if not remaining:
                return
        self.fail("The cron never finished")

    def test_renewal_opportunity_for_salesperson(self):
        registration = self._registration_ending_in(10)
        self._run_cron_until_done()
        lead = registration.renewal_lead_id
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.user_id, self.salesperson)
        self.assertEqual(lead.partner_id, self.business)

    def test_renewal_opportunity_created_once(self):
        registration = self._registration_ending_in(10)
        self._run_cron_until_done()
        self._run_cron_until_done()
        leads = self.env["crm.lead"].search([("name", "ilike", registration.name)])
        self.assertEqual(len(leads), 1)

    def test_no_renewal_outside_window(self):
        registration = self._registration_ending_in(45)
        self._run_cron_until_done()
        self.assertFalse(registration.renewal_lead_id)

    def test_no_renewal_when_policy_disables_it(self):
        self.policy.renewal_days_before = 0
        registration = self._registration_ending_in(10)
        self._run_cron_until_done()
        self.assertFalse(registration.renewal_lead_id)

    def test_expired_registrations_marked(self):
        registration = self._registration_ending_in(-1)
        self._run_cron_until_done()
        self.assertEqual(registration.state, "expired")
        self.assertFalse(registration.renewal_lead_id)

    def test_cron_works_in_chunks_and_resumes(self):
        registrations = self.model.browse()
        for __ in range(5):
            registrations |= self._registration_ending_in(-3)
        with patch.object(type(self.model), "_get_expiry_chunk_size", lambda self: 2):
            done, remaining = self.model._cron_expire_and_renew()
            self.assertEqual(done, 2)
            self.assertGreaterEqual(remaining, 3)
            self.assertEqual(registrations.mapped("state").count("expired"), 2)
            self._run_cron_until_done()
        self.assertEqual(set(registrations.mapped("state")), {"expired"})

    def test_renewal_product_price_in_expected_revenue(self):
        extension = self.env["product.product"].create({
            "name": "Core test renewal +1 year", "type": "service", "list_price": 49.0,
            "warranty_extension": True, "warranty_extension_months": 12})
        self.policy.renewal_product_id = extension
        registration = self._registration_ending_in(5)
        self._run_cron_until_done()
        self.assertEqual(registration.renewal_lead_id.expected_revenue, 49.0)
        self.assertEqual(registration.renewal_lead_id.date_deadline, self.today + relativedelta(days=5))
