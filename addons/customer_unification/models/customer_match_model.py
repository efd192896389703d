import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, ormcache

from ..tools import fellegi_sunter as fs

_logger = logging.getLogger(__name__)


class CustomerMatchModel(models.Model):
    """Fellegi–Sunter parameters of one kind of partner (companies / individuals) and company.

    ``u`` comes from random pairs of the database's partners, ``m`` and the
    prior λ from expectation–maximisation on the blocked candidate pairs (see
    ``tools/fellegi_sunter.py``). Until a model is estimated, the default
    priors of ``customer.match.rule._cu_match_fields`` are used.
    """

    _name = "customer.match.model"
    _description = "Customer Match Model (learned weights)"
    _order = "applies_to, company_id, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    applies_to = fields.Selection(
        [("company", "Companies"), ("individual", "Individuals")], required=True, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, help="Empty: shared by every company.")
    state = fields.Selection(
        [("default", "Default Priors"), ("estimated", "Estimated")], default="default", required=True,
        readonly=True)
    date_estimated = fields.Datetime("Estimated On", readonly=True)
    partner_count = fields.Integer(
        "Customers at Estimation", readonly=True,
        help="Customers of this kind when the weights were estimated (drift check).")
    sample_partners = fields.Integer("Sampled Customers", readonly=True)
    sample_random_pairs = fields.Integer("Random Pairs (u)", readonly=True)
    sample_candidate_pairs = fields.Integer("Candidate Pairs (EM)", readonly=True)
    iterations = fields.Integer("EM Iterations", readonly=True)
    prior = fields.Float(
        "Prior (random pair match)", digits=(16, 8), readonly=True,
        help="λ: probability that two customers drawn at random are the same customer.")
    prior_weight = fields.Float("Prior Weight (log2 odds)", compute="_compute_prior_weight", digits=(16, 4))
    drift_share = fields.Float(
        "Re-estimate After Change Of", default=0.2, digits=(3, 2),
        help="A scan re-estimates the weights when the number of customers changed by more than this share.")
    max_age_days = fields.Integer(
        "Re-estimate After (days)", default=30, help="A scan re-estimates the weights older than this.")
    line_ids = fields.One2many("customer.match.model.line", "model_id", string="Weights", readonly=True)
    term_frequencies = fields.Json(
        readonly=True, help="Per field with term-frequency adjustments: how many customers hold each common "
                            "value (counted on a sample at estimation).")
    frequency_values = fields.Integer(
        "Common Values Counted", compute="_compute_frequency_values",
        help="Values seen at least twice in the sample, whose exact agreement weighs by its frequency.")

    @api.depends("applies_to", "company_id")
    def _compute_name(self):
        labels = dict(self._fields["applies_to"]._description_selection(self.env))
        for model in self:
            model.name = " - ".join(filter(None, [labels.get(model.applies_to), model.company_id.name]))

    @api.depends("term_frequencies")
    def _compute_frequency_values(self):
        for model in self:
            model.frequency_values = sum(len(table.get("counts", {}))
                                         for table in (model.term_frequencies or {}).values())

    @api.depends("prior")
    def _compute_prior_weight(self):
        for model in self:
            model.prior_weight = fs.prior_weight(model.prior) if model.prior else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        self._cu_clear_params_cache()
        return super().create(vals_list)

    def write(self, vals):
        self._cu_clear_params_cache()
        return super().write(vals)

    def unlink(self):
        self._cu_clear_params_cache()
        return super().unlink()

    @api.model
    def _cu_clear_params_cache(self):
        """Forget the cached weights (:meth:`_cu_params`) now and again when the transaction commits:
        another thread of this process may cache the weights it still sees in between."""
        self.env.registry.clear_cache()
        self.env.cr.postcommit.add(self.env.registry.clear_cache)

    @api.model
    def _cu_ensure_fresh_params(self):
        """Clear the cached weights when a model was estimated since they were cached: by another
        process (a scan worker on another server), whose cache invalidation this process may have
        received before that worker's transaction was committed. Called before a scan compares
        partners; one query."""
        self.flush_model(["state", "date_estimated", "applies_to", "company_id"])
        self.env.cr.execute(SQL(
            "SELECT id, applies_to, company_id, date_estimated FROM customer_match_model WHERE state = 'estimated'"))
        for model_id, applies_to, company_id, date_estimated in self.env.cr.fetchall():
            # the weights scans of this kind and company read must be this model's latest ones
            params = self._cu_params(applies_to, company_id or False)
            if (params.get("model_id"), params.get("date_estimated")) != (model_id, date_estimated):
                self.env.registry.clear_cache()
                return True
        return False

    # ------------------------------------------------------------------
    # Parameters used by the scoring
    # ------------------------------------------------------------------

    @api.model
    def _cu_default_params(self, applies_to):
        """Parameters from the documented default priors (before the first estimation)."""
        rule = self.env["customer.match.rule"]
        result = {}
        for name, spec in rule._cu_match_fields_of(applies_to).items():
            result[name] = {
                "m": tuple(spec["m"]), "u": tuple(spec["u"]),
                "weights": tuple(fs.match_weight(m, u) for m, u in zip(spec["m"], spec["u"], strict=True)),
            }
        return {"prior": rule._cu_default_prior(), "fields": result, "model_id": False, "state": "default"}

    @api.model
    @ormcache("applies_to", "company_id")
    def _cu_params(self, applies_to, company_id):
        """Parameters for a kind of partner and company: the company's estimated model, else the shared
        one, else the default priors. Cached (cleared when a model changes)."""
        models_ = self.sudo().search([("applies_to", "=", applies_to), ("state", "=", "estimated"),
                                      ("company_id", "in", [company_id or False, False])])
        model = models_.filtered(lambda m: m.company_id.id == company_id)[:1] or models_[:1]
        if not model:
            return self._cu_default_params(applies_to)
        return model._cu_params_of_model()

    def _cu_params_of_model(self):
        self.ensure_one()
        result = defaultdict(lambda: {"m": {}, "u": {}})
        match_fields = self.env["customer.match.rule"]._cu_match_fields()
        for line in self.line_ids:
            spec = match_fields.get(line.field)
            if spec and line.level in spec["levels"]:
                result[line.field]["m"][line.level] = line.m
                result[line.field]["u"][line.level] = line.u
        params = {}
        for name, values in result.items():
            levels = match_fields[name]["levels"]
            if all(level in values["m"] for level in levels):
                m = tuple(values["m"][level] for level in levels)
                u = tuple(values["u"][level] for level in levels)
                params[name] = {"m": m, "u": u,
                                "weights": tuple(fs.match_weight(a, b) for a, b in zip(m, u, strict=True))}
        return {"prior": self.prior, "fields": params, "model_id": self.id, "state": self.state,
                "date_estimated": self.date_estimated, "term_frequencies": self.term_frequencies or {}}

    # ------------------------------------------------------------------
    # Estimation
    # ------------------------------------------------------------------

    @api.model
    def _cu_min_partners(self):
        """Fewer customers of a kind than this: the default priors are kept (too little evidence)."""
        return 500

    @api.model
    def _cu_sample_limits(self):
        """Bounds of one estimation: sampled partners, random pairs (u), candidate pairs (EM), and the
        partners whose values are counted for the term frequencies."""
        return {"partners": 5000, "random_pairs": 20000, "candidate_pairs": 50000, "min_support": 20,
                "prior_strength": 0.0, "frequency_partners": 50000, "min_place_pairs": 1000}

    @api.model
    def _cu_ensure_models(self):
        """One model per (kind, company) of the active learned rules (default priors until estimated)."""
        keys = {(rule.applies_to, rule.company_id.id or False)
                for rule in self.env["customer.match.rule"].sudo().search([("scoring", "=", "learned")])}
        existing = {(m.applies_to, m.company_id.id or False): m for m in self.sudo().search([])}
        missing = [{"applies_to": kind, "company_id": company} for kind, company in sorted(
            keys - set(existing), key=lambda k: (k[0], k[1] or 0))]
        created = self.sudo().create(missing) if missing else self.browse()
        for model in created:
            model._cu_write_lines(self._cu_default_params(model.applies_to)["fields"])
            model.prior = self.env["customer.match.rule"]._cu_default_prior()
        return self.sudo().search([]).filtered(lambda m: (m.applies_to, m.company_id.id or False) in keys)

    @api.model
    def _cu_models_to_estimate(self, force=False):
        """The models of the active learned rules whose customers drifted (or that never were estimated):
        a scan estimates them before comparing partners (see ``customer.scan.partition.model_id``)."""
        return self._cu_ensure_models().filtered(lambda model: force or model._cu_needs_estimation())

    @api.model
    def _cu_refresh(self, force=False):
        """Estimate now, one after the other, the models :meth:`_cu_models_to_estimate` returns (the
        ``dedupe`` command's ``--explain-model``, scripts)."""
        estimated = self._cu_models_to_estimate(force=force)
        for model in estimated:
            model._cu_estimate()
        return estimated

    def _cu_scope_sql(self, alias="p"):
        """Partners this model learns from: eligible, of its kind, of its company (if any)."""
        self.ensure_one()
        condition = SQL("%s AND %s.is_company = %s",
                        self.env["customer.match.rule"]._eligible_partner_sql(alias),
                        SQL.identifier(alias), self.applies_to == "company")
        if self.company_id:
            condition = SQL("%s AND %s.company_id = %s", condition, SQL.identifier(alias), self.company_id.id)
        return condition

    def _cu_scope_count(self):
        self.ensure_one()
        self.env["res.partner"].flush_model()
        self.env.cr.execute(SQL("SELECT count(*) FROM res_partner p WHERE %s", self._cu_scope_sql()))
        return self.env.cr.fetchone()[0]

    def _cu_needs_estimation(self, count=None, min_partners=None):
        """Drift check: never estimated, estimated on fields no longer compared for its kind, customer
        count changed by more than ``drift_share``, or too old.

        Below ``_cu_min_partners`` customers the default priors are kept.
        """
        self.ensure_one()
        count = self._cu_scope_count() if count is None else count
        if count < (self._cu_min_partners() if min_partners is None else min_partners):
            return False
        if self.state != "estimated" or not self.date_estimated:
            return True
        compared = self.env["customer.match.rule"]._cu_match_fields_of(self.applies_to)
        if set(self.line_ids.mapped("field")) - set(compared):
            return True  # estimated with fields this kind no longer compares (e.g. before given/family name)
        if self.partner_count and abs(count - self.partner_count) / self.partner_count > self.drift_share:
            return True
        return fields.Datetime.now() - self.date_estimated > timedelta(days=self.max_age_days or 0)

    def action_estimate(self):
        """Button: estimate the weights now from the current customers."""
        for model in self:
            model._cu_estimate(min_partners=2)
        return True

    def _cu_estimate(self, min_partners=None, limits=None, seed=42):
        """Estimate u (random pairs), then m and λ (EM on blocked pairs, u fixed) and store them.

        A field filled in fewer than ``min_support`` candidate pairs keeps its
        default m (too little evidence); a field no sampled customer fills gets
        no weight at all.
        """
        self.ensure_one()
        Rule = self.env["customer.match.rule"].sudo()
        limits = dict(self._cu_sample_limits(), **(limits or {}))
        min_support = limits["min_support"]
        min_partners = self._cu_min_partners() if min_partners is None else min_partners
        count = self._cu_scope_count()
        if count < max(min_partners, 2):
            return False
        match_fields = Rule._cu_match_fields_of(self.applies_to)
        names = list(match_fields)
        specs = [match_fields[name] for name in names]
        n_levels = [len(spec["levels"]) for spec in specs]

        # sample: a reproducible pseudo-random subset of the partners in scope
        self.env.cr.execute(SQL(
            "SELECT p.id FROM res_partner p WHERE %s ORDER BY md5(p.id::text) LIMIT %s",
            self._cu_scope_sql(), limits["partners"]))
        sample_ids = [row[0] for row in self.env.cr.fetchall()]
        profiles = Rule._profiles_from_ids(sample_ids)
        sample = [profiles[pid] for pid in sample_ids if pid in profiles]
        # each customer's compared values, extracted once for all the pairs it takes part in
        values = {profile["id"]: Rule._cu_profile_values(specs, profile) for profile in sample}

        def compare(profile_a, profile_b):
            return Rule._cu_compare_values(
                specs, profile_a, values[profile_a["id"]], profile_b, values[profile_b["id"]])

        # u: random pairs, the exact level from the value frequencies
        random_vectors = [
            compare(sample[i], sample[j]) for i, j in fs.random_pairs(limits["random_pairs"], len(sample), seed=seed)
        ]
        exact_u = [fs.exact_u_from_frequencies([
            self._cu_frequency_value(spec, (values[profile["id"]][p] or [None])[0])
            for profile in sample]) for p, spec in enumerate(specs)]
        u = fs.estimate_u(random_vectors, n_levels, exact_u)
        # names: u among neighbours (random pairs of one place), whom blocking compares; a pair of
        # neighbours agreeing on another field (an e-mail, a phone, the street...) may be one customer
        # and says nothing about how often different customers share a name: left out
        places = defaultdict(list)
        for index, profile in enumerate(sample):
            key = Rule._cu_place_key(profile)
            if key:
                places[key].append(index)
        others = [p for p, spec in enumerate(specs)
                  if not spec.get("u_within_place") and spec["keys"][0] not in Rule._cu_place_columns()]
        local_vectors = [
            vector for vector in (
                compare(sample[i], sample[j])
                for i, j in fs.random_pairs_within(places.values(), limits["random_pairs"], seed=seed))
            if not any(vector[p] == 0 for p in others)]
        u_local = fs.estimate_u(local_vectors, n_levels)
        for p, spec in enumerate(specs):
            compared = sum(1 for vector in local_vectors if vector[p] is not None)
            if spec.get("u_within_place") and u[p] is not None and u_local[p] is not None \
                    and compared >= limits["min_place_pairs"]:
                u[p] = u_local[p]

        # blocked candidate pairs (all passes), bounded
        all_pairs = set()
        budget = limits["candidate_pairs"]
        for start in range(0, len(sample_ids), 2000):
            found = Rule._candidate_pairs(sample_ids[start:start + 2000])
            all_pairs.update(found[:max(budget - len(all_pairs), 0)])
            if len(all_pairs) >= budget:
                break
        missing = {pid for pair in all_pairs for pid in pair} - set(profiles)
        profiles.update(Rule._profiles_from_ids(missing))
        values.update((pid, Rule._cu_profile_values(specs, profiles[pid])) for pid in missing if pid in profiles)
        vectors = [compare(profiles[a], profiles[b]) for a, b in sorted(all_pairs) if a in profiles and b in profiles]

        # m and λ by EM with u fixed, over every pair the candidates were drawn from (every sampled
        # customer against every customer in scope): the pairs no blocking pass proposes count as
        # non-matches, so λ is the probability that two random customers match, like u describes
        # random pairs; fields filled in fewer than min_support candidate pairs keep their default m
        drawn_from = len(sample) * (len(sample) - 1) / 2 + len(sample) * max(count - len(sample), 0)
        m_init = [list(spec["m"]) if u[p] is not None else None for p, spec in enumerate(specs)]
        free = {p for p in range(len(specs)) if u[p] is not None
                and sum(1 for vector in vectors if vector[p] is not None) >= min_support}
        # levels the data cannot tell (fixed_m, e.g. another given name: relatives at one address agree
        # on everything else, EM would take them for duplicates) keep their documented m
        fixed = {p: {spec["levels"].index(level) for level in spec.get("fixed_m", ())}
                 for p, spec in enumerate(specs) if spec.get("fixed_m")}
        caps = {p: {spec["levels"].index(level): cap for level, cap in spec["max_m"].items()}
                for p, spec in enumerate(specs) if spec.get("max_m")}
        m_est, prior, _expected, iterations, support = fs.expectation_maximisation(
            vectors, m_init, u, prior=Rule._cu_default_prior(), free=free,
            strength=limits["prior_strength"], total_pairs=drawn_from, fixed=fixed, caps=caps)
        m = [m_est[p] if p in free and support[p] >= min_support else m_init[p] for p in range(len(specs))]

        params = {
            name: {"m": tuple(m[p]), "u": tuple(u[p])}
            for p, name in enumerate(names) if m[p] is not None and u[p] is not None
        }
        self._cu_write_lines(params)
        self.write({
            "term_frequencies": self._cu_count_frequencies(
                {name: spec for name, spec in match_fields.items() if name in params}, limits["frequency_partners"]),
            "state": "estimated", "date_estimated": fields.Datetime.now(), "partner_count": count,
            "sample_partners": len(sample), "sample_random_pairs": len(random_vectors),
            "sample_candidate_pairs": len(vectors), "iterations": iterations, "prior": prior,
        })
        _logger.info("Match model %s estimated on %s customers, %s random and %s candidate pairs (λ=%.5f)",
                     self.display_name, len(sample), len(random_vectors), len(vectors), prior)
        return True

    def _cu_count_frequencies(self, match_fields, limit):
        """Term frequencies of the fields with a ``frequency_key``, counted on up to ``limit`` customers in
        scope (the same reproducible order as the sample): ``{field: fellegi_sunter.term_frequencies}``.

        Only the columns those fields read (their ``keys``) are fetched, in one query."""
        self.ensure_one()
        specs = {name: spec for name, spec in match_fields.items() if spec.get("frequency_key")}
        if not specs:
            return {}
        Rule = self.env["customer.match.rule"].sudo()
        columns = list(dict.fromkeys(key for spec in specs.values() for key in spec["keys"]))
        self.env["res.partner"].flush_model(columns)
        self.env.cr.execute(SQL(
            "SELECT %s FROM res_partner p WHERE %s ORDER BY md5(p.id::text) LIMIT %s",
            SQL(", ").join(SQL.identifier("p", column) for column in columns), self._cu_scope_sql(), limit))
        values = {name: [] for name in specs}
        for row in self.env.cr.fetchall():
            profile = dict(zip(columns, row, strict=True))
            for name, spec in specs.items():
                found = Rule._cu_field_values(spec, profile)
                values[name].append(self._cu_frequency_value(spec, found[0]) if found else None)
        return {name: fs.term_frequencies(found) for name, found in values.items()}

    @api.model
    def _cu_frequency_value(self, spec, value):
        """The value whose frequency among customers gives a field's exact-level ``u`` (see ``frequency_key``)."""
        return spec["frequency_key"](value) if value and spec.get("frequency_key") else value

    def _cu_write_lines(self, params):
        """Replace the weights table with ``{field: {"m": per level, "u": per level}}``."""
        self.ensure_one()
        match_fields = self.env["customer.match.rule"]._cu_match_fields()
        self.line_ids.unlink()
        vals = []
        for sequence, (name, spec) in enumerate(match_fields.items()):
            if name not in params:
                continue
            for index, level in enumerate(spec["levels"]):
                vals.append({
                    "model_id": self.id, "sequence": sequence * 10 + index, "field": name, "level": level,
                    "m": params[name]["m"][index], "u": params[name]["u"][index],
                })
        self.env["customer.match.model.line"].create(vals)
        self.env.registry.clear_cache()

    def _cu_weights_table(self):
        """Plain-text table of the weights (CLI ``--explain-model``)."""
        self.ensure_one()
        rows = [f"{self.display_name}: {self.state}, estimated {self.date_estimated or '-'}, "
                f"{self.sample_partners} customers, {self.sample_random_pairs} random pairs, "
                f"{self.sample_candidate_pairs} candidate pairs, prior λ={self.prior:.6f} "
                f"({self.prior_weight:+.2f} bits)",
                f"{'field':<18}{'level':<10}{'m':>10}{'u':>12}{'weight':>9}"]
        for line in self.line_ids:
            rows.append(f"{line.field:<18}{line.level:<10}{line.m:>10.4f}{line.u:>12.6f}{line.weight:>+9.2f}")
        return "\n".join(rows)


class CustomerMatchModelLine(models.Model):
    _name = "customer.match.model.line"
    _description = "Customer Match Model Weight"
    _order = "model_id, sequence, id"

    model_id = fields.Many2one("customer.match.model", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="model_id.company_id", store=True)
    sequence = fields.Integer()
    field = fields.Selection(selection="_selection_field", required=True)
    level = fields.Char(required=True, help="exact, close, subset, partial or far")
    m = fields.Float(
        "m (duplicates)", digits=(16, 6), help="Probability of this level when the two customers are the same.")
    u = fields.Float(
        "u (different)", digits=(16, 8), help="Probability of this level when they are different customers.")
    weight = fields.Float(
        "Match Weight", compute="_compute_weight", store=True, digits=(16, 2),
        help="log2(m / u): added to the pair's log2-odds when the field reaches this level.")

    @api.model
    def _selection_field(self):
        return [(name, spec["label"]) for name, spec in self.env["customer.match.rule"]._cu_match_fields().items()]

    @api.depends("m", "u")
    def _compute_weight(self):
        for line in self:
            line.weight = fs.match_weight(line.m, line.u) if line.u else 0.0
