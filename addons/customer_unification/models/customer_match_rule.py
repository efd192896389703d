from odoo import api, fields, models
from odoo.tools import SQL, ormcache

from ..tools import normalize

#: Per compared field: the normalized key columns and the raw columns shown to users.
FIELD_SPECS = {
    "name": (("cu_name_key",), ("name",)),
    "email": (("cu_email_key",), ("email",)),
    "phone": (("cu_phone_key", "cu_mobile_key"), ("phone", "mobile")),
    "vat": (("cu_vat_key",), ("vat",)),
    "company_registry": (("cu_registry_key",), ("company_registry",)),
    "website": (("cu_domain_key",), ("website",)),
    "street": (("cu_street_key",), ("street",)),
    "zip": (("cu_zip_key",), ("zip",)),
    "city": (("cu_city_key",), ("city",)),
}

PROFILE_COLUMNS = (
    "id", "is_company", "company_id", "parent_id", "name", "email", "phone", "mobile", "vat",
    "company_registry", "website", "street", "zip", "city", "cu_name_key", "cu_email_key",
    "cu_phone_key", "cu_mobile_key", "cu_vat_key", "cu_vat_valid", "cu_registry_key",
    "cu_domain_key", "cu_street_key", "cu_zip_key", "cu_city_key",
)

#: res_partner columns the blocking passes and their filters read (scanned and candidate partners).
BLOCK_COLUMNS = (
    "id", "active", "type", "is_company", "company_id", "parent_id", "cu_name_key", "cu_email_key",
    "cu_phone_key", "cu_mobile_key", "cu_vat_key", "cu_registry_key", "cu_domain_key",
    "cu_street_key", "cu_zip_key", "cu_city_key",
)

#: Minimum pg_trgm similarity of names for the zip / city blocking passes.
BLOCK_NAME_SIMILARITY = 0.5


