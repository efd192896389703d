from contextlib import closing, contextmanager
from unittest.mock import patch
from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

# committed test rows must not be posted on nor subscribed to
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}


@tagged("post_install", "-at_install")
class TestMergeScanConcurrency(TransactionCase):
    """A merge and a duplicate scan chunk on the same contacts, in two real parallel transactions.

    The contacts (master, source, and a third duplicate of both) and an
    incremental scan limited to them are committed by a third transaction and
    deleted at the end. Every test cursor has a lock timeout: a regression that
    makes one transaction wait for the other fails fast instead of hanging.
    """

    def setUp(self):
        super().setUp()
        self._envs = []
        email = f"info@brontella-{uuid4().hex[:8]}.it"
        with self.registry.cursor() as cr:
            env = self._env(cr)
            cr.execute("SELECT now() AT TIME ZONE 'UTC'")
            since = cr.fetchone()[0]
            italy = env.ref("base.it")
            self.master_id, self.source_id, self.other_id = env["res.partner"].create([
                {"name": name, "email": email, "phone": "+39 051 765 9981", "country_id": italy.id,
                 "is_company": True}
                for name in ("Brontella Serramenti S.r.l.", "BRONTELLA SERRAMENTI SRL", "Brontella Serramenti")
            ]).ids
            # incremental since the contacts were created: the scan scans these three contacts only
            job = env["customer.scan.job"].create({"mode": "incremental", "since": since, "chunk_size": 100})
            job.write({"state": "running"})
            job.total_count = job._create_partitions()
            self.assertEqual(job.total_count, 3)
            self.since, self.job_ids = since, job.ids
        self.addCleanup(self._delete_committed_rows)

    def _delete_committed_rows(self):
        ids = [self.master_id, self.source_id, self.other_id]
        with self.registry.cursor() as cr:
            cr.execute("""DELETE FROM customer_duplicate_group WHERE id IN (
                              SELECT group_id FROM customer_duplicate_group_partner_rel WHERE partner_id = ANY(%s))""",
                       [ids])
            cr.execute("DELETE FROM customer_merge_log WHERE master_id = ANY(%s)", [ids])
            cr.execute("DELETE FROM mail_message WHERE model = 'res.partner' AND res_id = ANY(%s)", [ids])
            cr.execute("DELETE FROM mail_message WHERE model = 'customer.scan.job' AND res_id = ANY(%s)",
                       [self.job_ids])
            cr.execute("DELETE FROM customer_scan_job WHERE id = ANY(%s)", [self.job_ids])
            cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [ids])

    def _env(self, cr):
        # keep the environment referenced: a transaction flushes through its (weakly held) environments
        env = api.Environment(cr, SUPERUSER_ID, QUIET)
        self._envs.append(env)
        return env

    @contextmanager
    def _cursor(self):
        with closing(self.registry.cursor()) as cr:
            cr.execute("SET lock_timeout = '5s'")
            try:
                yield cr
            finally:
                cr.rollback()
                cr.execute("RESET lock_timeout")

    def _merge(self, cr):
        env = self._env(cr)
        partners = env["res.partner"].browse([self.master_id, self.source_id])
        return env["base.partner.merge.automatic.wizard"].merge_partners(partners, partners.browse(self.master_id))

    def _job(self, cr):
        return self._env(cr)["customer.scan.job"].browse(self.job_ids[0])

    def _rescan(self):
        """The next scan of the contacts changed since the first one, committed."""
        with self.registry.cursor() as cr:
            job = self._env(cr)["customer.scan.job"].create({"mode": "incremental", "since": self.since})
            self.job_ids.append(job.id)
            job._run_to_completion()

    def _assert_consistent(self, master_paired=True):
        """No open pair or group on the merged-away contact; the master and the third contact
        are paired (or, when ``master_paired`` is False, left to the next scan) and grouped."""
        ids = [self.master_id, self.source_id, self.other_id]
        master_other = tuple(sorted((self.master_id, self.other_id)))
        with closing(self.registry.cursor()) as cr:
            cr.execute("SELECT active FROM res_partner WHERE id = %s", [self.source_id])
            self.assertEqual(cr.fetchone(), (False,), "the source is archived by the merge")
            cr.execute("""SELECT partner_a_id, partner_b_id, state FROM customer_duplicate_pair
                           WHERE partner_a_id = ANY(%s) OR partner_b_id = ANY(%s)""", [ids, ids])
            pairs = {(a, b): state for a, b, state in cr.fetchall()}
            on_source = {pair: state for pair, state in pairs.items() if self.source_id in pair}
            self.assertNotIn("open", on_source.values(), f"open pair on the merged-away contact: {pairs}")
            self.assertEqual(pairs.get(master_other), "open" if master_paired else None, str(pairs))
            cr.execute("""SELECT g.id, array_agg(r.partner_id ORDER BY r.partner_id), g.partner_count
                            FROM customer_duplicate_group g
                            JOIN customer_duplicate_group_partner_rel r ON r.group_id = g.id
                           WHERE g.state = 'open' AND g.id IN (
                                 SELECT group_id FROM customer_duplicate_group_partner_rel WHERE partner_id = ANY(%s))
                           GROUP BY g.id""", [ids])
            groups = cr.fetchall()
            if not master_paired:
                self.assertEqual(groups, [], "no open group without an open pair")
                return pairs
            self.assertEqual([(members, count) for _id, members, count in groups], [(list(master_other), 2)],
                             "one open group: the master and the third contact")
            cr.execute("SELECT group_id FROM customer_duplicate_pair WHERE partner_a_id = %s AND partner_b_id = %s",
                       list(master_other))
            self.assertEqual(cr.fetchone()[0], groups[0][0])
        return pairs

    def test_scan_chunk_during_an_open_merge_neither_waits_nor_pairs_the_merged_contacts(self):
        with self._cursor() as merge_cr, self._cursor() as scan_cr:
            self.assertTrue(self._merge(merge_cr))  # not committed: the contacts stay locked
            job = self._job(scan_cr)
            # the contacts being merged are left to the next scan: no wait (lock timeout), no error
            self.assertEqual(job._process_chunk(), 3)
            self.assertEqual(job.failed_count, 0)
            merge_cr.commit()
            self.assertEqual(job._process_chunk(), 0)  # closes the scan: groups rebuilt
            self.assertEqual(job.state, "done")
            scan_cr.commit()
        self._assert_consistent(master_paired=False)
        self._rescan()
        self._assert_consistent()

    def test_scan_chunk_during_a_merge_from_a_duplicate_group_leaves_its_pairs_to_the_merge(self):
        self._rescan()  # an earlier scan found the three contacts: three open pairs, one group
        with self._cursor() as merge_cr, self._cursor() as scan_cr:
            env = self._env(merge_cr)
            group = env["customer.duplicate.group"].search([("partner_ids", "in", self.master_id)])
            self.assertEqual(len(group.partner_ids), 3)
            master = env["res.partner"].browse(self.master_id)
            wizard = env["base.partner.merge.automatic.wizard"].create({
                "partner_ids": [(6, 0, [self.master_id, self.source_id])], "dst_partner_id": master.id,
                "master_rule": "manual", "duplicate_group_id": group.id, "state": "selection"})
            self.assertTrue(wizard._merge_atomic([self.master_id, self.source_id], master))  # not committed
            job = self._job(scan_cr)
            # the pairs the merge is closing are neither rewritten nor dropped: no wait, no error
            self.assertEqual(job._process_chunk(), 3)
            scan_cr.commit()
            merge_cr.commit()
            self.assertEqual(job._process_chunk(), 0)  # the next cron call closes the scan
            scan_cr.commit()
        pairs = self._assert_consistent()
        self.assertEqual(pairs[tuple(sorted((self.master_id, self.source_id)))], "merged")

    def test_merge_committed_during_a_scan_chunk_leaves_no_pair_on_the_merged_away_contact(self):
        with self._cursor() as merge_cr, self._cursor() as scan_cr:
            self.assertTrue(self._merge(merge_cr))  # not committed: the contacts stay locked
            job = self._job(scan_cr)
            Rule = self.registry["customer.match.rule"]
            original = Rule._score_candidate_pairs
            seen = []

            def score_then_merge_commits(rule, pairs, threshold=None):
                scored = original(rule, pairs, threshold=threshold)
                seen.extend((a, b) for a, b, *_rest in scored)
                merge_cr.commit()  # the chunk read the contacts before the merge and writes after it
                return scored

            with patch.object(Rule, "_score_candidate_pairs", score_then_merge_commits):
                self.assertEqual(job._process_chunk(), 3)
            self.assertIn(tuple(sorted((self.master_id, self.source_id))), seen,
                          "the chunk scored the source as a still active duplicate")
            self.assertEqual(job._process_chunk(), 0)  # closes the scan: groups rebuilt
            self.assertEqual(job.state, "done")
            self.assertEqual(job.failed_count, 0)
            scan_cr.commit()
        # the master changed during the chunk: its pairs are left to the next scan, which pairs it again
        self._assert_consistent(master_paired=False)
        self._rescan()
        self._assert_consistent()

    def test_merge_during_an_open_scan_chunk_fails_at_once_then_succeeds(self):
        with self._cursor() as scan_cr, self._cursor() as merge_cr:
            job = self._job(scan_cr)
            self.assertEqual(job._process_chunk(), 3)  # not committed: pairs written, contacts share-locked
            with self.assertRaisesRegex(UserError, "someone else"):
                self._merge(merge_cr)
            merge_cr.rollback()
            self.assertEqual(job._process_chunk(), 0)
            scan_cr.commit()
            # the scan is over: the merge goes through and closes what the scan found
            self.assertTrue(self._merge(merge_cr))
            merge_cr.commit()
        pairs = self._assert_consistent()
        self.assertEqual(pairs[tuple(sorted((self.master_id, self.source_id)))], "merged")
