from unittest.mock import patch

from odoo.tests import tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestScanBlocking(CustomerUnificationMatchCase):
    """The zip and city passes compare names only within a block: same place, a word starting alike."""

    def name_blocks(self, place, name_key):
        self.env.cr.execute("SELECT customer_unification_name_blocks(%s, %s)", [place, name_key])
        return self.env.cr.fetchone()[0]

    def candidates(self, partners):
        pairs = self.env["customer.match.rule"]._candidate_pairs(partners.ids)
        return {frozenset(pair) for pair in pairs}

    def test_name_blocks_are_place_and_word_starts(self):
        self.assertEqual(sorted(self.name_blocks("20121", "mario rossi")), ["20121|mar", "20121|ros"])
        self.assertEqual(self.name_blocks("20121", "li xi"), ["20121|li", "20121|xi"])
        self.assertIsNone(self.name_blocks(None, "mario rossi"))
        self.assertIsNone(self.name_blocks("20121", None))

    def rotated(self, name_key):
        self.env.cr.execute("SELECT customer_unification_name_rotated(%s)", [name_key])
        return self.env.cr.fetchone()[0]

    def _crowd(self, name, count, zip_code="40121"):
        """``count`` individuals in one zip, named ``name(i, suffix)`` with ``suffix`` two letters
        that differ for each of them."""
        return self.Partner.create([
            {"name": name(i, f"{chr(97 + i % 26)}{chr(97 + i // 26)}"), "zip": zip_code, "is_company": False}
            for i in range(count)
        ])

    def limit(self, limit):
        return patch.object(type(self.env["customer.match.rule"]), "_blocking_pass_limit", lambda self: limit)

    def test_rotated_name_key_puts_the_last_word_first(self):
        self.assertEqual(self.rotated("bernard sophie"), "sophie bernard")
        self.assertEqual(self.rotated("anna maria rossi"), "rossi anna maria")
        self.assertEqual(self.rotated("rossi"), "rossi")
        self.assertIsNone(self.rotated(None))

    def test_neighbourhood_indexes_are_btree_on_place_and_name(self):
        self.env.cr.execute("""
            SELECT indexname, indexdef FROM pg_indexes
             WHERE tablename = 'res_partner' AND indexname LIKE 'res_partner__cu_%%name%%index'
        """)
        indexes = dict(self.env.cr.fetchall())
        self.assertIn("btree (cu_zip_key, cu_name_key) INCLUDE (is_company, id)",
                      indexes["res_partner__cu_zip_key_name_index"])
        # the city's also holds the address keys its neighbours are filtered on (index-only walk)
        self.assertIn("btree (cu_city_key, cu_name_key) INCLUDE (is_company, id, cu_zip_key, cu_house_key, "
                      "cu_street_key)", indexes["res_partner__cu_city_key_name_address_index"])
        self.assertNotIn("res_partner__cu_city_key_name_index", indexes)
        for place in ("zip", "city"):
            self.assertIn("btree (cu_%s_key, customer_unification_name_rotated" % place,
                          indexes[f"res_partner__cu_{place}_key_rotated_name_index"])

    def test_crowded_zip_reads_a_bounded_neighbourhood(self):
        # 40 similar names in one zip: with 2 neighbours a side, a partner is compared with a handful
        # of them (the nearest), not with the whole crowd
        crowd = self._crowd(lambda _i, suffix: f"Marco Rossi{suffix}", 40)
        scanned = crowd[20]
        with self.limit(2):
            found = {pair for pair in self.candidates(scanned) if scanned.id in pair}
        self.assertTrue(found)
        self.assertLessEqual(len(found), 16)  # 4 passes x 2 sides x 2 neighbours
        self.assertGreater(len({frozenset(pair) for pair in self.candidates(scanned) if scanned.id in pair}),
                           len(found), "the default limit reads more neighbours")

    def test_homonyms_in_a_crowded_zip_are_always_candidates(self):
        # the same name as many others nearby: the exact pass finds it beyond the neighbourhood
        crowd = self._crowd(lambda i, _suffix: f"Sara Bianchi{chr(97 + i)}", 12)
        sara = self._person("Sara Bianchi", zip="40121")
        twin = self._person("Bianchi Sara", zip="40121")
        with self.limit(1):
            self.assertIn(frozenset((sara.id, twin.id)), self.candidates(crowd | sara | twin))

    def test_typo_in_the_first_word_is_found_by_the_rotated_key(self):
        # "vrzelli zoe" and "wrzelli zoe" sort far apart (a crowd of "vt..." names in between); the
        # rotated key (last word first: "zoe vrzelli", "zoe wrzelli") brings them together
        crowd = self._crowd(lambda i, _suffix: f"Vt{chr(97 + i % 20)}{chr(97 + i // 20)}ini", 40)
        vrzelli = self._person("Zoe Vrzelli", zip="40121")
        typo = self._person("Zoe Wrzelli", zip="40121")
        Rule = self.env["customer.match.rule"]
        sorted_only = [p for p in Rule._blocking_passes() if p.key == "name_zip_near_00"]
        with self.limit(2):
            self.assertNotIn((vrzelli.id, typo.id), Rule._candidate_pairs((vrzelli | typo).ids, passes=sorted_only))
            self.assertIn(frozenset((vrzelli.id, typo.id)), self.candidates(crowd | vrzelli | typo))

    def test_blocking_indexes_are_gin_expression_indexes(self):
        self.env.cr.execute("""
            SELECT indexname, indexdef FROM pg_indexes
             WHERE tablename = 'res_partner' AND indexname LIKE 'res_partner__cu_%%_name_blocks_index'
             ORDER BY indexname
        """)
        indexes = dict(self.env.cr.fetchall())
        self.assertEqual(sorted(indexes), ["res_partner__cu_city_key_name_blocks_index",
                                           "res_partner__cu_house_key_name_blocks_index",
                                           "res_partner__cu_zip_key_name_blocks_index"])
        for definition in indexes.values():
            self.assertIn("USING gin (customer_unification_name_blocks(", definition)

    def test_same_zip_and_similar_name_is_a_candidate(self):
        # nothing but the zip and the (swapped, misspelt) name in common
        mario = self._person("Mario Rossi", zip="20121", city="Milano")
        other = self._person("Rossi Maria", zip="20121", street="Via Dante 4")
        self.assertIn(frozenset((mario.id, other.id)), self.candidates(mario | other))

    def test_same_zip_without_a_word_starting_alike_is_not_compared(self):
        anna = self._person("Anna Bianchi", zip="20121")
        luca = self._person("Luca Verdi", zip="20121")
        self.assertNotIn(frozenset((anna.id, luca.id)), self.candidates(anna | luca))

    def test_other_zip_is_not_compared_by_name(self):
        mario = self._person("Mario Rossi", zip="20121")
        other = self._person("Mario Rossi", zip="00184")
        self.assertNotIn(frozenset((mario.id, other.id)), self.candidates(mario | other))

    def test_partner_without_zip_is_compared_within_its_city(self):
        nozip = self._person("Giulia Ferraro", city="Torino")
        zipped = self._person("Ferrari Giulia", zip="10121", city="Torino")
        elsewhere = self._person("Giulia Ferraro", city="Genova")
        found = self.candidates(nozip | zipped | elsewhere)
        self.assertIn(frozenset((nozip.id, zipped.id)), found)
        self.assertNotIn(frozenset((nozip.id, elsewhere.id)), found)

    def test_misspelt_name_in_a_crowded_zip_is_the_only_candidate(self):
        # a crowded zip: the pass finds the one similar name and compares it with nobody else
        crowd = self._crowd(lambda _i, suffix: f"Cliente {suffix}z Numero", 60)
        vrzelli = self._person("Anna Vrzelli", zip="40121")
        typo = self._person("Anna Vrzeli", zip="40121")
        found = self.candidates(crowd | vrzelli | typo)
        self.assertIn(frozenset((vrzelli.id, typo.id)), found)
        self.assertEqual([pair for pair in found if pair & {vrzelli.id, typo.id}], [frozenset((vrzelli.id, typo.id))])

    def test_typing_check_reads_the_nearest_names_anywhere(self):
        # no place typed yet: the check still finds the same name, among the nearest names only
        self.Partner.create([
            {"name": f"Giovanni Esposit{chr(97 + i)}", "zip": str(10100 + i), "is_company": False}
            for i in range(20)
        ])
        target = self._person("Giovanni Esposito", zip="80121")
        Rule = self.env["customer.match.rule"]
        profile = Rule._profile_from_values({"name": "Esposito Giovanni", "is_company": False})
        with patch.object(type(Rule), "_match_candidate_cap", lambda self: 3):
            matches = Rule._match_profile(profile, limit=10, threshold=0.0)
        self.assertLessEqual(len(matches), 3)
        self.assertIn(target.id, [match["partner_id"] for match in matches])
        for kind in ("company", "individual"):
            self.env.cr.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                                [f"res_partner__cu_name_key_{kind}_gist_index"])
            self.assertIn("USING gist (cu_name_key gist_trgm_ops) WHERE", self.env.cr.fetchone()[0])
