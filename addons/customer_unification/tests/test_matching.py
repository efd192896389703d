from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestMatching(CustomerUnificationMatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mario = cls._person(
            "Mario Quercetti", email="mario.quercetti@example.com", phone="02 1234 5678",
            street="Via Roma 12", zip="20121", city="Milano")
        cls.mario_dup = cls._person(
            "Quercetti, Mario", email='"M. Quercetti" <Mario.Quercetti@Example.com>',
            mobile="+39 02 12345678", street="V. Roma, 12", zip="20121", city="Milano")
        cls.brother = cls._person(
            "Luca Quercetti", email="luca.quercetti@example.com", phone="02 1234 5678",
            street="Via Roma 12", zip="20121", city="Milano")
        cls.acme = cls._company("Zorblat Meccanica S.r.l.", vat="IT00743110157", website="https://www.zorblat.it")
        cls.acme_dup = cls._company("ZORBLAT MECCANICA SRL", vat="it 00743110157", website="zorblat.it/contatti")

    def _learned(self):
        """The shipped rules switched to learned weights (probability threshold 0.9)."""
        rules = self.env.ref("customer_unification.customer_match_rule_individual") | self.env.ref(
            "customer_unification.customer_match_rule_company")
        rules.write({"scoring": "learned", "threshold": 0.9})
        return rules

    def _manual(self):
        """The shipped rules with their hand-set weights (the consultant override)."""
        rules = self.env.ref("customer_unification.customer_match_rule_individual") | self.env.ref(
            "customer_unification.customer_match_rule_company")
        rules.write({"scoring": "manual", "threshold": 0.7})
        return rules

    def test_score_pair_explains_every_field(self):
        self._manual()
        score, explanation = self.env["customer.match.rule"]._score_pair(self.mario, self.mario_dup)
        self.assertGreaterEqual(score, 0.9)
        by_field = {line["field"]: line for line in explanation}
        self.assertEqual(by_field["email"]["contribution"], 0.4)
        self.assertEqual(by_field["name"]["value_b"], "Quercetti, Mario")
        self.assertEqual(by_field["phone"]["comparator"], "exact")
        self.assertIsNone(by_field["vat"]["similarity"])
        self.assertEqual(by_field["vat"]["contribution"], 0.0)

    def test_learned_pair_explains_levels_and_weights(self):
        self._learned()
        score, explanation = self.env["customer.match.rule"]._score_pair(self.mario, self.mario_dup)
        self.assertGreaterEqual(score, 0.99)
        by_field = {line["field"]: line for line in explanation}
        self.assertEqual(by_field["email"]["level"], "exact")
        self.assertGreater(by_field["email"]["weight"], 0)
        self.assertNotIn("name", by_field, "persons: given and family name are compared apart")
        # "Quercetti, Mario": the comma says the family name comes first
        self.assertEqual((by_field["given_name"]["value_a"], by_field["given_name"]["value_b"]), ("mario", "mario"))
        self.assertEqual(by_field["given_name"]["level"], "exact")
        self.assertEqual(by_field["family_name"]["value_b"], "quercetti")
        self.assertEqual(by_field["family_name"]["label"], "Family Name")
        self.assertEqual(by_field["vat"]["level"], "missing")
        self.assertEqual(by_field["vat"]["weight"], 0.0)
        self.assertLess(by_field["prior"]["weight"], 0)

    def test_relative_at_same_address_is_not_a_duplicate(self):
        self._manual()
        score, _explanation = self.env["customer.match.rule"]._score_pair(self.mario, self.brother)
        self.assertLess(score, 0.7)

    def test_learned_relative_at_same_address_is_not_a_duplicate(self):
        """Same family name, address and landline, another given name: the given name's own level
        rules the pair out, and the explanation says so."""
        self._learned()
        score, explanation = self.env["customer.match.rule"]._score_pair(self.mario, self.brother)
        self.assertLess(score, 0.5)
        by_field = {line["field"]: line for line in explanation}
        self.assertEqual(by_field["given_name"]["level"], "far")
        self.assertEqual((by_field["given_name"]["value_a"], by_field["given_name"]["value_b"]), ("mario", "luca"))
        self.assertEqual(by_field["given_name"]["label"], "Given Name")
        self.assertLess(by_field["given_name"]["weight"], -30)
        self.assertEqual(by_field["family_name"]["level"], "exact")
        self.assertGreater(by_field["family_name"]["weight"], 0)

    def test_learned_city_is_not_counted_twice_with_the_zip(self):
        """The same zip implies the same city: the city line is shown, compared, and adds nothing."""
        self._learned()
        _score, explanation = self.env["customer.match.rule"]._score_pair(self.mario, self.brother)
        city = next(line for line in explanation if line["field"] == "city")
        self.assertEqual((city["level"], city["weight"]), ("exact", 0.0))
        self.assertEqual(city["label"], "City (same zip: not counted)")
        other_zip = self._person("Mario Quercetti", street="Via Roma 12", zip="20122", city="Milano")
        _score, explanation = self.env["customer.match.rule"]._score_pair(self.mario, other_zip)
        city = next(line for line in explanation if line["field"] == "city")
        self.assertEqual(city["label"], "City")
        self.assertGreater(city["weight"], 0)

    def test_learned_short_form_of_the_given_name_is_a_duplicate(self):
        self._learned()
        bill = self._person("Bill Quercetti", street="Via Roma 12", zip="20121", city="Milano")
        william = self._person("QUERCETTI WILLIAM", street="Via Roma 12", zip="20121", city="Milano")
        score, explanation = self.env["customer.match.rule"]._score_pair(bill, william)
        self.assertGreaterEqual(score, 0.9)
        self.assertEqual(next(line for line in explanation if line["field"] == "given_name")["level"], "close")

    def test_company_with_different_valid_vat_is_penalised(self):
        other = self._company("Zorblat Meccanica", vat="DE136695976", website="zorblat.it")
        self._manual()
        score, explanation = self.env["customer.match.rule"]._score_pair(self.acme, other)
        vat_line = next(line for line in explanation if line["field"] == "vat")
        self.assertLess(vat_line["contribution"], 0)
        self.assertLess(score, 0.7)

    def test_learned_different_vat_weighs_against(self):
        self._learned()
        other = self._company("Zorblat Meccanica", vat="DE136695976", website="zorblat.it")
        same = self._company("Zorblat Meccanica", website="zorblat.it")
        Rule = self.env["customer.match.rule"]
        score, explanation = Rule._score_pair(self.acme, other)
        vat_line = next(line for line in explanation if line["field"] == "vat")
        self.assertEqual(vat_line["level"], "far")
        self.assertLess(vat_line["weight"], -5)
        self.assertLess(score, Rule._score_pair(self.acme, same)[0])

    def test_find_duplicate_candidates_ranked(self):
        # a relative sharing phone and address: the manual rule's name penalty keeps it out
        # (learned weights assume independent fields, see ROADMAP)
        self._manual()
        result = self.mario._find_duplicate_candidates(limit=5)[self.mario.id]
        self.assertEqual(result[0]["partner"], self.mario_dup)
        self.assertNotIn(self.brother, [match["partner"] for match in result])

    def test_company_candidates_by_vat(self):
        result = self.acme._find_duplicate_candidates()[self.acme.id]
        self.assertEqual([m["partner"] for m in result], [self.acme_dup])

    def test_candidates_never_cross_companies(self):
        self.mario.company_id = self.company
        clone = self._person("Mario Quercetti", email="mario.quercetti@example.com",
                             company_id=self.other_company.id)
        result = self.mario._find_duplicate_candidates()[self.mario.id]
        self.assertNotIn(clone, [match["partner"] for match in result])
        pairs = self.env["customer.match.rule"]._candidate_pairs(self.mario.ids)
        self.assertNotIn(tuple(sorted((self.mario.id, clone.id))), pairs)

    def test_shared_partner_matches_any_company(self):
        self.mario.company_id = self.company
        result = self.mario_dup._find_duplicate_candidates()[self.mario_dup.id]
        self.assertIn(self.mario, [match["partner"] for match in result])

    def test_rule_weights_are_configurable(self):
        self._manual()
        rule = self.env.ref("customer_unification.customer_match_rule_individual")
        rule.line_ids.filtered(lambda line: line.field == "email").weight = 0.0
        score, _explanation = rule._score_pair(self.mario, self.mario_dup)
        self.assertAlmostEqual(score, 1.0 - 0.0, delta=0.01)  # name+phone+address still reach 1
        rule.line_ids.filtered(lambda line: line.field in ("phone", "street")).weight = 0.0
        score, _explanation = rule._score_pair(self.mario, self.mario_dup)
        self.assertAlmostEqual(score, 0.55, delta=0.01)

    def test_manual_lines_choose_from_the_one_field_registry(self):
        """The fields a manual line offers are the registry's (name parts, which need the learned
        comparison, excepted); its keys, displays and label come from the same entry."""
        Rule, Line = self.env["customer.match.rule"], self.env["customer.match.rule.line"]
        offered = dict(Line._selection_field())
        expected = {name for name, spec in Rule._cu_match_fields().items() if spec.get("manual", True)}
        self.assertEqual(set(offered), expected)
        self.assertNotIn("given_name", offered)
        self.assertIn("house_number", offered)
        self.assertEqual(offered["phone"], Rule._cu_match_fields()["phone"]["label"])
        self.assertEqual(dict(Line._selection_comparator())["exact"], Line._cu_comparators()["exact"][0])

    def test_field_and_comparator_added_by_inheritance_reach_manual_scoring(self):
        """One override of each registry: a new field (the customer reference) and a new comparator
        (same first three characters) can be chosen on a manual line, and scoring and the
        explanation use them."""
        Rule, Line = type(self.env["customer.match.rule"]), type(self.env["customer.match.rule.line"])
        match_fields, comparators = Rule._cu_match_fields, Line._cu_comparators

        def with_ref(rule):
            ref = {"label": "Customer Reference", "keys": ("ref",), "displays": ("ref",),
                   "compare": lambda a, b: 2 * (a != b), "levels": ("exact", "close", "far"),
                   "m": (0.9, 0.05, 0.05), "u": (0.001, 0.001, 0.998)}
            return {**match_fields(rule), "ref": ref}

        def with_prefix(line):
            return {**comparators(line), "prefix3": ("Same first three characters",
                                                    lambda a, b: float(a[:3].lower() == b[:3].lower()))}

        self._manual()
        rule = self.env.ref("customer_unification.customer_match_rule_individual")
        with patch.object(Rule, "_cu_match_fields", with_ref), patch.object(Line, "_cu_comparators", with_prefix):
            (self.mario | self.brother).write({"ref": "K-104"})
            before, _explanation = rule._score_pair(self.mario, self.brother)
            rule.line_ids = [Command.create({"field": "ref", "comparator": "prefix3", "weight": 0.3})]
            score, explanation = rule._score_pair(self.mario, self.brother)
        self.assertAlmostEqual(score, min(1.0, before + 0.3), places=3)
        ref_line = next(line for line in explanation if line["field"] == "ref")
        self.assertEqual((ref_line["label"], ref_line["comparator"], ref_line["value_a"], ref_line["contribution"]),
                         ("Customer Reference", "prefix3", "K-104", 0.3))

    def test_candidate_query_count_is_constant(self):
        with self.assertQueryCount(__system__=7):
            self.mario._find_duplicate_candidates()
