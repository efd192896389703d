import random
from unittest.mock import patch

from odoo.tests import Form, tagged

from ..tools import fellegi_sunter as fs
from ..tools import normalize
from .common import CustomerUnificationMatchCase

FIRST = ["Giovanni", "Lucia", "Marco", "Elena", "Paolo", "Chiara", "Sergio", "Marta", "Bruno", "Irene",
         "Franco", "Silvia", "Dario", "Nadia", "Enzo", "Rita", "Ugo", "Vera", "Aldo", "Olga"]
LAST = ["Bertolucci", "Zanardelli", "Quagliarini", "Fumagalli", "Scarpellini", "Trevisani", "Lombroso",
        "Mazzocchi", "Pellegatti", "Ronchetti", "Sbarbaro", "Tagliaferri", "Vercellone", "Zampieri",
        "Benedettini", "Cattaneo", "Dellavalle", "Faccincani", "Gorgonzoli", "Innocenti"]
STREETS = ["Via Garibaldi", "Via Mazzini", "Corso Italia", "Via Verdi", "Piazza Duomo", "Via Roma",
           "Viale Europa", "Via Dante", "Via Manzoni", "Via Cavour"]
CITIES = [("40121", "Bologna"), ("20121", "Milano"), ("10121", "Torino"), ("50121", "Firenze"),
          ("16121", "Genova"), ("35121", "Padova"), ("37121", "Verona"), ("43121", "Parma")]


