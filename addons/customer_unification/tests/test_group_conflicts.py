from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestGroupConflicts(CustomerUnificationMatchCase):
    """A duplicate group never holds two customers that cannot be one (another given name, a pair
    the users marked *Not a Duplicate*), even when each is a likely duplicate of a third one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env.ref("customer_unification.customer_match_rule_individual")
        cls.rule.write({"scoring": "learned", "threshold": 0.9})
        address = {"street": "Via Cavour 12", "zip": "20121", "city": "Milano"}
        # a household: a record with the family name only, and two relatives with their given names
        cls.mario = cls._person("Mario Bianchetti", **address)
        cls.family = cls._person("Bianchetti", **address)
        cls.anna = cls._person("Anna Bianchetti", **address)
        cls.Group = cls.env["customer.duplicate.group"]

    def _open_pair(self, partner_1, partner_2, score):
        low, high = sorted((partner_1, partner_2), key=lambda partner: partner.id)
        return self.env["customer.duplicate.pair"].create(
            {"partner_a_id": low.id, "partner_b_id": high.id, "score": score, "rule_id": self.rule.id})

    def _open_groups(self, partners):
        return self.Group.search([("state", "=", "open"), ("partner_ids", "in", partners.ids)])

    def assertEveryPairInOneGroup(self, pairs):
        for pair in pairs:
            self.assertTrue(pair.group_id, f"{pair.display_name} is in no group")
            self.assertLessEqual(pair.partner_a_id | pair.partner_b_id, pair.group_id.partner_ids)

    def test_relatives_linked_through_a_family_name_are_kept_apart(self):
        pairs = self._open_pair(self.mario, self.family, 0.97) | self._open_pair(self.family, self.anna, 0.95)
        self.Group._rebuild_groups()
        groups = self._open_groups(self.mario | self.family | self.anna)
        self.assertEqual(len(groups), 2)
        for group in groups:
            self.assertFalse(self.mario | self.anna <= group.partner_ids, "Mario and Anna proposed as one")
        # the best pair keeps the family record; the other pair is offered as its own group
        best = groups.filtered(lambda group: self.mario in group.partner_ids)
        self.assertEqual(best.partner_ids, self.mario | self.family)
        self.assertEqual(best.max_score, 0.97)
        self.assertEqual(groups.filtered(lambda group: self.anna in group.partner_ids).partner_ids,
                         self.family | self.anna)
        self.assertEqual(sorted(groups.mapped("partner_count")), [2, 2])
        self.assertEveryPairInOneGroup(pairs)
        # each group tells the reviewer where else its family record is proposed
        other = groups - best
        self.assertEqual(best.with_user(self.unif_user).overlap_group_ids, other)
        self.assertEqual(other.with_user(self.unif_user).overlap_group_ids, best)
        best.with_user(self.unif_user).action_not_duplicate()
        other.invalidate_recordset(["overlap_group_ids"])  # a new request in the web client
        self.assertFalse(other.overlap_group_ids, "a dismissed group is no longer proposed")

    def test_three_relatives_give_three_groups(self):
        """A family record close to three relatives: one group per relative, each pair in one group,
        the same groups on every rebuild."""
        luca = self._person("Luca Bianchetti", street="Via Cavour 12", zip="20121", city="Milano")
        pairs = (self._open_pair(self.mario, self.family, 0.97) | self._open_pair(self.family, self.anna, 0.95)
                 | self._open_pair(self.family, luca, 0.96))
        self.Group._rebuild_groups()
        groups = self._open_groups(self.family)
        self.assertEqual(sorted(sorted(group.partner_ids.ids) for group in groups),
                         sorted(sorted((self.family | relative).ids) for relative in (self.mario, self.anna, luca)))
        self.assertEveryPairInOneGroup(pairs)
        memberships = sorted(sorted(group.partner_ids.ids) for group in groups)
        self.Group._rebuild_groups()
        self.assertEqual(sorted(sorted(group.partner_ids.ids) for group in self._open_groups(self.family)), memberships)

    def test_the_same_given_name_stays_one_group(self):
        mario_2 = self._person("Mario Bianchetti", street="Via Cavour 12", city="Milano")
        pairs = self._open_pair(self.mario, self.family, 0.97) | self._open_pair(self.family, mario_2, 0.95)
        self.Group._rebuild_groups()
        groups = self._open_groups(self.mario | mario_2)
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups.partner_ids, self.mario | self.family | mario_2)
        self.assertEveryPairInOneGroup(pairs)

    def test_manual_rules_split_on_decisions_only(self):
        self.rule.write({"scoring": "manual", "threshold": 0.5})
        self._open_pair(self.mario, self.family, 0.97)
        self._open_pair(self.family, self.anna, 0.95)
        self.Group._rebuild_groups()
        self.assertEqual(self._open_groups(self.mario).partner_ids, self.mario | self.family | self.anna)

    def test_not_duplicate_decision_splits_the_group(self):
        """The reviewer says two members of a group of three are not duplicates: the two never share
        a group again, the pairs left are each still proposed."""
        self.rule.write({"scoring": "manual", "threshold": 0.5})  # no model conflict: only the decision
        first = self._person("Gianni Morandotti", city="Roma")
        second = self._person("Gianni Morandotti", street="Via Appia 3", city="Roma")
        third = self._person("G. Morandotti", street="Via Appia 3", city="Roma")
        best = self._open_pair(first, second, 0.99)
        middle = self._open_pair(second, third, 0.95)
        refused = self._open_pair(first, third, 0.91)
        self.Group._rebuild_groups()
        self.assertEqual(self._open_groups(first).partner_ids, first | second | third)

        refused.with_user(self.unif_user).action_not_duplicate()

        self.assertEqual(refused.state, "not_duplicate")
        self.assertFalse(refused.group_id)
        groups = self._open_groups(first | second | third)
        self.assertEqual(len(groups), 2)
        for group in groups:
            self.assertFalse(first | third <= group.partner_ids)
        self.assertEqual(best.group_id.partner_ids, first | second)
        self.assertEqual(middle.group_id.partner_ids, second | third)
        self.assertEqual(self.env["customer.duplicate.pair"].search_count(
            [("state", "=", "open"), ("id", "in", (best | middle | refused).ids)]), 2)

    def test_salesman_cannot_mark_not_duplicate(self):
        pair = self._open_pair(self.mario, self.family, 0.97)
        with self.assertRaises(AccessError):
            pair.with_user(self.salesman).action_not_duplicate()
        self.assertEqual(pair.state, "open")

    def test_cannot_link_is_the_seam(self):
        """A consultant's ``_cu_cannot_link`` decides which customers a group keeps apart."""
        self.rule.write({"scoring": "manual", "threshold": 0.5})
        pairs = self._open_pair(self.mario, self.family, 0.97) | self._open_pair(self.family, self.anna, 0.95)
        Rule = type(self.env["customer.match.rule"])
        mario_id, anna_id = self.mario.id, self.anna.id

        def cannot_link(rule, profile_a, profile_b, specs):
            return {profile_a["id"], profile_b["id"]} == {mario_id, anna_id}

        with patch.object(Rule, "_cu_cannot_link", cannot_link):
            self.Group._rebuild_groups()
        groups = self._open_groups(self.mario | self.anna)
        self.assertEqual(len(groups), 2)
        self.assertEveryPairInOneGroup(pairs)

    def test_components_above_the_limit_are_not_compared(self):
        self._open_pair(self.mario, self.family, 0.97)
        self._open_pair(self.family, self.anna, 0.95)
        with patch.object(type(self.Group), "_cu_conflict_check_limit", lambda group: 2):
            self.Group._rebuild_groups()
        self.assertEqual(self._open_groups(self.mario).partner_ids, self.mario | self.family | self.anna)

    def test_incremental_rebuild_keeps_relatives_apart(self):
        """Rebuilding from one customer (after a decision or a merge) applies the same split."""
        self._open_pair(self.mario, self.family, 0.97)
        self._open_pair(self.family, self.anna, 0.95)
        self.Group._rebuild_groups()
        ids_before = set(self._open_groups(self.mario | self.anna).ids)
        self.Group._rebuild_groups({self.anna.id})
        groups = self._open_groups(self.mario | self.family | self.anna)
        self.assertEqual(len(groups), 2)
        self.assertEqual(set(groups.ids), ids_before, "unchanged groups are kept")
        for group in groups:
            self.assertFalse(self.mario | self.anna <= group.partner_ids)

    def test_rescan_keeps_unchanged_groups_and_rewrites_the_others(self):
        """A group whose pairs are the same is kept (id, customers; best score updated); a group
        that changes is replaced, and no pair is left pointing at a deleted group."""
        self.rule.write({"scoring": "manual", "threshold": 0.5})
        gianni = self._person("Gianni Morandotti", city="Roma")
        gianni_2 = self._person("Gianni Morandotti", street="Via Appia 3", city="Roma")
        gianni_3 = self._person("G. Morandotti", street="Via Appia 3", city="Roma")
        steady = self._open_pair(self.mario, self.family, 0.97)
        first = self._open_pair(gianni, gianni_2, 0.99)
        self.Group._rebuild_groups()
        steady_group, changing_group = steady.group_id, first.group_id
        steady.score = 0.93
        later = self._open_pair(gianni_2, gianni_3, 0.95)
        self.Group._rebuild_groups()
        self.assertEqual(steady.group_id, steady_group)
        self.assertEqual(steady_group.max_score, 0.93)
        self.assertEqual(steady_group.partner_ids, self.mario | self.family)
        self.assertFalse(changing_group.exists(), "the changed group is replaced")
        self.assertEqual(first.group_id, later.group_id)
        self.assertEqual(first.group_id.partner_ids, gianni | gianni_2 | gianni_3)
        # a decision on the kept group's only pair: the group goes, the pair leaves it
        steady.with_user(self.unif_user).action_not_duplicate()
        self.assertFalse(steady_group.exists())
        self.assertFalse(steady.group_id)

    def test_full_scan_keeps_relatives_apart(self):
        self.env["customer.scan.job"].create({"mode": "full"}).run_to_completion()
        groups = self._open_groups(self.mario | self.family | self.anna)
        for group in groups:
            self.assertFalse(self.mario | self.anna <= group.partner_ids, "Mario and Anna proposed as one")
        pairs = self.env["customer.duplicate.pair"].search([
            ("state", "=", "open"), ("partner_a_id", "in", (self.mario | self.family | self.anna).ids)])
        # the family record is a likely duplicate of each relative (nothing tells it which one)
        self.assertEqual(len(pairs), 2)
        self.assertEqual(len(groups), 2)
        self.assertEveryPairInOneGroup(pairs)

    def test_merging_one_group_rebuilds_the_other(self):
        """The family record is in two groups; the manager merges it into Mario: its pair with Anna
        goes with it, and no open group still shows the archived record."""
        self._open_pair(self.mario, self.family, 0.97)
        self._open_pair(self.family, self.anna, 0.95)
        self.Group._rebuild_groups()
        best = self._open_groups(self.mario)
        action = best.with_user(self.unif_manager).action_merge()
        wizard = self.env["base.partner.merge.automatic.wizard"].with_user(self.unif_manager).with_context(
            **action["context"]).create({"dst_partner_id": self.mario.id, "master_rule": "manual"})
        wizard.action_merge()
        self.assertEqual(best.state, "merged")
        self.assertFalse(self.family.active)
        self.assertFalse(self._open_groups(self.mario | self.family | self.anna))
        self.assertFalse(self.env["customer.duplicate.pair"].search([
            ("state", "=", "open"), "|",
            ("partner_a_id", "=", self.family.id), ("partner_b_id", "=", self.family.id)]))
        # the undo reopens the merged group (the pair with Anna comes back with the next scan)
        wizard.merge_log_id.with_user(self.unif_manager).action_undo()
        self.assertTrue(self.family.active)
        self.assertEqual(best.state, "open")
        self.assertEqual(best.partner_ids, self.mario | self.family)
