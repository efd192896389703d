from odoo.tests import TransactionCase, tagged

from ..tools import normalize


@tagged("post_install", "-at_install")
class TestNormalize(TransactionCase):
    def test_email_display_name_and_mailto(self):
        self.assertEqual(normalize.normalize_email('"Mario" <Mario.Rossi@Example.COM>'), "mario.rossi@example.com")
        self.assertEqual(normalize.normalize_email(" mailto:A@B.it "), "a@b.it")
        self.assertEqual(normalize.normalize_email("not an email"), "")

    def test_phone_national_and_international_give_same_e164(self):
        national = normalize.normalize_phone("02 1234 5678", "IT", 39)
        self.assertEqual(national, "+390212345678")
        self.assertEqual(normalize.normalize_phone("+39 02 12345678", "IT", 39), national)
        self.assertEqual(normalize.normalize_phone("0039 02-1234-5678", "IT", 39), national)

    def test_phone_other_country_and_too_short(self):
        self.assertEqual(normalize.normalize_phone("(202) 555-0143", "US", 1), "+12025550143")
        self.assertEqual(normalize.normalize_phone("123", "IT", 39), "")

    def test_vat_prefix_and_checksum(self):
        self.assertEqual(normalize.normalize_vat("it 007 431 101 57"), "IT00743110157")
        self.assertEqual(normalize.normalize_vat("00743110157", "IT"), "IT00743110157")
        self.assertTrue(normalize.vat_is_valid("IT00743110157"))
        self.assertFalse(normalize.vat_is_valid("IT00743110158"))
        self.assertTrue(normalize.vat_is_valid("DE136695976"))

    def test_company_registry(self):
        self.assertEqual(normalize.normalize_company_registry("mi-1234 567"), "MI1234567")

    def test_website_to_domain(self):
        self.assertEqual(normalize.normalize_website("https://WWW.Acme.it/contact?x=1"), "acme.it")
        self.assertEqual(normalize.normalize_website("acme.it:8080"), "acme.it")
        self.assertEqual(normalize.normalize_website("localhost"), "")

    def test_company_name_legal_suffixes(self):
        for variant in ("Acme S.r.l.", "ACME SRL", "Acme Srl", "acme s.p.a.", "Acme GmbH", "Acme SARL",
                        "Acme Ltd", "Acme, Inc."):
            self.assertEqual(normalize.normalize_name(variant, is_company=True), "acme", variant)

    def test_person_name_accents_punctuation_and_order(self):
        self.assertEqual(normalize.normalize_name("Rossi, Mario"), "mario rossi")
        self.assertEqual(normalize.normalize_name("NICCOLÒ D'Amico"), "damico niccolo")

    def test_person_name_key_reads_the_name_like_the_scoring(self):
        # titles dropped and particles glued for persons: the blocking keys agree where the names do
        for variant in ("Dott. Mario De Luca", "MR DELUCA, MARIO", "Sig. Mario Deluca"):
            self.assertEqual(normalize.normalize_name(variant), "deluca mario", variant)
            self.assertEqual(normalize.phonetic_key(normalize.normalize_name(variant)), "MR TLK", variant)
        self.assertEqual(normalize.normalize_name("Sig.ra Anna Neri"), "anna neri")  # a title's ending
        self.assertEqual(normalize.normalize_name("Dott.ssa Anna Neri"), "anna neri")
        self.assertEqual(normalize.normalize_name("Mr"), "mr")  # nothing but a title: kept
        # a company's name keeps its words (legal forms aside)
        self.assertEqual(normalize.normalize_name("Studio Dott. De Luca S.r.l.", is_company=True),
                         "de dott luca studio")

    def test_street_abbreviations_and_house_number(self):
        self.assertEqual(normalize.normalize_street("P.zza Garibaldi n. 3"), "piazza garibaldi 3")
        self.assertEqual(normalize.normalize_street("Piazza Garibaldi, 3"), "piazza garibaldi 3")
        self.assertEqual(normalize.normalize_street("V. Roma 12/A"), normalize.normalize_street("Via Roma, 12 a"))
        self.assertEqual(normalize.normalize_street("12 Main St."), "main street 12")
        self.assertEqual(normalize.street_house_number("Via Roma, 12/A"), "12a")

    def test_flat_number_is_not_the_house_number(self):
        for street in ("Via Roma 5 int. 8", "Via Roma 5 interno 3/B", "Via Roma, 5"):
            self.assertEqual(normalize.street_parts(normalize.normalize_street(street)), ("via roma", "5"), street)
        self.assertEqual(normalize.normalize_street("Flat 3, 12 Main St"), "main street 12")
        # no other number: the only one is kept, and a street named like a unit word keeps its number
        self.assertEqual(normalize.normalize_street("Flat 3, Kings Road"), "kings road 3")
        self.assertEqual(normalize.normalize_street("Via della Scala 12"), "via della scala 12")

    def test_city_province_code_in_brackets(self):
        for city in ("Messina (ME)", "MESSINA ( me )", "Messina"):
            self.assertEqual(normalize.normalize_city(city), "messina", city)
        self.assertEqual(normalize.normalize_city("Albany (NY)"), "albany")
        # not a code: kept
        self.assertEqual(normalize.normalize_city("Frankfurt (Oder)"), "frankfurt oder")

    def test_zip_and_city(self):
        self.assertEqual(normalize.normalize_zip("187", "IT"), "00187")
        self.assertEqual(normalize.normalize_zip("sw1a 1aa", "GB"), "SW1A1AA")
        self.assertEqual(normalize.normalize_zip("I-20121", "IT"), "20121")  # country prefix
        self.assertEqual(normalize.normalize_zip("20121 (MI)", "IT"), "20121")  # province after the code
        self.assertEqual(normalize.normalize_zip("02134-1234", "US"), "02134")  # ZIP+4
        self.assertEqual(normalize.normalize_zip("114 55", "SE"), "11455")
        self.assertEqual(normalize.normalize_zip("1012 AB", "NL"), "1012AB")  # letters belong to the code
        self.assertEqual(normalize.normalize_zip("20121 (MI)"), "20121MI", "country unknown: kept whole")
        self.assertEqual(normalize.normalize_city("Forlì"), "forli")
        self.assertEqual(normalize.normalize_city("St. Louis"), "saint louis")

    def test_similarities(self):
        self.assertEqual(normalize.trigram_similarity("mario rossi", "mario rossi"), 1.0)
        self.assertLess(normalize.trigram_similarity("mario rossi", "luca rossi"), 0.5)
        self.assertEqual(normalize.token_set_similarity("Rossi Mario", "mario rossi"), 1.0)
        self.assertAlmostEqual(normalize.edit_similarity("mario", "mairo"), 0.8)
        self.assertEqual(normalize.exact_similarity("", ""), 0.0)

    def test_given_name_variants_table(self):
        forms = normalize.given_name_forms
        self.assertIn("giuseppe", forms("pino"))
        self.assertIn("michele", forms("lele"))
        self.assertTrue(forms("lele") >= {"gabriele", "emanuele", "daniele", "michele"})
        self.assertFalse(forms("giovanni") & forms("antonio"), "full names do not meet through a short form")
        self.assertTrue(forms("kathryn") & forms("kate"), "a spelling variant and a short form of the name")
        self.assertEqual(forms("xyzzy"), {"xyzzy"}, "an unknown word stands for itself")

    def test_given_name_variants_can_be_added(self):
        def forget():
            for word in ("wojciech", "wojtek"):
                normalize._GIVEN_NAME_FORMS.pop(word, None)
            normalize.given_name_forms.cache_clear()

        self.addCleanup(forget)
        self.assertFalse(normalize.given_name_forms("wojtek") & normalize.given_name_forms("wojciech"))
        normalize.add_given_name_variants({"wojciech": "wojtek"})
        self.assertIn("wojciech", normalize.given_name_forms("wojtek"))
        self.assertTrue(normalize.is_known_given_name("wojtek"))