@tagged("post_install", "-at_install")
class TestFellegiSunterEstimation(CustomerUnificationMatchCase):
    """The EM function alone, on synthetic comparison vectors (no database needed)."""

    def test_em_recovers_known_m_and_prior(self):
        rng = random.Random(3)
        true_m = [[0.85, 0.10, 0.05], [0.70, 0.20, 0.10], [0.90, 0.05, 0.05], [0.6, 0.25, 0.1, 0.05]]
        true_u = [[0.02, 0.08, 0.90], [0.05, 0.10, 0.85], [0.01, 0.04, 0.95], [0.01, 0.04, 0.15, 0.80]]
        prior = 0.2

        def draw(probabilities):
            return rng.choices(range(len(probabilities)), probabilities)[0]

        vectors = []
        for _index in range(20000):
            params = true_m if rng.random() < prior else true_u
            vectors.append(tuple(None if rng.random() < 0.1 else draw(row) for row in params))
        m_init = [[0.5, 0.3, 0.2], [0.5, 0.3, 0.2], [0.5, 0.3, 0.2], [0.4, 0.3, 0.2, 0.1]]
        m, estimated_prior, _expected, iterations, support = fs.expectation_maximisation(
            vectors, m_init, true_u, prior=0.05)
        self.assertAlmostEqual(estimated_prior, prior, delta=0.02)
        for row, expected_row in zip(m, true_m, strict=True):
            for value, expected in zip(row, expected_row, strict=True):
                self.assertAlmostEqual(value, expected, delta=0.03)
        self.assertGreater(iterations, 1)
        self.assertTrue(all(value > 0 for value in support))

    def test_fixed_levels_keep_their_m(self):
        """A level fixed by prior knowledge keeps its m through EM; the others share the rest."""
        rng = random.Random(3)
        vectors = [(0, 0)] * 300 + [(2, 0)] * 100 + [(rng.choice([1, 2]), rng.choice([1, 2])) for _i in range(5000)]
        m = [[0.7, 0.2, 0.1], [0.8, 0.1, 0.1]]
        u = [[0.01, 0.09, 0.9], [0.01, 0.09, 0.9]]
        free_m = fs.expectation_maximisation(vectors, m, u, prior=0.05)[0]
        self.assertGreater(free_m[0][2], 0.1, "EM alone counts the (2, 0) pairs as matches")
        fixed_m = fs.expectation_maximisation(vectors, m, u, prior=0.05, fixed={0: {2}})[0]
        self.assertEqual(fixed_m[0][2], 0.1)
        self.assertAlmostEqual(sum(fixed_m[0]), 1.0)
        self.assertLess(fs.match_weight(0.0, 0.9), -35, "m = 0: the level practically rules a match out")

    def test_capped_levels_stay_under_their_cap(self):
        """Namesakes (name agrees, e-mail far) outnumber the duplicates: EM alone takes them for the
        match class and learns that duplicates mostly have another e-mail; a cap bounds that m."""
        vectors = [(0, 0)] * 100 + [(0, 2)] * 1000 + [(2, 2)] * 20000
        m = [[0.8, 0.1, 0.1], [0.75, 0.1, 0.15]]
        u = [[0.01, 0.04, 0.95], [0.0001, 0.001, 0.9989]]
        free_m = fs.expectation_maximisation(vectors, m, u, prior=0.01)[0]
        self.assertGreater(free_m[1][2], 0.5, "without the cap the namesakes drive m of a far e-mail up")
        capped_m = fs.expectation_maximisation(vectors, m, u, prior=0.01, caps={1: {2: 0.5}})[0]
        self.assertLessEqual(capped_m[1][2], 0.5 + 1e-9)
        self.assertAlmostEqual(sum(capped_m[1]), 1.0)

    def test_random_pairs_within_groups(self):
        groups = [[0, 1, 2], [3], [4, 5]]
        pairs = fs.random_pairs_within(groups, 10, seed=1)
        self.assertEqual(set(pairs), {(0, 1), (0, 2), (1, 2), (4, 5)}, "every pair shares a group, none repeated")
        self.assertEqual(fs.random_pairs_within([[1], [2]], 5), [])

    def test_person_name_parts_and_alignment(self):
        parts = normalize.person_name_parts
        self.assertEqual(parts("Sig. Maria Grazia De Luca"), (("maria", "grazia", "deluca"), ""))
        self.assertEqual(parts("D'Angelo, Anna"), (("dangelo", "anna"), "family_first"))
        self.assertEqual(fs.person_name_alignment(parts("ROSSI GIUSEPPE"), parts("Giuseppe Rossi")),
                         ("giuseppe", "rossi", "giuseppe", "rossi"))
        self.assertEqual(fs.person_name_alignment(parts("Rossi"), parts("Mario Rossi")),
                         ("", "rossi", "mario", "rossi"))

    def test_street_with_a_word_dropped_or_initialled_is_close(self):
        def street(left, right):
            words = [normalize.street_parts(normalize.normalize_street(value))[0] for value in (left, right)]
            return fs.level_street(*words)

        self.assertEqual(street("Via Giuseppe Garibaldi 22", "via giuseppe garibaldi"), 0)
        self.assertEqual(street("V. Garibaldi 92", "Via Giuseppe Garibaldi 22"), 1)  # given name dropped
        self.assertEqual(street("Via G. Garibaldi", "Via Giuseppe Garibaldi"), 1)  # given name initialled
        self.assertEqual(street("v. Verdi", "Via Giuseppe Veerdi"), 1)  # dropped, and a typo
        self.assertEqual(street("Via Verdi", "Via Giuseppe Mazzini"), 2)  # the distinctive word differs
        self.assertEqual(street("Via G. Verdi", "Via G. Rossini"), 2)
        self.assertEqual(street("High Street", "Station Street"), 2)
        self.assertEqual(street("Corso Roma", "Via Roma"), 2)

    def test_short_forms_and_spellings_of_given_names(self):
        def given(left, right):
            return fs.level_given_name(normalize.person_name_parts(left), normalize.person_name_parts(right))

        self.assertEqual(given("Lele Costa", "Michele Costa"), 1)  # a short form is close
        self.assertEqual(given("Maso Neri", "Tommaso Neri"), 1)
        self.assertEqual(given("Kathryn Hill", "Kate Hill"), 1)  # a spelling variant's short form
        self.assertEqual(given("Steve Hill", "Stefano Hill"), 1)
        self.assertEqual(given("Nino Rossi", "Toto Rossi"), 1)  # two short forms of Antonio
        # two full names sharing a short form (Nino: Giovanni, Antonio) stay two names
        self.assertEqual(given("Giovanni Rossi", "Antonio Rossi"), 4)
        # a mistyped short form, or a mistyped full name, still stands for its name
        self.assertEqual(given("Pnio Verdi", "Giuseppe Verdi"), 1)
        self.assertEqual(given("Jsck Smith", "John Smith"), 1)
        self.assertEqual(given("Sallvatire Greco", "Turi Greco"), 1)
        # a known given name is never read as a typo of another one
        self.assertTrue(normalize.is_known_given_name("carlo"))
        self.assertFalse(normalize.given_name_forms_within_typo("carlo"))
        self.assertEqual(given("Gianni Rossi", "Giorgio Rossi"), 4)
        self.assertEqual(given("Xyzq Rossi", "Mario Rossi"), 4)  # nothing known that close

    def test_street_word_with_a_typo_still_agrees(self):
        def street(left, right):
            words = [normalize.street_parts(normalize.normalize_street(value))[0] for value in (left, right)]
            return fs.level_street(*words)

        # the type of street mistyped and a given name dropped: still the same street
        self.assertEqual(street("L.go Oberdan 140", "Latgo Guglielmo Oberdan 104"), 1)
        self.assertEqual(street("Via Giovanni Pasxoli 6", "V. Pascoli 6"), 1)
        self.assertEqual(street("Largo Oberdan", "Corso Garibaldi"), 2)

    def test_given_and_family_name_levels(self):
        def levels(left, right):
            left, right = normalize.person_name_parts(left), normalize.person_name_parts(right)
            return fs.level_given_name(left, right), fs.level_family_name(left, right)

        self.assertEqual(levels("Mario Rossi", "ROSSI, MARIO"), (0, 0))
        self.assertEqual(levels("Mario Rossi", "Mraio Rosis"), (1, 1))  # typos
        self.assertEqual(levels("Giuseppe Verdi", "Pino Verdi"), (1, 0))  # a usual short form
        self.assertEqual(levels("William Smith", "Bill Smith"), (1, 0))
        self.assertEqual(levels("M. Rossi", "Mario Rossi"), (2, 0))  # an initial
        # the initial of a usual form of the name: Pino (Giuseppe), Dick (Richard), Tonino (Antonio)
        self.assertEqual(levels("Lombardi, P.", "Giuseppe Lombardi"), (2, 0))
        self.assertEqual(levels("Mr. R. Jones", "Dick Jones"), (2, 0))
        self.assertEqual(levels("A. Villoni", "Tonino Villoni"), (2, 0))
        self.assertEqual(levels("M Turner", "Polly Turner"), (2, 0))  # Polly, a form of Mary
        self.assertEqual(levels("A. Rossi", "Mario Rossi"), (4, 0))  # no form of Mario starts with A
        self.assertEqual(normalize.given_name_initials("xyzq"), {"x"})
        self.assertEqual(levels("Maria Grazia Rossi", "Maria Rossi"), (2, 0))  # a compound given name cut
        self.assertEqual(levels("David Jones", "Dabve Jones"), (1, 0))  # a typo of Dave, a short form
        self.assertEqual(levels("Elena Rossi", "Elisa Rossi"), (3, 0))  # spelt alike: the data decides
        self.assertEqual(levels("Mario Rossi", "Anna Rossi"), (4, 0))  # a relative
        self.assertEqual(levels("Rossi", "Mario Rossi"), (None, 0))  # no given name: missing, not far
        self.assertEqual(levels("Anna Bianchi", "Luca Verdi"), (4, 2))
        # a shared word that is also a given name is read as the shared family name: relatives
        self.assertEqual(levels("Emma Robert", "Paul Robert"), (4, 0))
        self.assertEqual(levels("Caruso Marco", "Maria Caruso")[1], 0)
        self.assertEqual(levels("Rossi Mario", "Mario Rosi"), (1, 0))  # a swap and a typo: still alike
        # one typo in a short family name: close, although its Jaro-Winkler falls under 0.92
        self.assertEqual(levels("Jones, Lisa", "Jpnes, Lisa"), (0, 1))
        self.assertEqual(levels("Wood, Lisa", "Wodo, Lisa"), (0, 1))
        self.assertEqual(levels("Wood, Lisa", "Ward, Lisa"), (0, 2))

    def test_token_alignment_takes_the_scorer(self):
        exact = normalize.exact_similarity
        self.assertEqual(normalize.aligned_token_similarity(["rossi", "mario"], ["mario", "rossi"], exact), 1.0)
        self.assertEqual(normalize.aligned_token_similarity(["mario"], ["mario", "rossi"], exact), 0.5)
        self.assertEqual(normalize.aligned_token_similarity([], ["mario"], exact), 0.0)
        self.assertAlmostEqual(fs.name_similarity("mario rossi", "rossi mario"), 1.0)

    def test_mailbox_spelling_the_name(self):
        self.assertEqual(fs.mailbox_letters("Isla.Smith63@Yahoo.com"), "islasmith")
        for mailbox in ("mario.rossi", "rossi_mario85", "mrossi", "rossim", "rossi", "MARIO-ROSSI-1970"):
            self.assertTrue(fs.mailbox_spells_name(mailbox, "mario rossi"), mailbox)
        for mailbox in ("mario.rossi.shop", "kitty77", "marossi", "info", ""):
            self.assertFalse(fs.mailbox_spells_name(mailbox, "mario rossi"), mailbox)
        self.assertFalse(fs.mailbox_spells_name("mario.rossi", None))

    def test_u_from_random_pairs_and_absent_field(self):
        vectors = [(0, None), (2, None), (2, None), (1, None)] * 50
        u = fs.estimate_u(vectors, [3, 3], exact_u=[0.01, None])
        self.assertIsNone(u[1], "a field never filled gets no u, hence no weight")
        self.assertAlmostEqual(u[0][0], 0.01)
        self.assertAlmostEqual(sum(u[0]), 1.0)
        self.assertAlmostEqual(fs.exact_u_from_frequencies(["a", "a", "b", "b"]), 2 * 2 / 12)

    def test_term_frequency_adjustment(self):
        table = fs.term_frequencies(["rossi"] * 30 + ["bianchi"] * 2 + ["verdi", None, ""])
        self.assertEqual(table["n"], 33)
        self.assertEqual(table["counts"], {"rossi": 30, "bianchi": 2})
        self.assertAlmostEqual(table["u"], (30 * 29 + 2 * 1) / (33 * 32))
        self.assertAlmostEqual(fs.value_frequency(table, "rossi"), 30 / 33)
        self.assertAlmostEqual(fs.value_frequency(table, "verdi"), 1 / 33, msg="unseen: counted once")
        self.assertIsNone(fs.value_frequency({}, "rossi"))
        # a value more common than the average agreement weighs less, a rarer one more, capped
        self.assertAlmostEqual(fs.term_frequency_adjustment(0.01, 0.04), -2.0)
        self.assertAlmostEqual(fs.term_frequency_adjustment(0.01, 0.005), 1.0)
        self.assertEqual(fs.term_frequency_adjustment(0.01, 0.00001), fs.TF_MAX_BOOST)
        self.assertEqual(fs.term_frequency_adjustment(0.01, None), 0.0)

    def test_weights_and_probability(self):
        self.assertAlmostEqual(fs.match_weight(0.9, 0.09), 3.3219, places=3)
        self.assertAlmostEqual(fs.probability(0.0), 0.5)
        self.assertAlmostEqual(fs.probability(fs.prior_weight(0.2)), 0.2)

    def test_levels_use_the_similarity_library(self):
        self.assertEqual(fs.level_name("mario rossi", "mario rossi"), 0)
        self.assertEqual(fs.level_name("mario rossi", "mario rosis"), 1)
        self.assertEqual(fs.level_name("mario rossi", "rossi"), 2)
        self.assertEqual(fs.level_name("m rossi", "mario rossi"), 2)
        self.assertEqual(fs.level_name("giovanni rossi", "rossi vanni"), 3)
        self.assertEqual(fs.level_name("anna bianchi", "luca verdi"), 4)
        self.assertEqual(fs.level_code("40121", "40112"), 1)  # swapped digits
        self.assertEqual(fs.level_code("40121", "40131"), 1)  # one typo
        self.assertEqual(fs.level_code("40121", "20100"), 2)
        self.assertEqual(fs.level_text("bologna", "bolgona"), 1)


