from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestReview(CustomerUnificationMatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna = cls._person("Anna Vrzelli", email="anna.vrzelli@example.com", mobile="333 123 4567",
                               street="Piazza Garibaldi 3", zip="40121", city="Bologna")
        cls.anna_2 = cls._person("Vrzelli Anna", email="ANNA.VRZELLI@example.com", city="Bologna")
        cls.anna_3 = cls._person("Anna Vrzeli", mobile="+39 333 1234567", street="P.zza Garibaldi n. 3",
                                 zip="40121", city="Bologna")
        # reviewed with learned weights: the explanation shows levels, match weights and probability
        (cls.env.ref("customer_unification.customer_match_rule_individual")
         | cls.env.ref("customer_unification.customer_match_rule_company")).write(
            {"scoring": "learned", "threshold": 0.9})
        cls.env["customer.scan.job"].create({"mode": "full"}).run_to_completion()
        cls.group = cls.env["customer.duplicate.group"].search([("partner_ids", "in", cls.anna.ids)])

    def test_full_scan_groups_connected_pairs(self):
        self.assertEqual(len(self.group), 1)
        self.assertEqual(self.group.partner_ids, self.anna | self.anna_2 | self.anna_3)
        self.assertEqual(self.group.max_score, max(self.group.pair_ids.mapped("score")))

    def test_reviewer_reads_explanation(self):
        group = self.group.with_user(self.unif_user)
        self.assertIn("Vrzelli", group.explanation_html)
        self.assertIn("Match Weight", group.explanation_html)
        self.assertIn("probability", group.explanation_html)

    def test_not_duplicate_is_remembered(self):
        pair = self._pair(self.anna, self.anna_2)
        pair.with_user(self.unif_user).action_not_duplicate()
        self.assertEqual(pair.state, "not_duplicate")
        self.env["customer.scan.job"].create({"mode": "full"}).run_to_completion()
        self.assertEqual(pair.state, "not_duplicate")
        self.assertNotIn(self.anna_2, [m["partner"] for m in self.anna._find_duplicate_candidates()[self.anna.id]])

    def test_not_duplicate_group(self):
        self.group.with_user(self.unif_user).action_not_duplicate()
        self.assertEqual(self.group.state, "dismissed")
        self.assertEqual(set(self.group.pair_ids.mapped("state")), {"not_duplicate"})

    def test_merge_opens_partner_merge_wizard(self):
        action = self.group.with_user(self.unif_manager).action_merge()
        self.assertEqual(action["res_model"], "base.partner.merge.automatic.wizard")
        self.assertEqual(action["context"]["active_model"], "res.partner")
        self.assertEqual(sorted(action["context"]["active_ids"]), sorted(self.group.partner_ids.ids))
        self.assertEqual(action["context"]["default_duplicate_group_id"], self.group.id)

    def test_reviewer_cannot_merge(self):
        with self.assertRaises(AccessError):
            self.group.with_user(self.unif_user).action_merge()

    def test_salesman_cannot_read_groups(self):
        with self.assertRaises(AccessError):
            self.group.with_user(self.salesman).read(["max_score"])

    def test_reviewer_cannot_configure_rules(self):
        rule = self.env.ref("customer_unification.customer_match_rule_individual")
        with self.assertRaises(AccessError):
            rule.with_user(self.unif_user).write({"threshold": 0.5})

    def test_manager_configures_rules(self):
        rule = self.env.ref("customer_unification.customer_match_rule_individual")
        rule.with_user(self.unif_manager).write({"threshold": 0.8})
        self.assertEqual(rule.threshold, 0.8)

    def test_group_of_other_company_is_hidden(self):
        self.group.company_id = self.other_company
        user = self.unif_user
        user.company_ids = self.company
        visible = self.env["customer.duplicate.group"].with_user(user).search([("id", "=", self.group.id)])
        self.assertFalse(visible)

    def test_incremental_scan_only_changed_partners(self):
        job = self.env["customer.scan.job"].create({"mode": "incremental", "since": "2000-01-01"})
        late = self._person("Anna Vrzelli", email="anna.vrzelli@example.com")
        job.since = late.write_date
        job.run_to_completion()
        self.assertEqual(job.state, "done")
        self.assertLessEqual(job.total_count, job.processed_count)
        self.assertTrue(self._pair(self.anna, late))
        self.assertIn(late, self.env["customer.duplicate.group"].search(
            [("partner_ids", "in", self.anna.ids), ("state", "=", "open")]).partner_ids)

    def test_cron_processes_one_chunk_per_call(self):
        job = self.env["customer.scan.job"].create({"mode": "full", "chunk_size": 5})
        job.action_start()
        self.env["customer.scan.job"]._cron_process_scans()
        self.assertEqual(job.state, "running")
        self.assertEqual(job.processed_count, 5)
        self.assertGreater(job.progress, 0)

    def test_scan_job_refused_to_reviewer(self):
        with self.assertRaises(AccessError):
            self.env["customer.scan.job"].with_user(self.unif_user).create({"mode": "full"})
