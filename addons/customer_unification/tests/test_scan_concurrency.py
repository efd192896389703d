from contextlib import closing
from unittest.mock import patch

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models.customer_scan_job import SCAN_LOCK_NAMESPACE

# committed test rows must not be posted on nor subscribed to
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}
MARKS = "customer_unification_test_scan_marks"


def _mark_scanned(job, partner_ids):
    """Stand-in for the real scan: one row per partner, written in the worker's transaction (so it
    is committed, or rolled back, exactly like the pairs a real partition stores)."""
    for partner_id in partner_ids:
        job.env.cr.execute(SQL("INSERT INTO %s (partner_id, job_id) VALUES (%s, %s)",
                               SQL.identifier(MARKS), partner_id, job.id))
    return 0


@tagged("post_install", "-at_install")
class TestScanConcurrency(TransactionCase):
    """Real parallel transactions (separate database sessions) on one committed, partitioned scan."""

    def setUp(self):
        super().setUp()
        self._envs = []
        patcher = patch.object(self.registry["customer.scan.job"], "_scan_partners", _mark_scanned)
        patcher.start()
        self.addCleanup(patcher.stop)
        with self.registry.cursor() as cr:
            cr.execute(SQL("CREATE TABLE IF NOT EXISTS %s (partner_id int, job_id int)", SQL.identifier(MARKS)))
            env = api.Environment(cr, SUPERUSER_ID, QUIET)
            job = env["customer.scan.job"].create({"mode": "full", "chunk_size": 3})
            job.write({"state": "running"})
            job.total_count = job._create_partitions()
            self.assertGreaterEqual(len(job.partition_ids), 3, "the database needs partners to scan")
            self.job_id = job.id
            cr.execute(SQL("SELECT array_agg(p.id ORDER BY p.id) FROM res_partner p WHERE %s", job._scope_sql(False)))
            self.scope = cr.fetchone()[0]
        self.addCleanup(self._delete_job)

    def _delete_job(self):
        with self.registry.cursor() as cr:
            cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(MARKS)))
            cr.execute("DELETE FROM customer_scan_job WHERE id = %s", [self.job_id])
            cr.execute("DELETE FROM mail_message WHERE model = 'customer.scan.job' AND res_id = %s", [self.job_id])
            cr.execute("DELETE FROM mail_followers WHERE res_model = 'customer.scan.job' AND res_id = %s",
                       [self.job_id])

    def _job(self, cr):
        # keep the environment referenced: a transaction flushes through its (weakly held) environments
        env = api.Environment(cr, SUPERUSER_ID, QUIET)
        self._envs.append(env)
        return env["customer.scan.job"].browse(self.job_id)

    def _marks(self):
        with closing(self.registry.cursor()) as cr:
            cr.execute(SQL("SELECT partner_id, count(*) FROM %s WHERE job_id = %s GROUP BY partner_id",
                           SQL.identifier(MARKS), self.job_id))
            return dict(cr.fetchall())

    def _run_alone(self):
        """One worker committing after every partition, until the scan is closed."""
        with closing(self.registry.cursor()) as worker_cr:
            job = self._job(worker_cr)
            for _step in range(len(self.scope) + 2):
                result = job._process_chunk()
                worker_cr.commit()
                job.invalidate_recordset()
                if job.state != "running":
                    return job.state
                self.assertIsNotNone(result, "a worker alone is never kept waiting")
        return "running"

    def test_two_workers_scan_different_partitions_at_once(self):
        with closing(self.registry.cursor()) as cr1, closing(self.registry.cursor()) as cr2:
            worker1, worker2 = self._job(cr1), self._job(cr2)
            self.assertEqual(worker1._process_chunk(), 3)
            # the first worker holds its partition (not committed): the second takes the next one
            self.assertEqual(worker2._process_chunk(), 3)
            cr1.commit()
            cr2.commit()
        marks = self._marks()
        self.assertEqual(sorted(marks), self.scope[:6])
        self.assertEqual(set(marks.values()), {1})

    def test_every_partner_scanned_once_and_scan_closed(self):
        with closing(self.registry.cursor()) as cr1:
            self.assertEqual(self._job(cr1)._process_chunk(), 3)
            cr1.commit()
        self.assertEqual(self._run_alone(), "done")
        marks = self._marks()
        self.assertEqual(sorted(marks), self.scope)
        self.assertEqual(set(marks.values()), {1})
        with closing(self.registry.cursor()) as cr:
            job = self._job(cr)
            self.assertEqual(job.processed_count, len(self.scope))
            self.assertEqual(job.partition_done_count, job.partition_count)
            self.assertEqual(job.progress, 100.0)

    def test_worker_killed_mid_partition_loses_and_duplicates_nothing(self):
        killed = self.registry.cursor()
        try:
            victim = self._job(killed)
            self.assertEqual(victim._process_chunk(), 3)  # scanned, not committed yet
            claimed = victim.partition_ids.filtered(lambda p: p.state == "done")
            self.assertEqual(len(claimed), 1)
            with closing(self.registry.cursor()) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [killed._cnx.get_backend_pid()])
                other.commit()
        finally:
            try:
                killed.close()
            except (psycopg2.Error, AttributeError):
                pass  # the connection is gone with its server process
        self.assertEqual(self._run_alone(), "done")
        marks = self._marks()
        self.assertEqual(sorted(marks), self.scope, "the killed worker's partition was scanned again")
        self.assertEqual(set(marks.values()), {1}, "nothing of the killed worker's work was kept twice")

    def test_cron_helps_the_dedupe_command_which_alone_closes_the_scan(self):
        with closing(self.registry.cursor()) as command_cr:
            command_cr.execute("SELECT pg_advisory_lock(%s, %s)", [SCAN_LOCK_NAMESPACE, self.job_id])
            try:
                with closing(self.registry.cursor()) as cron_cr:
                    env = self._job(cron_cr).env
                    for _step in range(len(self.scope) + 2):
                        env["customer.scan.job"]._cron_process_scans()
                        cron_cr.commit()
                    job = self._job(cron_cr)
                    self.assertEqual(job.processed_count, len(self.scope))
                    self.assertEqual(job.state, "running", "only the command closes its scan")
                command_cr.rollback()
                job = self._job(command_cr)
                self.assertEqual(job._process_chunk(), 0)
                self.assertEqual(job.state, "done")
                command_cr.commit()
            finally:
                command_cr.execute("SELECT pg_advisory_unlock(%s, %s)", [SCAN_LOCK_NAMESPACE, self.job_id])
                command_cr.commit()
        self.assertEqual(set(self._marks().values()), {1})

    def test_no_partner_compared_while_another_worker_estimates_the_weights(self):
        """The estimation partition of a match model is claimed first; while its worker has not
        committed, the other workers compare no partner (they would use the old weights)."""
        estimated = []

        def slow_estimate(model, *args, **kwargs):
            estimated.append(model.id)
            return True

        Model = self.registry["customer.match.model"]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, QUIET)
            model = env["customer.match.model"].create({"applies_to": "individual"})
            env["customer.scan.job"].browse(self.job_id)._create_estimation_partitions(model)
            model_id = model.id
        self.addCleanup(self._delete_model, model_id)
        with patch.object(Model, "_cu_estimate", slow_estimate), \
                closing(self.registry.cursor()) as cr1, closing(self.registry.cursor()) as cr2:
            worker1, worker2 = self._job(cr1), self._job(cr2)
            self.assertEqual(worker1._process_chunk(), 0)  # the estimation, not committed yet
            self.assertEqual(estimated, [model_id])
            self.assertIsNone(worker2._process_chunk(), "the weights are being estimated: wait")
            self.assertEqual(self._marks(), {})
            cr2.rollback()
            cr1.commit()
            self.assertEqual(worker2._process_chunk(), 3, "estimated: the scan goes on")
            cr2.commit()
        self.assertEqual(estimated, [model_id], "estimated once")
        self.assertEqual(self._run_alone(), "done")
        marks = self._marks()
        self.assertEqual(sorted(marks), self.scope)
        self.assertEqual(set(marks.values()), {1})

    def _delete_model(self, model_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM customer_match_model WHERE id = %s", [model_id])