@tagged("post_install", "-at_install")
class TestLearnedModel(CustomerUnificationMatchCase):
    """Weights estimated from the partners of one company (names and addresses only)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env["customer.match.rule"].create({
            "name": "Other company individuals", "applies_to": "individual",
            "company_id": cls.other_company.id, "threshold": 0.9, "sequence": 1, "scoring": "learned"})
        rng = random.Random(11)
        vals = []
        for index in range(200):
            first, last = FIRST[index % 20], LAST[(index * 7) % 20]
            zip_code, city = CITIES[index % 8]
            record = {"name": f"{first} {last}", "street": f"{STREETS[index % 10]} {rng.randint(1, 150)}",
                      "zip": zip_code, "city": city, "is_company": False, "company_id": cls.other_company.id}
            vals.append(record)
            if index % 4 == 0:  # a duplicate keyed in again, with a typo in one field
                dup = dict(record, name=f"{last} {first}")
                field = ["street", "zip", "city", "name"][index % 16 // 4]
                dup[field] = dup[field][:-2] + dup[field][-1] + dup[field][-2]
                vals.append(dup)
        cls.partners = cls.Partner.create(vals)
        cls.model = cls.env["customer.match.model"].create(
            {"applies_to": "individual", "company_id": cls.other_company.id})

    def test_estimation_learns_only_the_fields_in_use(self):
        self.assertFalse(self.model._cu_needs_estimation(), "too few customers: default priors")
        self.assertTrue(self.model._cu_needs_estimation(min_partners=2))
        self.assertTrue(self.model._cu_estimate(min_partners=2))
        self.assertEqual(self.model.state, "estimated")
        self.assertEqual(self.model.partner_count, len(self.partners))
        learned = set(self.model.line_ids.mapped("field"))
        self.assertTrue({"given_name", "family_name", "street", "house_number", "zip", "city"} <= learned)
        self.assertNotIn("name", learned, "persons: the name is compared as given and family name")
        self.assertFalse(learned & {"email", "phone", "vat", "company_registry", "website"},
                         "a field absent from the database gets no weight")
        params = self.env["customer.match.model"]._cu_params("individual", self.other_company.id)
        self.assertEqual(params["model_id"], self.model.id)
        self.assertNotIn("vat", params["fields"])
        for line in self.model.line_ids:
            self.assertAlmostEqual(line.weight, fs.match_weight(line.m, line.u), places=2)
        # explanations only list the learned fields
        _score, explanation = self.rule._score_pair(self.partners[0], self.partners[1])
        self.assertNotIn("vat", {line["field"] for line in explanation})

    def test_drift_check(self):
        self.model._cu_estimate(min_partners=2)
        count = len(self.partners)
        self.assertFalse(self.model._cu_needs_estimation(count=count + 1, min_partners=2))
        self.assertTrue(self.model._cu_needs_estimation(count=int(count * 1.5), min_partners=2))
        self.model.date_estimated = "2000-01-01 00:00:00"
        self.assertTrue(self.model._cu_needs_estimation(count=count, min_partners=2))
        self.model._cu_estimate(min_partners=2)
        self.assertFalse(self.model._cu_needs_estimation(count=count, min_partners=2))
        # estimated before persons compared given and family name apart: re-estimated
        self.model.line_ids[:1].copy({"field": "name", "level": "exact"})
        self.assertTrue(self.model._cu_needs_estimation(count=count, min_partners=2))

    def test_scan_reuses_the_estimate_until_the_customers_drift(self):
        """A scan estimates the weights once, the next scans reuse them, a scan after the customers
        changed by more than ``drift_share`` estimates them again."""
        Model = self.registry["customer.match.model"]
        estimate = Model._cu_estimate
        estimated = []

        def counting_estimate(model, *args, **kwargs):
            estimated.append(model.id)
            return estimate(model, *args, **kwargs)

        def scan():
            estimated.clear()
            self.env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
            return [model_id for model_id in estimated if model_id == self.model.id]

        with patch.object(Model, "_cu_min_partners", lambda model: 2), \
                patch.object(Model, "_cu_estimate", counting_estimate):
            self.assertEqual(scan(), [self.model.id], "never estimated: the first scan estimates")
            lines = self.model.line_ids
            self.assertEqual(scan(), [], "same customers: the estimate is reused")
            self.assertEqual(self.model.line_ids, lines)
            self.Partner.create([{"name": f"Nuovo Cliente{index}", "city": "Zzyzx", "company_id":
                                  self.other_company.id} for index in range(int(len(self.partners) * 0.1))])
            self.assertEqual(scan(), [], "a change under the drift share: still reused")
            self.Partner.create([{"name": f"Altro Cliente{index}", "city": "Zzyzx", "company_id":
                                  self.other_company.id} for index in range(int(len(self.partners) * 0.2))])
            self.assertEqual(scan(), [self.model.id], "the customers drifted: estimated again")
            self.assertNotEqual(self.model.line_ids, lines)

    def test_scan_estimates_in_its_first_partitions(self):
        """Start returns without estimating: the scan's first partitions estimate the drifted models,
        one partition per model, before any partner is compared; the pairs carry the new weights."""
        Model = self.registry["customer.match.model"]
        with patch.object(Model, "_cu_min_partners", lambda model: 2):
            job = self.env["customer.scan.job"].create({"mode": "full"})
            job.action_start()
            self.assertEqual(self.model.state, "default", "Start does not estimate")
            estimations = job.partition_ids.filtered("model_id")
            self.assertIn(self.model, estimations.model_id)
            self.assertEqual(len(estimations), len(estimations.model_id), "one partition per model")
            self.assertEqual(set(estimations.mapped("partner_count")), {0})
            self.assertEqual(job.total_count, sum(job.partition_ids.mapped("partner_count")))
            # a second scan queued meanwhile does not estimate the same models again
            other = self.env["customer.scan.job"].create({"mode": "full"})
            other._create_estimation_partitions(self.env["customer.match.model"]._cu_models_to_estimate())
            self.assertFalse(other.partition_ids)
            other.unlink()
            Trigger = self.env["ir.cron.trigger"].sudo()
            for _estimation in estimations:
                triggers = Trigger.search_count([])
                self.assertEqual(job._process_chunk(), 0)
                # the workers that found the weights being estimated are woken for the partners
                self.assertGreater(Trigger.search_count([]), triggers)
            self.assertEqual(set(estimations.mapped("state")), {"done"})
            self.assertEqual(self.model.state, "estimated")
            self.assertEqual(job.processed_count, 0, "no partner compared before the weights are estimated")
            job._run_to_completion()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.processed_count, job.total_count)
        pairs = self.env["customer.duplicate.pair"].search(
            [("scan_job_id", "=", job.id), ("partner_a_id", "in", self.partners.ids)])
        self.assertTrue(pairs)
        prior = next(line for line in pairs[0].explanation if line["field"] == "prior")
        self.assertAlmostEqual(prior["weight"], fs.prior_weight(self.model.prior), places=2)

    def test_failed_estimation_does_not_stop_the_scan(self):
        Model = self.registry["customer.match.model"]

        def broken_estimate(model, *args, **kwargs):
            model.write({"iterations": 99})  # undone with the failed estimation
            raise ValueError("no memory left")

        with patch.object(Model, "_cu_min_partners", lambda model: 2), \
                patch.object(Model, "_cu_estimate", broken_estimate), self.assertLogs(
                    "odoo.addons.customer_unification.models.customer_scan_job", level="ERROR") as logs:
            job = self.env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
        self.assertTrue(any(f"the weights of {self.model.id} could not be estimated" in line for line in logs.output))
        self.assertEqual(job.state, "done")
        self.assertEqual(job.processed_count, job.total_count)
        self.assertEqual(set(job.partition_ids.mapped("state")), {"done"})
        self.assertEqual((self.model.state, self.model.iterations), ("default", 0))
        self.assertIn("could not be estimated", job.message_ids[0].body)
        self.assertIn("no memory left", job.message_ids[0].body)

    def test_cached_weights_follow_an_estimation_by_another_process(self):
        """The weights cached before another process estimated the model are dropped before a scan
        compares partners, even when that process's cache invalidation came before its commit."""
        Model = self.env["customer.match.model"]
        self.assertEqual(Model._cu_params("individual", self.other_company.id)["state"], "default")
        self.assertFalse(Model._cu_ensure_fresh_params(), "nothing estimated: the cache is right")
        # what another process commits: the model estimated, without this process's cache being told
        with patch.object(type(self.env.registry), "clear_cache", lambda registry, *args: None):
            self.model._cu_estimate(min_partners=2)
        self.assertEqual(Model._cu_params("individual", self.other_company.id)["state"], "default", "stale")
        self.assertTrue(Model._cu_ensure_fresh_params())
        params = Model._cu_params("individual", self.other_company.id)
        self.assertEqual((params["model_id"], params["date_estimated"]), (self.model.id, self.model.date_estimated))
        self.assertFalse(Model._cu_ensure_fresh_params())

    def test_batch_scoring_matches_pair_by_pair(self):
        """The scan's batch scoring (values extracted once per customer, one comparison for the score
        and the explanation, pairs dropped early) gives every pair the score and explanation of scoring
        it alone, and keeps exactly the pairs reaching the threshold."""
        self.model._cu_estimate(min_partners=2)
        Rule = self.env["customer.match.rule"]
        pairs = sorted(set(Rule._candidate_pairs(self.partners.ids)) | {
            (self.partners[i].id, self.partners[j].id) for i, j in ((0, 2), (3, 40), (7, 8))})
        alone = {(a, b): self.rule._score_pair(self.Partner.browse(a), self.Partner.browse(b)) for a, b in pairs}
        batch = {(a, b): (score, explanation)
                 for a, b, score, explanation, _rule in Rule._score_candidate_pairs(pairs, threshold=0.0)}
        self.assertEqual(batch, alone)
        # at the rule's threshold a pair is dropped as soon as the fields left cannot lift it there
        kept = {(a, b): (score, explanation)
                for a, b, score, explanation, _rule in Rule._score_candidate_pairs(pairs)}
        self.assertEqual(kept, {pair: scored for pair, scored in alone.items() if scored[0] >= self.rule.threshold})
        self.assertTrue(kept and len(kept) < len(pairs), "some pairs reach the threshold, others not")

    def test_explanation_weights_sum_to_the_pair_weight(self):
        self.model._cu_estimate(min_partners=2)
        for partner_a, partner_b in [(self.partners[0], self.partners[1]), (self.partners[0], self.partners[5])]:
            score, explanation = self.rule._score_pair(partner_a, partner_b)
            total = sum(line["weight"] for line in explanation)
            self.assertEqual(explanation[0]["field"], "prior")
            self.assertAlmostEqual(fs.probability(total), score, delta=0.001)
            for line in explanation:
                self.assertIn(line["level"], ("prior", "exact", "close", "subset", "partial", "far", "missing"))
                if line["level"] == "missing":
                    self.assertEqual(line["weight"], 0.0)

    def test_common_names_weigh_less(self):
        """Term frequencies: two namesakes with a common family name get less weight from it than two
        with a rare one, and the explanation still adds up to the pair's score."""
        self.model._cu_estimate(min_partners=2)
        family = self.model.term_frequencies["family_name"]
        self.assertEqual(family["n"], len(self.partners))
        common = max(family["counts"], key=family["counts"].get)
        self.assertGreater(self.model.frequency_values, 0)
        pairs = self.Partner.create([
            {"name": f"Ottavio {common.title()}", "city": "Zzyzx", "company_id": self.other_company.id},
            {"name": f"Ottavio {common.title()}", "city": "Zzyzx", "company_id": self.other_company.id},
            {"name": "Ottavio Quarantotto", "city": "Zzyzx", "company_id": self.other_company.id},
            {"name": "Ottavio Quarantotto", "city": "Zzyzx", "company_id": self.other_company.id},
        ])

        def family_weight(partner_a, partner_b):
            score, explanation = self.rule._score_pair(partner_a, partner_b)
            self.assertAlmostEqual(fs.probability(sum(line["weight"] for line in explanation)), score, delta=0.001)
            return next(line["weight"] for line in explanation if line["field"] == "family_name")

        self.assertLess(family_weight(pairs[0], pairs[1]), family_weight(pairs[2], pairs[3]))

    def test_mailbox_spelling_the_name_is_not_counted(self):
        """Namesakes have "name + number" mailboxes at the same providers (isla.smith63@ / isla.smith70@,
        mario.rossi@gmail / mario.rossi@libero): the e-mail is then not counted, neither for nor
        against; a typo in the letters of the mailbox is still a close e-mail, a mailbox that is not
        the name (a shop, a nickname) still counts. (Default priors: the estimation on these partners,
        who have no e-mail, would give the field no weight at all.)"""

        def email_line(email_a, email_b, name_b="Isla Smith"):
            partner_a, partner_b = self.Partner.create([
                {"name": "Isla Smith", "email": email_a, "city": "Zzyzx", "company_id": self.other_company.id},
                {"name": name_b, "email": email_b, "city": "Zzyzx", "company_id": self.other_company.id},
            ])
            score, explanation = self.rule._score_pair(partner_a, partner_b)
            self.assertAlmostEqual(fs.probability(sum(line["weight"] for line in explanation)), score, delta=0.001)
            return next(line for line in explanation if line["field"] == "email")

        for email_a, email_b in (("isla.smith63@yahoo.com", "isla.smith70@yahoo.com"),
                                 ("isla.smith@gmail.com", "isla.smith@libero.it"),
                                 ("ismith12@gmx.de", "ISmith4@gmx.de")):
            line = email_line(email_a, email_b)
            self.assertEqual(line["weight"], 0.0, (email_a, email_b))
            self.assertIn("not counted", line["label"])
            self.assertEqual(line["level"], "close", "the explanation still says how alike they are")
        for email_a, email_b, name_b in (
                ("isla.smith63@yahoo.com", "isla.smtih63@yahoo.com", "Isla Smith"),  # a typo
                ("bottega.isla@gmail.com", "bottega.isla@libero.it", "Isla Smith"),  # not the name
                ("isla.smith@gmail.com", "isla.smith@libero.it", "Isla Brown")):  # not the other's name
            line = email_line(email_a, email_b, name_b)
            self.assertEqual((line["level"], line["label"]), ("close", "Email"), (email_a, email_b))
            self.assertGreater(line["weight"], 0, (email_a, email_b))

    def test_scan_finds_the_duplicates_with_learned_weights(self):
        self.model._cu_estimate(min_partners=2)
        self.env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
        pairs = self.env["customer.duplicate.pair"].search([("partner_a_id", "in", self.partners.ids)])
        self.assertTrue(pairs)
        self.assertEqual(pairs, pairs.sorted("score", reverse=True))
        self.assertTrue(all(pair.score >= 0.9 for pair in pairs))


    def test_overridden_field_comparison_reaches_scan_and_typing_check(self):
        """``_cu_compare_field`` is the one comparison of learned rules: a consultant's override of it
        changes the scan's pairs and the check while typing alike (here: no field is ever counted,
        so nothing reaches the threshold)."""
        self.model._cu_estimate(min_partners=2)
        Rule = self.env["customer.match.rule"]
        original, twin = self.partners[0], self.partners[1]  # keyed in twice (setUpClass)
        profile = Rule._profile_from_record(twin)
        self.assertIn(original.id, [match["partner_id"] for match in Rule._match_profile(profile)],
                      "without the override the twin is found while typing")
        with patch.object(self.registry["customer.match.rule"], "_cu_compare_field", lambda *args: None):
            self.env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
            matches = Rule._match_profile(profile)
        self.assertFalse(self.env["customer.duplicate.pair"].search([("partner_a_id", "in", self.partners.ids)]))
        self.assertFalse(matches)

