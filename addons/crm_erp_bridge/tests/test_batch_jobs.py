"""Fault injection in the scheduled jobs (issue 9): one failing record never stops a job.

Each test makes one record fail (a monkeypatched method raising for it), runs the cron and
checks that the others were processed, that nothing was written for the failing one and that
the failure was reported (server log line and a to-do activity on the document).
"""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common_followup import CrmErpBridgeFollowupCommon


class InjectedFailure(Exception):
    pass


@tagged("post_install", "-at_install")
class TestBatchJobFaults(CrmErpBridgeFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Bridge Customer B", "is_company": True, "email": "b@example.com"}
        )

    def _patch_failing(self, model, method, failing, before=True):
        """Make ``model.method`` raise for the ``failing`` record: before doing anything, or after
        having done its work (``before=False``, so that a rollback must undo it)."""
        cls = self.env.registry[model]
        original = getattr(cls, method)

        def wrapper(records, *args, **kwargs):
            if before and failing.id in records.ids:
                raise InjectedFailure("injected failure")
            result = original(records, *args, **kwargs)
            if not before and failing.id in records.ids:
                raise InjectedFailure("injected failure")
            return result

        return patch.object(cls, method, wrapper)

    def _failure_reports(self, record):
        return record.activity_ids.filtered(lambda a: a.summary and a.summary.startswith("Scheduled job failed"))

    # ------------------------------------------------------------------
    def test_followup_cron_isolates_failing_quotation(self):
        failing = self._sent_quotation(days_ago=4)
        other = self._sent_quotation(days_ago=4, partner=self.customer_b)
        with (
            self._patch_failing("sale.order", "message_post_with_source", failing, before=False),
            self.assertLogs("odoo.addons.crm_erp_bridge.models.crm_erp_batch_job", "ERROR") as logs,
        ):
            self.env["sale.order"]._cron_bridge_followup()
        self.assertIn(f"{failing._name},{failing.id}", "\n".join(logs.output))
        self.assertEqual(self._followup_logs(other).mapped("mail_sent"), [True])
        failed_log = self._followup_logs(failing)
        self.assertEqual(failed_log.skipped_reason, "error")
        self.assertFalse(failed_log.mail_sent)
        self.assertFalse(failing.message_ids.filtered(lambda m: m.subject and m.subject.startswith("Follow-up")))
        self.assertEqual(len(self._failure_reports(failing)), 1)
        # logged as failed: not retried (and re-reported) by the next run
        self.env["sale.order"]._cron_bridge_followup()
        self.assertEqual(len(self._followup_logs(failing)), 1)

    def test_dunning_cron_isolates_failing_invoice(self):
        self.env["crm.erp.dunning.level"].search([("company_id", "=", self.company.id)]).action_archive()
        self.env["crm.erp.dunning.level"].create(
            {"name": "Reminder 1", "days_overdue": 7, "mail_template_id": self.invoice_template.id}
        )
        failing = self._create_overdue_invoice(days=10)
        other = self._create_overdue_invoice(partner=self.customer_b, days=10)
        Statement = self.env.registry["crm.erp.dunning.statement"]
        original = Statement._send_statement_email

        def send_failing(statements):
            # fails after the emails were posted: the rollback must undo the failing customer's statement
            original(statements)
            if failing in statements.move_ids:
                raise InjectedFailure("injected failure")

        with (
            patch.object(Statement, "_send_statement_email", send_failing),
            self.assertLogs("odoo.addons.crm_erp_bridge.models.crm_erp_batch_job", "ERROR"),
        ):
            self.env["account.move"]._cron_bridge_dunning()
        self.assertTrue(other.bridge_dunning_level_id)
        self.assertEqual(other.bridge_dunning_log_ids.statement_id.mail_sent, True)
        self.assertFalse(failing.bridge_dunning_level_id)
        self.assertFalse(failing.bridge_dunning_statement_ids)
        self.assertEqual(failing.bridge_dunning_log_ids.skipped_reason, "error")
        self.assertEqual(len(self._failure_reports(failing)), 1)

    def test_after_sale_cron_isolates_failing_order(self):
        self.company.bridge_checkin_trigger = "delivery"
        failing = self._create_order()
        other = self._create_order(partner=self.customer_b)
        (failing | other).action_confirm()
        (failing | other).order_line.qty_delivered = 1
        # fails after the check-in activity was scheduled: it must be rolled back
        with (
            self._patch_failing("sale.order", "_bridge_schedule_checkin_one", failing, before=False),
            self.assertLogs("odoo.addons.crm_erp_bridge.models.crm_erp_batch_job", "ERROR"),
        ):
            self.env["sale.order"]._cron_bridge_after_sale_checkin()
        self.assertTrue(other.bridge_checkin_scheduled)
        self.assertFalse(failing.bridge_checkin_scheduled)
        self.assertEqual(
            failing.activity_ids.mapped("summary"), self._failure_reports(failing).mapped("summary"),
            "only the failure report, no half-written check-in",
        )
        self.assertEqual(len(self._failure_reports(failing)), 1)
        # retried on the next run once the cause is gone
        self.env["sale.order"]._cron_bridge_after_sale_checkin()
        self.assertTrue(failing.bridge_checkin_scheduled)

    def test_dormant_cron_isolates_failing_customer(self):
        self.company.write({"bridge_dormant_factor": 2.0, "bridge_dormant_min_orders": 3})
        for partner in (self.customer, self.customer_b):
            for days in (100, 90, 80):
                order = self._create_order(partner=partner)
                order.action_confirm()
                order.date_order = fields.Datetime.now() - timedelta(days=days)
        Lead = self.env["crm.lead"]
        original = type(Lead)._bridge_prepare_reactivation_values

        def failing_values(self_, partner, *args):
            if partner == self.customer:
                raise InjectedFailure("injected failure")
            return original(self_, partner, *args)

        with (
            patch.object(type(Lead), "_bridge_prepare_reactivation_values", failing_values),
            self.assertLogs("odoo.addons.crm_erp_bridge.models.crm_erp_batch_job", "ERROR"),
        ):
            Lead._cron_bridge_dormant_customers()
        reactivations = Lead.search([("bridge_is_reactivation", "=", True)])
        self.assertIn(self.customer_b, reactivations.partner_id)
        self.assertNotIn(self.customer, reactivations.partner_id)
        self.assertEqual(len(self._failure_reports(self.customer)), 1)

    def test_delivery_cron_isolates_failing_order(self):
        self.company.write({"bridge_delivery_confirm_mode": "before_commitment", "bridge_delivery_confirm_days": 7})
        failing = self._create_order(commitment_date=fields.Datetime.now() + timedelta(days=3))
        other = self._create_order(partner=self.customer_b, commitment_date=fields.Datetime.now() + timedelta(days=3))
        (failing | other).action_confirm()
        with (
            self._patch_failing("sale.order", "message_post_with_source", failing, before=False),
            self.assertLogs("odoo.addons.crm_erp_bridge.models.crm_erp_batch_job", "ERROR"),
        ):
            self.env["sale.order"]._cron_bridge_delivery_confirmation()
        self.assertEqual(other.bridge_delivery_state, "requested")
        self.assertFalse(failing.bridge_delivery_state)
        self.assertFalse(failing.message_ids.filtered(lambda m: "please confirm the delivery" in (m.subject or "")))
        self.assertEqual(len(self._failure_reports(failing)), 1)


