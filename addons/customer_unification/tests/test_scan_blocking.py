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
        crowd = self.Partner.create([
            {"name": f"Cliente {chr(97 + i % 26)}{chr(97 + i // 26)}z Numero", "zip": "40121", "is_company": False}
            for i in range(60)
        ])
        vrzelli = self._person("Anna Vrzelli", zip="40121")
        typo = self._person("Anna Vrzeli", zip="40121")
        found = self.candidates(crowd | vrzelli | typo)
        self.assertIn(frozenset((vrzelli.id, typo.id)), found)
        self.assertEqual([pair for pair in found if pair & {vrzelli.id, typo.id}], [frozenset((vrzelli.id, typo.id))])