@tagged("post_install", "-at_install")
class TestTypoProofBlocking(CustomerUnificationMatchCase):
    """A names-and-addresses-only duplicate with a typo in any single field is still a candidate."""

    BASE = {"name": "Giovanni Bertolucci", "street": "Via Garibaldi 15", "zip": "40121", "city": "Bologna"}
    VARIANTS = {
        "name typo": {"name": "Giovanni Bertoluci"},
        "first letters": {"name": "Giovanni Pertolucci"},
        "swapped names": {"name": "Bertolucci Giovanni"},
        "nickname": {"name": "Gianni Bertolucci"},
        "street typo": {"street": "Via Garibladi 15"},
        "house number typo": {"street": "Via Garibaldi 51"},
        "zip typo": {"zip": "40112"},
        "city typo": {"city": "Bolgona"},
        "zip missing": {"zip": False},
        "city missing": {"city": False},
        "street missing": {"street": False},
    }

    def _manual_rules(self):
        """Every rule switched to manual weights (the shipped ones are learned)."""
        self.env["customer.match.rule"].search([]).write({"scoring": "manual", "threshold": 0.7})

    def test_single_typo_keeps_the_pair_a_candidate(self):
        base = self._person(**self.BASE)
        Rule = self.env["customer.match.rule"]
        for label, change in self.VARIANTS.items():
            with self.subTest(label):
                other = self._person(**dict(self.BASE, **change))
                pairs = Rule._candidate_pairs(other.ids)
                self.assertIn(tuple(sorted((base.id, other.id))), pairs)
                other.active = False

    def test_typo_proof_passes_follow_the_scoring(self):
        """The phonetic / house-number passes run when a learned rule is active (manual rules
        cannot use the pairs they add)."""
        Rule = self.env["customer.match.rule"]
        self.assertEqual(set(Rule.search([]).mapped("scoring")), {"learned"}, "the shipped rules are learned")
        self.assertIn("phonetic_region", [p.key for p in Rule._blocking_passes()])
        self._manual_rules()
        self.assertNotIn("phonetic_region", [p.key for p in Rule._blocking_passes()])
        self.env.ref("customer_unification.customer_match_rule_individual").scoring = "learned"
        self.assertIn("phonetic_region", [p.key for p in Rule._blocking_passes()])

    def test_mistyped_zip_and_city_stay_a_candidate(self):
        """Two place fields mistyped (and another house number): the phonetic name key within the
        region (the zip's first three characters) still proposes the pair to learned rules."""
        Rule = self.env["customer.match.rule"]
        base = self._person(**self.BASE)
        other = self._person(**dict(self.BASE, zip="40112", city="Bolgona", street="Via Garibladi 51"))
        pair = tuple(sorted((base.id, other.id)))
        self._manual_rules()
        self.assertNotIn(pair, Rule._candidate_pairs(other.ids), "manual rules: no typo-proof passes")
        self.env.ref("customer_unification.customer_match_rule_individual").scoring = "learned"
        region = [p for p in Rule._blocking_passes() if p.key == "phonetic_region"]
        self.assertIn(pair, Rule._candidate_pairs(other.ids, passes=region))
        far = self._person(**dict(self.BASE, zip="90121", city="Palermo"))
        self.assertNotIn(tuple(sorted((base.id, far.id))), Rule._candidate_pairs(far.ids, passes=region))

    def _learned_passes(self, prefix):
        self.env.ref("customer_unification.customer_match_rule_individual").scoring = "learned"
        return [p for p in self.env["customer.match.rule"]._blocking_passes() if p.key.startswith(prefix)]

    def test_city_pass_with_address_evidence_finds_an_initial_and_a_mistyped_zip(self):
        """Mistyped zip and an initial for the given name: the names are too unlike for the zip and
        city passes, the same house number in the same city makes the pair a candidate; a namesake of
        that city at another address is not."""
        Rule = self.env["customer.match.rule"]
        base = self._person("Daniele Romano", street="Piazza Provinciale 33", zip="34068", city="Trieste")
        other = self._person("Romano, D.", street="P.zza Provinciale 33", zip="34086", city="Trieste")
        namesake = self._person("Romano, D.", street="Via Roma 5", zip="34121", city="Trieste")
        pair = tuple(sorted((base.id, other.id)))
        self._manual_rules()  # the zip and city passes of manual rules
        place_passes = [p for p in Rule._blocking_passes() if p.key.startswith(("name_zip", "name_city"))]
        self.assertNotIn(pair, Rule._candidate_pairs(other.ids, passes=place_passes), "names too unlike")
        city_address = self._learned_passes("name_city_address")
        self.assertTrue(city_address)
        self.assertIn(pair, Rule._candidate_pairs(other.ids, passes=city_address))
        self.assertNotIn(tuple(sorted((base.id, namesake.id))),
                         Rule._candidate_pairs(namesake.ids, passes=city_address))

    def test_zip_pass_of_learned_rules_reads_less_alike_names(self):
        """A nickname in the same zip ("Katia" / "Caterina", names 0.29 alike in trigrams) with streets
        spelt alike: learned rules, which weigh the address too, compare it; manual rules need names
        alike at 0.4, and so do learned rules when the streets differ."""
        Rule = self.env["customer.match.rule"]
        base = self._person("Caterina Longo", street="Via Camillo Cavour 4", zip="30164", city="Venezia")
        other = self._person("Katia Longo", street="Via Camillo Cavour 7", zip="30164", city="Venezia")
        elsewhere = self._person("Katia Longo", street="Piazzale Roma 90", zip="30164", city="Venezia")
        unlike = self._person("Paolo Bianchi", zip="30164", city="Venezia")
        pair = tuple(sorted((base.id, other.id)))
        self._manual_rules()
        zip_passes = [p for p in Rule._blocking_passes() if p.key.startswith("name_zip")]
        self.assertNotIn(pair, Rule._candidate_pairs(other.ids, passes=zip_passes))
        zip_passes = self._learned_passes("name_zip")
        self.assertIn(pair, Rule._candidate_pairs(other.ids, passes=zip_passes))
        self.assertNotIn(tuple(sorted((base.id, unlike.id))), Rule._candidate_pairs(unlike.ids, passes=zip_passes))
        self.assertNotIn(tuple(sorted((base.id, elsewhere.id))),
                         Rule._candidate_pairs(elsewhere.ids, passes=zip_passes))

    def test_city_pass_without_a_street_needs_names_alike(self):
        """One side has no street (no house number or street can agree) and the zip is mistyped: the
        names alike as the zip passes require (a swap, an initial) make the pair a candidate, in
        whichever order the two are scanned; not in another city."""
        Rule = self.env["customer.match.rule"]
        base = self._person("Lucia Barbieri", street="Corso Roma 2", zip="81853", city="Messina")
        other = self._person("Barbieri Lucia", zip="81833", city="Messina")
        initial = self._person("L. Barbieri", zip="81383", city="Messina")
        elsewhere = self._person("Barbieri Lucia", zip="81833", city="Catania")
        city_address = self._learned_passes("name_city_address")
        pair = tuple(sorted((base.id, other.id)))
        self.assertIn(pair, Rule._candidate_pairs(other.ids, passes=city_address))
        self.assertIn(pair, Rule._candidate_pairs(base.ids, passes=city_address))
        self.assertIn(tuple(sorted((base.id, initial.id))), Rule._candidate_pairs(initial.ids, passes=city_address))
        self.assertNotIn(tuple(sorted((base.id, elsewhere.id))),
                         Rule._candidate_pairs(elsewhere.ids, passes=city_address))

    def test_city_pass_does_not_depend_on_which_partner_has_no_zip(self):
        """A partner without zip is compared within its city, scanned first or last (full scans
        compare each partner with the higher ids only)."""
        Rule = self.env["customer.match.rule"]
        with_zip = self._person("Teresa Capello", zip="40127", city="Bologna")
        without_zip = self._person("Teresa Capelo", city="Bologna")
        self.assertLess(with_zip.id, without_zip.id)
        city_address = self._learned_passes("name_city_address")
        self.assertIn((with_zip.id, without_zip.id),
                      Rule._candidate_pairs((with_zip | without_zip).ids, only_higher=True, passes=city_address))

    def test_same_street_in_the_region_needs_no_name_alike(self):
        """The same street and house number in one city, names keyed in differently (initial, typo,
        swapped) and the zip mistyped: a candidate; the same street key in another region is not."""
        Rule = self.env["customer.match.rule"]
        base = self._person("Deborah Jones", street="Via Verdi 83", zip="40121", city="Bologna")
        other = self._person("Jnoes, D.", street="Via Verdi 83", zip="40211", city="Bologna")
        elsewhere = self._person("Jnoes, D.", street="Via Verdi 83", zip="90121", city="Palermo")
        street_region = self._learned_passes("street_region")
        self.assertIn(tuple(sorted((base.id, other.id))), Rule._candidate_pairs(other.ids, passes=street_region))
        self.assertNotIn(tuple(sorted((base.id, elsewhere.id))),
                         Rule._candidate_pairs(elsewhere.ids, passes=street_region))

    def test_same_street_in_a_city_spelt_alike(self):
        """The same street and house number, the zip missing on one side and the city keyed in with
        its province ("Afragola NA"): the region is a city spelt alike."""
        Rule = self.env["customer.match.rule"]
        base = self._person("Enrico Bassi", street="Corso Volta 6", zip="80021", city="Afragola")
        other = self._person("Chicco Bassi", street="CORSO VOLTA 6", city="AFRAGOLA NA")
        elsewhere = self._person("Chicco Bassi", street="Corso Volta 6", city="Bergamo")
        street_region = self._learned_passes("street_region")
        self.assertIn(tuple(sorted((base.id, other.id))), Rule._candidate_pairs(other.ids, passes=street_region))
        self.assertNotIn(tuple(sorted((base.id, elsewhere.id))),
                         Rule._candidate_pairs(elsewhere.ids, passes=street_region))

    def test_partner_without_place_meets_its_namesake_on_the_same_street(self):
        """An address keyed in without zip and city: the same name on a street spelt alike anywhere is
        a candidate, scanned first or last; the same name on another street is not."""
        Rule = self.env["customer.match.rule"]
        placed = self._person("Giovanni Conti", street="Via Camillo Cavour 3 int. 1", zip="64385", city="Monenico")
        placeless = self._person("Giovanni Conti", street="Via Camillo Cavour")
        other_street = self._person("Giovanni Conti", street="Viale Europa 12")
        passes = self._learned_passes(("name_no_place", "no_place_name"))
        self.assertEqual(len(passes), 2)
        pair = (placed.id, placeless.id)
        for scanned in (placed, placeless):
            self.assertIn(pair, Rule._candidate_pairs(scanned.ids, passes=passes))
        self.assertIn(pair, Rule._candidate_pairs((placed | placeless).ids, only_higher=True, passes=passes))
        self.assertNotIn(tuple(sorted((placeless.id, other_street.id))),
                         Rule._candidate_pairs(other_street.ids, passes=passes))

    def test_phonetic_key_is_order_independent(self):
        first = self._person("Giovanni Bertolucci")
        second = self._person("Giovani Bertolucci")
        self.assertTrue(first.cu_phonetic_key)
        self.assertEqual(first.cu_phonetic_key, second.cu_phonetic_key)
        self.assertEqual(self._person("Via", street="Via Roma 12b").cu_house_key, "12b")


