from contextlib import closing
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from ..models.customer_scan_job import SCAN_LOCK_NAMESPACE

# committed test rows must not be posted on nor subscribed to
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}


@tagged("post_install", "-at_install")
class TestScanConcurrency(TransactionCase):
    """Real parallel transactions (separate database sessions) on one committed scan job."""

    def setUp(self):
        super().setUp()
        self._envs = []
        # chunks only move the job's cursor here: no pair is committed by these tests
        patcher = patch.object(self.registry["customer.scan.job"], "_scan_partners", lambda job, ids: 0)
        patcher.start()
        self.addCleanup(patcher.stop)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, QUIET)
            cr.execute("SELECT count(*) FROM res_partner WHERE active AND cu_name_key IS NOT NULL")
            total = cr.fetchone()[0]
            self.assertGreaterEqual(total, 2, "the database needs two partners to scan")
            job = env["customer.scan.job"].create({"mode": "full", "chunk_size": 1})
            job.write({"state": "running", "total_count": total})
            self.job_id = job.id
        self.addCleanup(self._delete_job)

    def _delete_job(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM customer_scan_job WHERE id = %s", [self.job_id])
            cr.execute("DELETE FROM mail_message WHERE model = 'customer.scan.job' AND res_id = %s", [self.job_id])
            cr.execute("DELETE FROM mail_followers WHERE res_model = 'customer.scan.job' AND res_id = %s",
                       [self.job_id])

    def _job(self, cr):
        # keep the environment referenced: a transaction flushes through its (weakly held) environments
        env = api.Environment(cr, SUPERUSER_ID, QUIET)
        self._envs.append(env)
        return env["customer.scan.job"].browse(self.job_id)

    def test_two_workers_never_scan_the_same_chunk(self):
        with closing(self.registry.cursor()) as cr1, closing(self.registry.cursor()) as cr2:
            worker1, worker2 = self._job(cr1), self._job(cr2)
            self.assertEqual(worker1._process_chunk(), 1)
            first_cursor = worker1.cursor_id
            # the first worker has not committed: the second one skips the job
            self.assertIsNone(worker2._process_chunk())
            cr1.commit()
            # the second transaction began before that commit: its view of the job is stale, it skips again
            self.assertIsNone(worker2._process_chunk())
            cr2.rollback()
            self.assertEqual(worker2._process_chunk(), 1)
            self.assertGreater(worker2.cursor_id, first_cursor)
            cr2.commit()
        with closing(self.registry.cursor()) as cr:
            self.assertEqual(self._job(cr).processed_count, 2)

    def test_cron_skips_a_scan_held_by_the_dedupe_command(self):
        with closing(self.registry.cursor()) as command_cr, closing(self.registry.cursor()) as cron_cr:
            command_cr.execute("SELECT pg_advisory_lock(%s, %s)", [SCAN_LOCK_NAMESPACE, self.job_id])
            try:
                job = self._job(cron_cr)
                job.env["customer.scan.job"]._cron_process_scans()
                self.assertEqual(job.processed_count, 0)
                cron_cr.rollback()
            finally:
                command_cr.execute("SELECT pg_advisory_unlock(%s, %s)", [SCAN_LOCK_NAMESPACE, self.job_id])
                command_cr.rollback()
        with closing(self.registry.cursor()) as cron_cr:
            job = self._job(cron_cr)
            job.env["customer.scan.job"]._cron_process_scans()
            self.assertEqual(job.processed_count, 1)
            cron_cr.rollback()