class CustomerMatchRule(models.Model):
    _name = "customer.match.rule"
    _description = "Customer Match Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    applies_to = fields.Selection(
        [("company", "Companies"), ("individual", "Individuals")],
        required=True, default="company",
        help="Pairs are only compared between partners of the same kind.")
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to use the rule in every company.")
    threshold = fields.Float(
        default=0.7, required=True, digits=(3, 2),
        help="Pairs scoring at least this value (0 to 1) are proposed as duplicates.")
    prevention_mode = fields.Selection(
        [("off", "Off"), ("warn", "Warn"), ("block", "Block")],
        string="On Create", required=True, default="warn",
        help="Off: no banner. Warn: the partner form shows possible duplicates. "
             "Block: creating a partner that matches an existing one is refused "
             "(form, import and API).")
    line_ids = fields.One2many("customer.match.rule.line", "rule_id", string="Fields", copy=True)

    _sql_constraints = [
        ("threshold_range", "CHECK(threshold > 0 AND threshold <= 1)",
         "The threshold must be between 0 and 1."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @ormcache()
    def _has_blocking_rule(self):
        """Whether any active rule blocks creations (cached: partner creation stays query-free)."""
        return bool(self.sudo().with_context(active_test=True).search_count(
            [("prevention_mode", "=", "block")], limit=1))

    # ------------------------------------------------------------------
    # Profiles: the normalized view of a partner used by the scoring
    # ------------------------------------------------------------------

    @api.model
    def _profile_from_record(self, partner):
        """Profile of a (possibly unsaved) partner, normalized from its current values."""
        return self._profile_from_values(
            partner._cu_raw_values(), partner_id=partner._origin.id,
            company_id=partner.company_id.id, parent_id=partner.parent_id._origin.id)

    @api.model
    def _profile_from_values(self, raw, partner_id=False, company_id=False, parent_id=False):
        """Profile of raw values (keys of ``res.partner._cu_raw_values``), e.g. a lead or an import row."""
        profile = {col: raw.get(col) or False for col in PROFILE_COLUMNS[4:14]}
        profile.update(self.env["res.partner"]._cu_prepare_keys(raw))
        profile.update({
            "id": partner_id or False,
            "is_company": bool(raw.get("is_company")),
            "company_id": company_id or False,
            "parent_id": parent_id or False,
        })
        return profile

    @api.model
    def _profiles_from_ids(self, partner_ids):
        """Profiles of stored partners, read in one query: ``{id: profile}``."""
        if not partner_ids:
            return {}
        self.env["res.partner"].flush_model(PROFILE_COLUMNS[1:])
        self.env.cr.execute(SQL(
            "SELECT %s FROM res_partner WHERE id = ANY(%s)",
            SQL(", ").join(SQL.identifier(col) for col in PROFILE_COLUMNS), list(partner_ids),
        ))
        return {row[0]: dict(zip(PROFILE_COLUMNS, row, strict=True)) for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------
    # Rules selection
    # ------------------------------------------------------------------

    @api.model
    def _rules_index(self):
        """``{(applies_to, company_id|False): rule}``: the first active rule by sequence."""
        index = {}
        for rule in self.search([("active", "=", True)]):
            index.setdefault((rule.applies_to, rule.company_id.id or False), rule)
        return index

    @api.model
    def _rule_for_profile(self, profile, index=None):
        """Rule used for a partner: its company's rule, else the shared one."""
        index = self._rules_index() if index is None else index
        kind = "company" if profile["is_company"] else "individual"
        return index.get((kind, profile["company_id"])) or index.get((kind, False))

    # ------------------------------------------------------------------
    # Scoring
    # ------------------------------------------------------------------

    def _score_pair(self, partner_a, partner_b):
        """Score two stored partners with this rule (or the applicable one).

        :return: ``(score, explanation)`` where score is in [0, 1] and the
                 explanation lists one dict per rule line with ``field``,
                 ``label``, ``value_a``, ``value_b``, ``comparator``,
                 ``similarity`` and ``contribution``.
        """
        profiles = self._profiles_from_ids([partner_a.id, partner_b.id])
        profile_a, profile_b = profiles[partner_a.id], profiles[partner_b.id]
        rule = self[:1] or self._rule_for_profile(profile_a)
        if not rule:
            return 0.0, []
        return rule._score_profiles(profile_a, profile_b)

    def _score_profiles(self, profile_a, profile_b, specs=None):
        """Weighted sum of the line contributions, clipped to [0, 1].

        ``specs`` are the rule's line snapshots (see ``_line_specs``); pass them
        when scoring many pairs to avoid re-reading the lines.
        """
        self.ensure_one()
        explanation = []
        total = 0.0
        for line in specs if specs is not None else self._line_specs():
            entry = line._explain(profile_a, profile_b)
            total += entry["contribution"]
            explanation.append(entry)
        return max(0.0, min(1.0, round(total, 4))), explanation

    def _score_only(self, profile_a, profile_b, specs):
        """The score ``_score_profiles`` gives, without building the explanation (scan loops)."""
        total = 0.0
        for line in specs:
            total += line._contribution(profile_a, profile_b)
        return max(0.0, min(1.0, round(total, 4)))

    def _line_specs(self):
        """Rule lines as light snapshots for fast scoring loops."""
        self.ensure_one()
        labels = dict(self.env["customer.match.rule.line"]._fields["field"]._description_selection(self.env))
        return [_LineSpec(line, labels) for line in self.line_ids]

    # ------------------------------------------------------------------
    # Candidate generation (PostgreSQL)
    # ------------------------------------------------------------------

    @api.model
    def _blocking_conditions(self):
        """Blocking passes: ``(lookup, refine)`` SQL conditions on ``b`` (candidate) given ``a`` (scanned partner).

        Each pass looks up ``b`` for every scanned partner with ``lookup``
        alone (a fenced ``LATERAL`` subquery), so ``lookup`` must be answered
        by an index on ``b``; ``refine`` (or ``None``) is checked afterwards,
        with the eligibility, company and direction filters. Override to add
        or remove passes.
        """
        def name_blocks(place):
            # same place and a name word starting alike (GIN index, see res.partner._cu_init_name_blocks)
            return SQL(
                "customer_unification_name_blocks(b.%(place)s, b.cu_name_key)"
                " && customer_unification_name_blocks(a.%(place)s, a.cu_name_key)",
                place=SQL.identifier(place))

        similar_names = SQL("similarity(b.cu_name_key, a.cu_name_key) >= %s", BLOCK_NAME_SIMILARITY)
        return [
            (SQL("b.cu_email_key = a.cu_email_key"), None),
            (SQL("b.cu_phone_key = a.cu_phone_key"), None),
            (SQL("b.cu_mobile_key = a.cu_mobile_key"), None),
            (SQL("b.cu_phone_key = a.cu_mobile_key"), None),
            (SQL("b.cu_mobile_key = a.cu_phone_key"), None),
            (SQL("b.cu_vat_key = a.cu_vat_key"), None),
            (SQL("b.cu_registry_key = a.cu_registry_key"), None),
            (SQL("b.cu_domain_key = a.cu_domain_key"), None),
            (name_blocks("cu_zip_key"), similar_names),
            (SQL("b.cu_street_key = a.cu_street_key"), similar_names),
            (SQL("a.cu_zip_key IS NULL AND %s", name_blocks("cu_city_key")), similar_names),
        ]

    @api.model
    def _eligible_partner_sql(self, alias):
        """SQL condition selecting partners that take part in matching."""
        return SQL(
            "%(a)s.active AND %(a)s.cu_name_key IS NOT NULL AND COALESCE(%(a)s.type, 'contact') = 'contact'",
            a=SQL.identifier(alias),
        )

    @api.model
    def _candidate_pairs(self, partner_ids, only_higher=False):
        """Candidate pairs ``(a_id, b_id)`` with ``a_id < b_id`` for these partners.

        Blocking lookups run in PostgreSQL; pairs across companies (unless one
        partner is shared), parent/child pairs and pairs already marked as
        not duplicate or merged are excluded.  With ``only_higher`` a partner is
        only compared with partners of higher id (full scans, each pair once).
        """
        if not partner_ids:
            return []
        self.env["res.partner"].flush_model()
        self.env["customer.duplicate.pair"].flush_model(["state"])
        direction = SQL("b.id > a.id") if only_higher else SQL("b.id <> a.id")
        # The lookup of each pass is fenced (OFFSET 0) so that PostgreSQL answers it with
        # the pass's own index, per scanned partner, whatever it estimates for the filters;
        # the costly refinement (name similarity) only sees the rows the cheap filters keep.
        branches = [
            SQL(
                """SELECT a.id AS a_id, b.id AS b_id FROM scanned a
                   CROSS JOIN LATERAL (SELECT %s FROM res_partner b WHERE %s OFFSET 0) b
                    WHERE %s AND %s AND b.is_company = a.is_company
                      AND (a.company_id IS NULL OR b.company_id IS NULL OR a.company_id = b.company_id)
                      AND b.parent_id IS DISTINCT FROM a.id AND a.parent_id IS DISTINCT FROM b.id
                      AND %s""",
                SQL(", ").join(SQL.identifier("b", col) for col in BLOCK_COLUMNS),
                lookup, direction, self._eligible_partner_sql("b"), refine or SQL("TRUE"),
            )
            for lookup, refine in self._blocking_conditions()
        ]
        self.env.cr.execute(SQL(
            """
            WITH scanned AS MATERIALIZED (
                SELECT %(columns)s FROM res_partner a WHERE a.id = ANY(%(ids)s) AND %(eligible)s
            ), candidates AS (%(union)s)
            SELECT DISTINCT LEAST(c.a_id, c.b_id), GREATEST(c.a_id, c.b_id)
              FROM candidates c
         LEFT JOIN customer_duplicate_pair p
                ON p.partner_a_id = LEAST(c.a_id, c.b_id) AND p.partner_b_id = GREATEST(c.a_id, c.b_id)
             WHERE p.id IS NULL OR p.state = 'open'
            """,
            columns=SQL(", ").join(SQL.identifier("a", col) for col in BLOCK_COLUMNS),
            ids=list(partner_ids), eligible=self._eligible_partner_sql("a"),
            union=SQL(" UNION ").join(branches),
        ))
        return self.env.cr.fetchall()

    @api.model
    def _score_candidate_pairs(self, pairs, threshold=None):
        """Score pairs in bounded batches; return ``[(a, b, score, explanation, rule)]`` above threshold."""
        index = self._rules_index()
        specs = {rule.id: rule._line_specs() for rule in index.values()}
        profiles = self._profiles_from_ids({pid for pair in pairs for pid in pair})
        result = []
        for a_id, b_id in pairs:
            profile_a, profile_b = profiles.get(a_id), profiles.get(b_id)
            if not profile_a or not profile_b:
                continue
            rule = self._rule_for_profile(profile_a, index)
            if not rule:
                continue
            # most candidates fall below the threshold: explain only the pairs that are kept
            if rule._score_only(profile_a, profile_b, specs[rule.id]) < (
                    rule.threshold if threshold is None else threshold):
                continue
            score, explanation = rule._score_profiles(profile_a, profile_b, specs[rule.id])
            result.append((a_id, b_id, score, explanation, rule))
        return result

    @api.model
    def _match_profile(self, profile, limit=10, threshold=None):
        """Ranked matches of one (possibly unsaved) partner profile; a few indexed queries."""
        rule = self._rule_for_profile(profile)
        if not rule or not profile.get("cu_name_key"):
            return []
        phones = [p for p in (profile["cu_phone_key"], profile["cu_mobile_key"]) if p]
        # pg_trgm's "%" operator (index-backed); SQL() needs it as an escaped literal
        conditions = [SQL("b.cu_name_key %s %s", SQL("%%"), profile["cu_name_key"])]
        for column in ("cu_email_key", "cu_vat_key", "cu_registry_key", "cu_domain_key"):
            if profile[column]:
                conditions.append(SQL("b.%s = %s", SQL.identifier(column), profile[column]))
        if phones:
            conditions.append(SQL("b.cu_phone_key = ANY(%s) OR b.cu_mobile_key = ANY(%s)", phones, phones))
        company_sql = SQL("TRUE")
        if profile["company_id"]:
            company_sql = SQL("(b.company_id IS NULL OR b.company_id = %s)", profile["company_id"])
        self.env["res.partner"].flush_model()
        # transaction-local: only names at least this similar use the trigram index branch
        self.env.cr.execute(SQL("SET LOCAL pg_trgm.similarity_threshold = %s", self._match_name_similarity()))
        self.env.cr.execute(SQL(
            """
            SELECT b.id FROM res_partner b
             WHERE (%(cond)s) AND %(eligible)s AND b.is_company = %(is_company)s AND %(company)s
               AND b.id <> %(self_id)s AND b.parent_id IS DISTINCT FROM %(self_id)s
               AND b.id IS DISTINCT FROM %(parent_id)s
               AND NOT EXISTS (
                   SELECT 1 FROM customer_duplicate_pair p
                    WHERE p.state <> 'open'
                      AND p.partner_a_id = LEAST(b.id, %(self_id)s) AND p.partner_b_id = GREATEST(b.id, %(self_id)s))
             ORDER BY similarity(b.cu_name_key, %(name)s) DESC
             LIMIT %(cap)s
            """,
            cond=SQL(" OR ").join(conditions), eligible=self._eligible_partner_sql("b"),
            is_company=bool(profile["is_company"]), company=company_sql,
            self_id=profile["id"] or 0, parent_id=profile["parent_id"] or None,
            name=profile["cu_name_key"], cap=self._match_candidate_cap(),
        ))
        candidate_ids = [row[0] for row in self.env.cr.fetchall()]
        profiles = self._profiles_from_ids(candidate_ids)
        threshold = rule.threshold if threshold is None else threshold
        matches = []
        specs = rule._line_specs()
        for candidate_id in candidate_ids:
            score, explanation = rule._score_profiles(profile, profiles[candidate_id], specs)
            if score >= threshold:
                matches.append({
                    "partner_id": candidate_id, "score": score,
                    "explanation": explanation, "rule": rule,
                })
        matches.sort(key=lambda m: (-m["score"], m["partner_id"]))
        return matches[:limit]

    @api.model
    def _match_name_similarity(self):
        """pg_trgm similarity from which a name alone makes a partner a candidate in the typing check."""
        return BLOCK_NAME_SIMILARITY

    @api.model
    def _match_candidate_cap(self):
        """Maximum number of candidates scored for one partner (keeps the check bounded)."""
        return 50


class _LineSpec:
    """Plain snapshot of a rule line: cheap attribute access in scoring loops."""

    __slots__ = ("field", "label", "comparator", "compare", "weight", "min_similarity", "mismatch_penalty",
                 "keys", "displays", "line", "_compare_line")

    def __init__(self, line, labels):
        self.line = line
        self.field = line.field
        self.label = labels[line.field]
        self.comparator = line.comparator
        self.compare = COMPARATORS[line.comparator]
        self.weight = line.weight
        self.min_similarity = line.min_similarity
        self.mismatch_penalty = line.mismatch_penalty
        self.keys, self.displays = FIELD_SPECS[line.field]
        self._compare_line = line._compare_with_spec

    def _explain(self, profile_a, profile_b):
        return self.line._explain_with_spec(self, profile_a, profile_b)

    def _contribution(self, profile_a, profile_b):
        return self._compare_line(self, profile_a, profile_b)[1]


COMPARATORS = {
    "exact": normalize.exact_similarity,
    "trigram": normalize.trigram_similarity,
    "similarity": normalize.edit_similarity,
    "token_set": normalize.token_set_similarity,
}