@tagged("post_install", "-at_install")
class TestManualOverride(CustomerUnificationMatchCase):
    def test_rules_are_learned_by_default_and_manual_on_request(self):
        """The shipped rules and a new rule score with learned weights at a probability of 0.9; a
        manager who switches a rule to manual weights in the form gets the manual threshold (0.7)."""
        for xmlid in ("customer_match_rule_company", "customer_match_rule_individual"):
            rule = self.env.ref(f"customer_unification.{xmlid}")
            self.assertEqual((rule.scoring, rule.threshold), ("learned", 0.9))
            self.assertTrue(rule.line_ids, "the manual lines ship too, for the override")
        with Form(self.env["customer.match.rule"].with_user(self.unif_manager)) as form:
            form.name = "Shops"
            self.assertEqual((form.scoring, form.threshold), ("learned", 0.9))
            form.scoring = "manual"
            self.assertEqual(form.threshold, 0.7)
            form.scoring = "learned"
            self.assertEqual(form.threshold, 0.9)
            form.scoring = "manual"
        self.assertEqual((form.record.scoring, form.record.threshold), ("manual", 0.7))

    def test_manual_rule_keeps_weighted_sum(self):
        rule = self.env.ref("customer_unification.customer_match_rule_individual")
        rule.scoring = "manual"
        mario = self._person("Mario Quercetti", email="mario.q@example.com", zip="20121", city="Milano")
        dup = self._person("Quercetti Mario", email="mario.q@example.com", zip="20121", city="Milano")
        score, explanation = rule._score_pair(mario, dup)
        self.assertFalse(any("level" in line for line in explanation))
        by_field = {line["field"]: line for line in explanation}
        expected = sum(line.weight for line in rule.line_ids if line.field in ("name", "email", "zip", "city"))
        self.assertAlmostEqual(score, min(expected, 1.0), places=3)
        self.assertEqual(by_field["email"]["contribution"], rule.line_ids.filtered(
            lambda line: line.field == "email").weight)
        rule.scoring = "learned"
        learned_score, learned_explanation = rule._score_pair(mario, dup)
        self.assertTrue(all("level" in line for line in learned_explanation))
        self.assertGreater(learned_score, 0.99)
