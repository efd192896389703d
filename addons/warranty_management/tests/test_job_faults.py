"""Fault injection: a failing record is isolated, reported, and the others are processed."""
from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import WarrantyCommon
from .common_costs import WarrantyCostCommon

JOB_LOGGER = "odoo.addons.crm_erp_bridge.models.crm_erp_batch_job"  # the suite's batch job engine


def fail_for(records, original, message="Injected failure"):
    """Wrap ``original`` (a model method) to fail when called on one of ``records``, after doing its work."""
    def wrapper(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if self & records:
            self.env.flush_all()  # the work is in the database when the failure strikes
            raise UserError(message)
        return result
    return wrapper


@tagged("post_install", "-at_install")
class TestRegistrationJobFaults(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = cls.env["warranty.registration"]
        cls.registry_class = type(cls.model)
        cls.today = fields.Date.context_today(cls.model)

    def _expired_registrations(self, count):
        registrations = self.model
        for __ in range(count):
            registration = self._register(self.business, self.plain_product, start=self.today - relativedelta(years=3))
            registration.base_end_date = self.today - timedelta(days=1)
            registrations |= registration
        return registrations

    def test_expiry_goes_on_past_a_failing_registration(self):
        good_1, bad, good_2 = self._expired_registrations(3)
        original = self.registry_class.write
        with patch.object(self.registry_class, "write", fail_for(bad, original)), \
                self.assertLogs(JOB_LOGGER, "WARNING") as logs:
            done, remaining = self.model._cron_expire_and_renew()
        self.assertEqual((good_1.state, good_2.state), ("expired", "expired"))
        self.assertEqual(bad.state, "active", "the failing registration is rolled back, not half-written")
        self.assertEqual(bad.job_error_date, self.today)
        self.assertIn("Injected failure", bad.job_error)
        self.assertIn(f"warranty.registration,{bad.id}", logs.output[0])
        self.assertIn("Injected failure", bad.message_ids[0].body)
        self.assertEqual(remaining, 0, "the failing registration waits for tomorrow: the run ends")
        self.assertGreaterEqual(done, 2)

    def test_failed_registration_is_retried_the_next_day(self):
        bad = self._expired_registrations(1)
        bad.job_error_date = self.today - timedelta(days=1)
        self.model._cron_expire_and_renew()
        self.assertEqual(bad.state, "expired")

    def test_renewal_goes_on_past_a_failing_registration(self):
        registrations = self.model
        for __ in range(3):
            registration = self._register(self.business, self.plain_product, start=self.today - relativedelta(years=1))
            registration.base_end_date = self.today + timedelta(days=10)
            registrations |= registration
        good_1, bad, good_2 = registrations
        original = self.registry_class._create_renewal_leads
        with patch.object(self.registry_class, "_create_renewal_leads", fail_for(bad, original)), \
                self.assertLogs(JOB_LOGGER, "WARNING"):
            self.model._cron_expire_and_renew()
        self.assertTrue(good_1.renewal_lead_id and good_2.renewal_lead_id)
        self.assertFalse(bad.renewal_lead_id)
        self.assertFalse(self.env["crm.lead"].search([("name", "ilike", bad.name)]), "no orphan opportunity")
        self.assertEqual(bad.job_error_date, self.today)


@tagged("post_install", "-at_install")
class TestProvisionReleaseFaults(WarrantyCostCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = cls.env["warranty.provision"]
        cls.registry_class = type(cls.model)
        cls.yesterday = fields.Date.today() - timedelta(days=1)

    def _expired_provisions(self, count):
        provisions = self.model
        for __ in range(count):
            invoice = self._post_invoice(self.unit_product, 1, 1000.0)
            provisions |= self.model.search([("invoice_id", "=", invoice.id)])
        provisions.date_expiry = self.yesterday
        return provisions

    def test_release_goes_on_past_a_failing_provision(self):
        good_1, bad, good_2 = self._expired_provisions(3)
        moves_before = self.env["account.move"].search_count([])
        original = self.registry_class._release
        with patch.object(self.registry_class, "_release", fail_for(bad, original)), \
                self.assertLogs(JOB_LOGGER, "WARNING"):
            self.model._cron_release_expired()
        self.assertEqual((good_1.state, good_2.state), ("released", "released"))
        self.assertEqual((good_1.amount_released, good_2.amount_released), (50.0, 50.0))
        self.assertEqual(bad.state, "open")
        self.assertFalse(bad.line_ids.filtered(lambda line: line.kind == "release"), "nothing half-written")
        self.assertEqual(self.env["account.move"].search_count([]), moves_before + 2,
                         "one release entry per provision released, none for the failing one")
        self.assertIn("Injected failure", bad.invoice_id.message_ids[0].body)

    def test_release_progress_counts_what_remains(self):
        postponed, released, waiting = self._expired_provisions(3)
        self.env["warranty.registration"].create({
            "partner_id": self.customer.id, "product_id": self.unit_product.id,
            "start_date": fields.Date.today(), "invoice_line_id": postponed.invoice_line_id.id,
        })
        progress = {}
        with patch.object(type(self.env["ir.cron"]), "_notify_progress",
                          lambda self, done, remaining, deactivate=False: progress.update(
                              done=done, remaining=remaining)):
            self.model._cron_release_expired(batch_size=2)
        self.assertEqual((postponed.state, released.state, waiting.state), ("open", "released", "open"))
        self.assertEqual(progress, {"done": 2, "remaining": 1})


@tagged("post_install", "-at_install")
class TestCostPostingFaults(WarrantyCostCommon):

    def _assert_nothing_posted(self):
        lines = self.claim.cost_line_ids
        self.assertEqual(set(lines.mapped("state")), {"draft"})
        self.assertFalse(lines.move_id)
        self.assertFalse(lines.invoice_line_id)
        self.assertFalse(any(lines.mapped("provision_used_amount")))
        self.assertFalse(self.env["account.move"].search([("warranty_claim_id", "=", self.claim.id)]))
        self.assertFalse(self.env["warranty.provision.line"].search([("cost_line_id", "in", lines.ids)]))

    def test_failure_after_entry_leaves_nothing(self):
        self._post_invoice(self.unit_product, 1, 1000.0)  # a provision the posting draws from
        self._add_costs()
        supplier_claim_class = type(self.env["warranty.supplier.claim"])
        with patch.object(supplier_claim_class, "_record_expected_recovery",
                          side_effect=UserError("Injected failure")), \
                self.assertRaisesRegex(UserError, "Injected failure"):
            self.claim.with_user(self.warranty_manager).action_post_costs()
        self._assert_nothing_posted()

    def test_failure_while_invoicing_leaves_nothing(self):
        self._add_costs()
        claim_class = type(self.env["warranty.claim"])
        with patch.object(claim_class, "_create_chargeable_invoice", side_effect=UserError("Injected failure")), \
                self.assertRaisesRegex(UserError, "Injected failure"):
            self.claim.with_user(self.warranty_manager).action_post_costs()
        self._assert_nothing_posted()

    def test_posting_after_a_failure_works(self):
        self._add_costs()
        claim_class = type(self.env["warranty.claim"])
        with patch.object(claim_class, "_create_chargeable_invoice", side_effect=UserError("Injected failure")), \
                self.assertRaises(UserError):
            self.claim.with_user(self.warranty_manager).action_post_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.assertEqual(set(self.claim.cost_line_ids.mapped("state")), {"posted"})
        self.assertEqual(len(self.claim.cost_line_ids.move_id), 1)
