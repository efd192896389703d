from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestScanFaults(CustomerUnificationMatchCase):
    """One partner that cannot be scored must not stop the scan; what the scan stores adds up."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = cls._company("Vorlink Impianti S.r.l.", vat="IT00743110157", email="info@vorlink.it")
        cls.good_twin = cls._company("VORLINK IMPIANTI SRL", vat="00743110157", email="Info@Vorlink.it")
        cls.bad = cls._company("Quastro Edilizia S.r.l.", email="info@quastro.it", phone="051 765 4321")
        cls.bad_twin = cls._company("QUASTRO EDILIZIA SRL", email="Info@Quastro.it", phone="051 765 4321")

    def _score_failing_for(self, partner):
        """Patch the scoring so that it raises whenever ``partner`` is the scanned side of a pair."""
        Rule = self.registry["customer.match.rule"]
        original = Rule._score_if_reaches

        def flaky(rule, profile_a, profile_b, specs, threshold):
            if profile_a["id"] == partner.id:
                raise ValueError("scoring exploded")
            return original(rule, profile_a, profile_b, specs, threshold)

        return patch.object(Rule, "_score_if_reaches", flaky)

    def _scan(self, **vals):
        job = self.env["customer.scan.job"].create(dict({"mode": "full", "chunk_size": 500}, **vals))
        job._run_to_completion()
        return job

    def test_failing_partner_is_skipped_reported_and_others_scanned(self):
        with self._score_failing_for(self.bad), self.assertLogs(
                "odoo.addons.customer_unification.models.customer_scan_job", level="ERROR") as logs:
            job = self._scan()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.processed_count, job.total_count)
        self.assertEqual(job.failed_count, 1)
        self.assertTrue(self._pair(self.good, self.good_twin), "the other partners are still scanned")
        self.assertFalse(self._pair(self.bad, self.bad_twin), "nothing stored for the failing partner")
        self.assertTrue(any(f"partner {self.bad.id} skipped" in line for line in logs.output))
        message = job.message_ids.filtered(lambda m: f"#{self.bad.id}" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn("scoring exploded", message.body)

    def test_cron_stops_a_scan_that_cannot_finish_and_goes_on_with_the_next(self):
        Job = self.env["customer.scan.job"]
        broken = Job.create({"mode": "full", "chunk_size": 100000})
        broken.action_start()
        following = Job.create({"mode": "full", "chunk_size": 100000})
        following.action_start()
        Finish = self.registry["customer.scan.job"]
        original = Finish._finish

        def finish(job):
            if job.id == broken.id:
                raise RuntimeError("group rebuild exploded")
            return original(job)

        with patch.object(Finish, "_finish", finish), self.assertLogs(
                "odoo.addons.customer_unification.models.customer_scan_job", level="ERROR"):
            for _call in range(5):
                Job._cron_process_scans()
        self.assertEqual(broken.state, "failed")
        self.assertIn("group rebuild exploded", broken.message_ids[:1].body)
        self.assertEqual(following.state, "done")

    def test_pairs_and_groups_add_up_after_a_full_scan(self):
        job = self._scan()
        pairs = self.env["customer.duplicate.pair"].search([("scan_job_id", "=", job.id)])
        self.assertEqual(job.pair_count, len(pairs))
        self.assertFalse(self.env["customer.duplicate.pair"].search_count(
            [("state", "=", "open"), ("scan_job_id", "!=", job.id)]), "a full scan keeps only its own open pairs")
        groups = self.env["customer.duplicate.group"].search([("state", "=", "open")])
        grouped = groups.partner_ids
        self.assertEqual(len(grouped), sum(len(group.partner_ids) for group in groups),
                         "a partner is in one open group at most")
        open_pairs = pairs.filtered(lambda p: p.state == "open")
        self.assertEqual(open_pairs.partner_a_id | open_pairs.partner_b_id, grouped)

    def test_run_to_completion_is_not_callable_over_rpc(self):
        with self.assertRaises(AccessError):
            get_public_method(self.env["customer.scan.job"], "run_to_completion")
        with self.assertRaises(AccessError):
            get_public_method(self.env["customer.scan.job"], "_run_to_completion")

    def test_reviewer_may_not_start_a_scan(self):
        job = self.env["customer.scan.job"].create({"mode": "full"})
        with self.assertRaises(AccessError):
            job.with_user(self.unif_user).action_start()
        self.assertEqual(job.state, "draft")

    def test_manager_may_run_a_scan(self):
        job = self.env["customer.scan.job"].with_user(self.unif_manager).create({"mode": "full"})
        job.action_start()
        job._run_to_completion()
        self.assertEqual(job.state, "done")