@tagged("post_install", "-at_install")
class TestDeliveryConfirmationCronChunks(CrmErpBridgeFollowupCommon):
    def test_oldest_due_orders_first_and_all_eventually(self):
        """More due orders than the chunk: the oldest commitments go first, all are asked in the end."""
        self.company.write({"bridge_delivery_confirm_mode": "before_commitment", "bridge_delivery_confirm_days": 7})
        now = fields.Datetime.now()
        orders = self.env["sale.order"]
        for days in (6, 2, 5, 1, 4):
            orders |= self._create_order(commitment_date=now + timedelta(days=days))
        not_due = self._create_order(commitment_date=now + timedelta(days=30))
        (orders | not_due).action_confirm()
        by_commitment = orders.sorted("commitment_date")
        progress = []
        with patch.object(
            type(self.env["ir.cron"]), "_notify_progress",
            lambda self_, done, remaining, deactivate=False: progress.append((done, remaining)),
        ):
            self.env["sale.order"]._cron_bridge_delivery_confirmation(batch_size=2)
            self.assertEqual(by_commitment.mapped("bridge_delivery_state"), ["requested"] * 2 + [False] * 3)
            self.env["sale.order"]._cron_bridge_delivery_confirmation(batch_size=2)
            self.env["sale.order"]._cron_bridge_delivery_confirmation(batch_size=2)
        self.assertEqual(set(orders.mapped("bridge_delivery_state")), {"requested"})
        self.assertFalse(not_due.bridge_delivery_state)
        # remaining is what is still due after each chunk
        self.assertEqual(progress, [(2, 3), (2, 1), (1, 0)])
