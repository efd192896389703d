import io
from unittest.mock import patch

from odoo.tests import tagged

from ..cli.dedupe import Dedupe, ScanBusyError
from ..models.customer_scan_job import SCAN_LOCK_NAMESPACE
from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestDedupeCliLock(CustomerUnificationMatchCase):
    """The dedupe command neither races the scan cron nor another running scan."""

    def _lock_free_elsewhere(self, job_id):
        """Whether another database session could take the job's lock now."""
        with self.registry.cursor() as cr:
            cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [SCAN_LOCK_NAMESPACE, job_id])
            return cr.fetchone()[0]

    def test_command_refuses_while_another_scan_runs(self):
        running = self.env["customer.scan.job"].create({"mode": "incremental"})
        running.action_start()
        jobs_before = self.env["customer.scan.job"].search_count([])
        with self.assertRaisesRegex(ScanBusyError, f"scan {running.id} .* is running"):
            Dedupe.dedupe(self.env, io.StringIO())
        self.assertEqual(self.env["customer.scan.job"].search_count([]), jobs_before)

    def test_command_holds_its_scan_against_the_cron_for_the_whole_run(self):
        seen = []
        Job = self.registry["customer.scan.job"]
        original = Job._process_chunk

        def spying_chunk(job):
            seen.append(self._lock_free_elsewhere(job.id))
            return original(job)

        with patch.object(Job, "_process_chunk", spying_chunk):
            Dedupe.dedupe(self.env, io.StringIO())
        job = self.env["customer.scan.job"].search([], order="id desc", limit=1)
        self.assertEqual(job.state, "done")
        self.assertTrue(seen)
        self.assertFalse(any(seen), "another session could take the scan while the command ran")
        # the chunks' transaction-level locks end with the transaction; the command's own lock is gone
        self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", [SCAN_LOCK_NAMESPACE, job.id])
        self.assertFalse(self.env.cr.fetchone()[0], "the command must release its session lock")
