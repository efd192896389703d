import itertools
import math
from functools import lru_cache

from odoo import api, fields, models
from odoo.tools import SQL, ormcache

from ..tools import fellegi_sunter as fs
from ..tools import normalize
from .res_partner import BLOCK_ADDRESS_COLUMNS

PROFILE_COLUMNS = (
    "id", "is_company", "company_id", "parent_id", "name", "email", "phone", "mobile", "vat",
    "company_registry", "website", "street", "zip", "city", "cu_name_key", "cu_email_key",
    "cu_phone_key", "cu_mobile_key", "cu_vat_key", "cu_vat_valid", "cu_registry_key",
    "cu_domain_key", "cu_street_key", "cu_zip_key", "cu_city_key", "cu_phonetic_key", "cu_house_key",
)

#: res_partner columns the blocking passes and their filters read (scanned and candidate partners).
BLOCK_COLUMNS = (
    "id", "active", "type", "is_company", "company_id", "parent_id", "cu_name_key", "cu_email_key",
    "cu_phone_key", "cu_mobile_key", "cu_vat_key", "cu_registry_key", "cu_domain_key",
    "cu_street_key", "cu_zip_key", "cu_city_key", "cu_phonetic_key", "cu_house_key",
)

#: Minimum pg_trgm similarity of names for the name blocking passes and the typing check.
BLOCK_NAME_SIMILARITY = 0.4

#: Minimum pg_trgm similarity of names for a name pass whose candidates must also agree on a second
#: element of the address (``_blocking_address_evidence_sql``): initials, short forms, a missing word.
BLOCK_NAME_SIMILARITY_ADDRESS = 0.25

#: Minimum pg_trgm similarity of cities for the phonetic name + region pass (typos, abbreviations).
BLOCK_CITY_SIMILARITY = 0.5

#: Minimum pg_trgm similarity of streets for the zip + house number pass (names may differ).
BLOCK_STREET_SIMILARITY = 0.3

#: Minimum pg_trgm similarity of streets that makes two addresses of one city alike when their zips
#: differ (``customer.match.rule._blocking_address_evidence_sql``): a street's type ("via", "street")
#: alone gives about 0.3.
BLOCK_STREET_SIMILARITY_ADDRESS = 0.5


@lru_cache(maxsize=65536)
def _street_words(street_key):
    """The street of a street key without its numbers (cached: a scan extracts it for every pair)."""
    return normalize.street_parts(street_key)[0]


def _same_zip(profile_a, profile_b):
    return bool(profile_a.get("cu_zip_key")) and profile_a.get("cu_zip_key") == profile_b.get("cu_zip_key")


def _same_name_mailbox(profile_a, profile_b):
    """Two different e-mails whose mailboxes spell the same name, their numbers and providers aside
    ("mario.rossi@gmail" / "mario.rossi@libero", "isla.smith63@yahoo" / "isla.smith70@yahoo"): not
    counted, namesakes have such addresses as often as duplicates do (the names are compared
    already). A typo in the letters is still a close e-mail."""
    email_a, email_b = profile_a.get("cu_email_key"), profile_b.get("cu_email_key")
    if not email_a or not email_b or email_a == email_b:
        return False
    return fs.mailbox_letters(email_a) == fs.mailbox_letters(email_b) \
        and fs.mailbox_spells_name(email_a, profile_a.get("cu_name_key")) \
        and fs.mailbox_spells_name(email_a, profile_b.get("cu_name_key"))


def _first_reading_given(parts):
    return fs.person_name_alignment(parts, parts)[0]


def _first_reading_family(parts):
    return fs.person_name_alignment(parts, parts)[1]


def _agreed_given_name(parts_a, parts_b):
    return fs.person_name_alignment(parts_a, parts_b)[0]


def _agreed_family_name(parts_a, parts_b):
    return fs.person_name_alignment(parts_a, parts_b)[1]


def _display_given_names(parts_a, parts_b):
    given_a, _family_a, given_b, _family_b = fs.person_name_alignment(parts_a, parts_b)
    return given_a, given_b


def _display_family_names(parts_a, parts_b):
    _given_a, family_a, _given_b, family_b = fs.person_name_alignment(parts_a, parts_b)
    return family_a, family_b


class BlockingPass:
    """One blocking pass: ``lookup`` (index-backed condition on ``b`` given ``a``), an optional
    ``refine`` condition, and the compared ``fields`` the pass requires to agree (documents
    which single-field typo the pass does not survive).

    ``neighbours`` makes it a sorted-neighbourhood pass: ``(place, b_key, a_key)``, the partners
    ``b`` of the ``lookup`` whose ``b_key`` comes nearest to ``a_key`` in the order of a btree index
    on ``(b.place, b_key)``, at most ``customer.match.rule._blocking_pass_limit()`` on each side, read
    from the index alone; ``refine`` then sees them as ``w`` (``w.id``, ``w.name_key``: their
    ``cu_name_key``, and ``w.<column>`` for each of ``columns``: more columns of ``b`` read from
    the index, which must include them, so that ``refine`` drops a neighbour before its row is
    read)."""

    __slots__ = ("key", "lookup", "refine", "fields", "neighbours", "columns")

    def __init__(self, key, lookup, refine=None, fields=(), neighbours=None, columns=()):
        self.key, self.lookup, self.refine, self.fields = key, lookup, refine, frozenset(fields)
        self.neighbours, self.columns = neighbours, tuple(columns)


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
        default=lambda self: self._cu_default_threshold("learned"), required=True, digits=(3, 2),
        help="Pairs scoring at least this value (0 to 1) are proposed as duplicates: "
             "a probability for learned rules, a weighted sum for manual ones.")
    prevention_mode = fields.Selection(
        [("off", "Off"), ("warn", "Warn"), ("block", "Block")],
        string="On Create", required=True, default="warn",
        help="Off: no banner. Warn: the partner form shows possible duplicates. "
             "Block: creating a partner that matches an existing one is refused "
             "(form, import and API).")
    scoring = fields.Selection(
        [("learned", "Learned (Fellegi-Sunter)"), ("manual", "Manual weights")],
        required=True, default="learned",
        help="Learned (the shipped rules): the match weights of every field are estimated from this "
             "database's customers (see Match Models) and the threshold is a probability. "
             "Manual: the weights and penalties of the fields below, set by hand (an override).")
    line_ids = fields.One2many("customer.match.rule.line", "rule_id", string="Fields", copy=True)

    @api.onchange("scoring")
    def _onchange_scoring(self):
        """The documented threshold of the chosen scoring (a probability of 0.9 for learned weights, a
        weighted sum of 0.7 for manual ones): the two scales differ."""
        self.threshold = self._cu_default_threshold(self.scoring)

    @api.model
    def _cu_default_threshold(self, scoring):
        """Threshold a rule of this scoring starts from."""
        return 0.9 if scoring == "learned" else 0.7

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
        raw = {**{col: partner[col] for col in self._cu_extra_profile_columns()}, **partner._cu_raw_values()}
        return self._profile_from_values(
            raw, partner_id=partner._origin.id,
            company_id=partner.company_id.id, parent_id=partner.parent_id._origin.id)

    @api.model
    def _cu_extra_profile_columns(self):
        """Stored partner columns the compared fields read beyond ``PROFILE_COLUMNS`` (derived from
        :meth:`_cu_match_fields`: a field added there is read into the profiles without more code)."""
        Partner = self.env["res.partner"]
        extra = []
        for spec in self._cu_match_fields().values():
            for column in (*spec["keys"], *spec["displays"]):
                field = Partner._fields.get(column)
                if column not in PROFILE_COLUMNS and column not in extra and field and field.store \
                        and field.column_type:
                    extra.append(column)
        return tuple(extra)

    @api.model
    def _profile_from_values(self, raw, partner_id=False, company_id=False, parent_id=False):
        """Profile of raw values (keys of ``res.partner._cu_raw_values``), e.g. a lead or an import row."""
        profile = {col: raw.get(col) or False for col in PROFILE_COLUMNS[4:14] + self._cu_extra_profile_columns()}
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
        columns = PROFILE_COLUMNS + self._cu_extra_profile_columns()
        self.env["res.partner"].flush_model(columns[1:])
        self.env.cr.execute(SQL(
            "SELECT %s FROM res_partner WHERE id = ANY(%s)",
            SQL(", ").join(SQL.identifier(col) for col in columns), list(partner_ids),
        ))
        return {row[0]: dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()}

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
    # Compared fields: one registry, extended by _inherit
    # ------------------------------------------------------------------

    @api.model
    def _cu_match_fields(self):
        """Registry of the fields the learned scoring compares: ``{field: spec}`` in display order.

        A spec is a dict with ``label``, ``keys`` (profile columns holding the
        normalized values; several for multi-valued fields), ``displays`` (raw
        columns shown to users), ``extract`` (optional function applied to each
        key value), ``compare`` (two values -> level index, see
        ``tools.fellegi_sunter``), ``levels`` (level names, exact first, far
        last) and the default priors ``m`` and ``u`` (one per level) used until
        the database's own weights are estimated. Optional: ``applies_to`` (kinds of partner
        compared, default both), ``display`` (two extracted values -> the two texts the
        explanation shows), ``frequency_key`` (extracted value -> the value whose frequency gives
        the exact level's ``u``; such a field also gets term-frequency adjustments: the exact
        level of a common value weighs less, see ``tools.fellegi_sunter.term_frequency_adjustment``),
        ``agreed_value`` (two extracted values at the exact level -> the value they share, whose
        frequency adjusts the weight; default: ``frequency_key`` of the first), ``skip_if`` (two
        profiles -> True when another field already
        says what this one would: the field is then not counted, the explanation shows it under
        ``skipped_label``), ``fixed_m`` (levels whose ``m`` the estimation keeps, see
        ``customer.match.model._cu_estimate``), ``max_m`` (``{level: largest m}``: prior knowledge
        bounding the estimation), ``u_within_place`` (True: the field's ``u`` is estimated on random
        pairs of one place, see :meth:`_cu_place_key`, that agree on no other field: names are more
        alike between neighbours, and blocking compares neighbours) and ``manual`` (False: not offered to manual rule
        lines, which compare the key columns with their own comparators). Override, call super
        and add an entry to compare a new field: scoring, estimation, explanations and
        the weights table follow, and manual rule lines can choose it.
        """
        three = ("exact", "close", "far")
        # prior knowledge: at most half of the duplicates disagree entirely on an identifier or the address
        half_far = {"far": 0.5}
        return {
            "name": {
                "label": self.env._("Name"), "keys": ("cu_name_key",), "displays": ("name",),
                "applies_to": ("company",), "u_within_place": True,
                "compare": fs.level_name, "levels": ("exact", "close", "subset", "partial", "far"),
                "m": (0.70, 0.18, 0.06, 0.04, 0.02), "u": (0.0005, 0.0015, 0.005, 0.045, 0.948)},
            # persons: given and family name compared apart, so that another given name with the same
            # family name (a relative at the same address) is its own, strongly negative, level
            "given_name": {
                "label": self.env._("Given Name"), "keys": ("name",), "displays": ("name",),
                "applies_to": ("individual",), "extract": normalize.person_name_parts, "manual": False,
                "display": _display_given_names, "frequency_key": _first_reading_given,
                "agreed_value": _agreed_given_name,
                "compare": fs.level_given_name, "levels": ("exact", "close", "subset", "partial", "far"),
                # another given name (not a typo, short form or initial) is another person: m = 0
                "fixed_m": ("far",), "u_within_place": True,
                "m": (0.78, 0.12, 0.07, 0.03, 0.0), "u": (0.01, 0.01, 0.03, 0.05, 0.90)},
            "family_name": {
                "label": self.env._("Family Name"), "keys": ("name",), "displays": ("name",),
                "applies_to": ("individual",), "extract": normalize.person_name_parts, "manual": False,
                "display": _display_family_names, "frequency_key": _first_reading_family,
                "agreed_value": _agreed_family_name, "u_within_place": True,
                "compare": fs.level_family_name, "levels": three,
                "m": (0.90, 0.08, 0.02), "u": (0.002, 0.004, 0.994)},
            "email": {
                "label": self.env._("Email"), "keys": ("cu_email_key",), "displays": ("email",),
                "compare": fs.level_email, "levels": three, "max_m": half_far,
                # a mailbox spelling the name (another number or provider): namesakes have it too
                "skip_if": _same_name_mailbox,
                "skipped_label": self.env._("Email (only the name: not counted)"),
                "m": (0.75, 0.10, 0.15), "u": (0.0001, 0.001, 0.9989)},
            "phone": {
                "label": self.env._("Phone / Mobile"), "keys": ("cu_phone_key", "cu_mobile_key"),
                "displays": ("phone", "mobile"), "compare": fs.level_code, "levels": three, "max_m": half_far,
                "m": (0.75, 0.05, 0.20), "u": (0.0001, 0.0005, 0.9994)},
            "vat": {
                "label": self.env._("Tax ID"), "keys": ("cu_vat_key",), "displays": ("vat",),
                "compare": fs.level_code, "levels": three,
                "m": (0.95, 0.04, 0.01), "u": (0.0001, 0.0005, 0.9994)},
            "company_registry": {
                "label": self.env._("Company Registry"), "keys": ("cu_registry_key",),
                "displays": ("company_registry",), "compare": fs.level_code, "levels": three,
                "m": (0.95, 0.04, 0.01), "u": (0.0001, 0.0005, 0.9994)},
            "website": {
                "label": self.env._("Website Domain"), "keys": ("cu_domain_key",), "displays": ("website",),
                "compare": fs.level_text, "levels": three, "max_m": half_far,
                "m": (0.75, 0.05, 0.20), "u": (0.0005, 0.001, 0.9985)},
            "street": {
                "label": self.env._("Street"), "keys": ("cu_street_key",), "displays": ("street",),
                "extract": _street_words, "compare": fs.level_street, "levels": three, "max_m": half_far,
                "m": (0.80, 0.12, 0.08), "u": (0.01, 0.01, 0.98)},
            "house_number": {
                "label": self.env._("House Number"), "keys": ("cu_house_key",), "displays": ("cu_house_key",),
                "compare": fs.level_code, "levels": three, "max_m": half_far,
                "m": (0.85, 0.07, 0.08), "u": (0.05, 0.03, 0.92)},
            "zip": {
                "label": self.env._("Zip"), "keys": ("cu_zip_key",), "displays": ("zip",),
                "compare": fs.level_code, "levels": three, "max_m": half_far,
                "m": (0.85, 0.08, 0.07), "u": (0.01, 0.03, 0.96)},
            # the same zip implies the same city, for duplicates and for different customers alike: the
            # city then says nothing more (its weight would count the place twice)
            "city": {
                "label": self.env._("City"), "keys": ("cu_city_key",), "displays": ("city",),
                "skip_if": _same_zip, "skipped_label": self.env._("City (same zip: not counted)"),
                "compare": fs.level_text, "levels": three,
                "m": (0.88, 0.07, 0.05), "u": (0.05, 0.01, 0.94)},
        }

    @api.model
    def _cu_manual_match_fields(self):
        """The fields of :meth:`_cu_match_fields` a manual rule line may compare (its ``keys`` with
        the line's comparator, its ``displays`` in the explanation): all but ``"manual": False``."""
        return {name: spec for name, spec in self._cu_match_fields().items() if spec.get("manual", True)}

    @api.model
    def _cu_match_fields_of(self, applies_to):
        """The fields of :meth:`_cu_match_fields` compared for one kind of partner (company / individual)."""
        return {name: spec for name, spec in self._cu_match_fields().items()
                if applies_to in spec.get("applies_to", ("company", "individual"))}

    @api.model
    def _cu_place_key(self, profile):
        """The place of a profile for the ``u_within_place`` fields: its city, else its zip."""
        return profile.get("cu_city_key") or profile.get("cu_zip_key") or None

    @api.model
    def _cu_place_columns(self):
        """Profile columns that tell the place (:meth:`_cu_place_key`), not the customer."""
        return ("cu_city_key", "cu_zip_key")

    @api.model
    def _cu_default_prior(self):
        """Default λ, until estimated: probability that two random customers are the same one."""
        return 0.0001

    @api.model
    def _cu_field_values(self, spec, profile):
        """Non-empty comparable values of one field of a profile (a list)."""
        extract = spec.get("extract")
        values = []
        for key in spec["keys"]:
            value = profile.get(key)
            if value and extract:
                value = extract(value)
            if value:
                values.append(value)
        return values

    @api.model
    def _cu_profile_values(self, fields_specs, profile):
        """The comparable values of a profile for each field of ``fields_specs`` (a tuple of
        :meth:`_cu_field_values`, as tuples): extracted once per profile when a scan or an estimation
        compares it with many others (see :meth:`_cu_compare_values`). Tuples of strings, which the
        garbage collector stops tracking: a chunk keeps tens of thousands of them, as lists they
        would make every collection walk them."""
        return tuple(tuple(self._cu_field_values(spec, profile)) for spec in fields_specs)

    @api.model
    def _cu_agreed_value(self, spec, profile_a, profile_b, values_a=None, values_b=None):
        """The value two profiles share on a field at its exact level, as counted in the term
        frequencies (``agreed_value``, else ``frequency_key`` of the first profile's value).
        ``values_a`` / ``values_b``: the field's values of the profiles when already extracted."""
        if values_a is None:
            values_a = self._cu_field_values(spec, profile_a)
        if values_b is None:
            values_b = self._cu_field_values(spec, profile_b)
        if not values_a or not values_b:
            return None
        if spec.get("agreed_value"):
            return spec["agreed_value"](values_a[0], values_b[0])
        return spec["frequency_key"](values_a[0]) if spec.get("frequency_key") else values_a[0]

    @api.model
    def _cu_compare_levels(self, fields_specs, profile_a, profile_b):
        """Comparison vector of two profiles: one level index (or ``None`` = missing) per field.

        A convenience for one pair: the scan, the estimation and the check while typing compare
        through :meth:`_cu_compare_field` (one field of one pair), the method to override to change
        how a field is compared everywhere."""
        return self._cu_compare_values(
            fields_specs, profile_a, self._cu_profile_values(fields_specs, profile_a),
            profile_b, self._cu_profile_values(fields_specs, profile_b))

    @api.model
    def _cu_compare_values(self, fields_specs, profile_a, values_a, profile_b, values_b):
        """Comparison vector of two profiles whose values were extracted by :meth:`_cu_profile_values`
        (the same ``fields_specs``): one level index (or ``None`` = missing) per field."""
        return tuple(self._cu_compare_field(spec, profile_a, field_a, profile_b, field_b)
                     for spec, field_a, field_b in zip(fields_specs, values_a, values_b, strict=True))

    @api.model
    def _cu_compare_field(self, spec, profile_a, field_a, profile_b, field_b):
        """Level index of one field of two profiles (``None`` = missing or not counted), from the
        field's values ``field_a`` / ``field_b`` (:meth:`_cu_field_values`)."""
        if not field_a or not field_b or (spec.get("skip_if") and spec["skip_if"](profile_a, profile_b)):
            return None
        if len(field_a) == 1 and len(field_b) == 1:
            return spec["compare"](field_a[0], field_b[0])
        return fs.best_level(spec["compare"], field_a, field_b)

    @api.model
    def _cu_scoring_order(self, fields_specs):
        """Order in which the scan compares the fields of a pair (indices into ``fields_specs``): it
        stops as soon as the fields left cannot lift the pair to the threshold any more (see
        ``_LearnedSpec.score_if_reaches``). The names (``u_within_place``) come last: their
        comparisons cost the most, and the blocking passes mostly propose pairs whose names agree,
        so it is the other fields that rule a candidate out."""
        return sorted(range(len(fields_specs)), key=lambda index: bool(fields_specs[index].get("u_within_place")))

    # ------------------------------------------------------------------
    # Scoring
    # ------------------------------------------------------------------

    def _score_pair(self, partner_a, partner_b):
        """Score two stored partners with this rule (or the applicable one).

        :return: ``(score, explanation)`` where score is in [0, 1] (a probability
                 for learned rules) and the explanation lists one dict per field
                 with ``field``, ``label``, ``value_a``, ``value_b``,
                 ``comparator``, ``similarity`` and ``contribution``; learned
                 rules add ``level`` and ``weight`` (log2 Bayes factor) and a
                 first ``prior`` entry: the contributions sum to the pair's
                 match weight (log2 odds).
        """
        profiles = self._profiles_from_ids([partner_a.id, partner_b.id])
        profile_a, profile_b = profiles[partner_a.id], profiles[partner_b.id]
        rule = self[:1] or self._rule_for_profile(profile_a)
        if not rule:
            return 0.0, []
        return rule._score_profiles(profile_a, profile_b)

    def _score_profiles(self, profile_a, profile_b, specs=None):
        """Score and explanation of two profiles.

        Manual rules: weighted sum of the line contributions, clipped to [0, 1].
        Learned rules: probability of the Fellegi–Sunter match weight.
        ``specs`` are the rule's snapshots (see ``_line_specs``); pass them
        when scoring many pairs to avoid re-reading the lines or the weights.
        """
        self.ensure_one()
        specs = specs if specs is not None else self._line_specs()
        if isinstance(specs, _LearnedSpec):
            return specs.explain(self, profile_a, profile_b)
        explanation = []
        total = 0.0
        for line in specs:
            entry = line._explain(profile_a, profile_b)
            total += entry["contribution"]
            explanation.append(entry)
        return max(0.0, min(1.0, round(total, 4))), explanation

    def _score_only(self, profile_a, profile_b, specs):
        """The score ``_score_profiles`` gives, without building the explanation (scan loops)."""
        if isinstance(specs, _LearnedSpec):
            return specs.score(self, profile_a, profile_b)
        total = 0.0
        for line in specs:
            total += line._contribution(profile_a, profile_b)
        return max(0.0, min(1.0, round(total, 4)))

    def _score_if_reaches(self, profile_a, profile_b, specs, threshold):
        """``(score, explanation)`` of ``_score_profiles`` when the score reaches ``threshold``, else
        ``None``: most candidates of a scan fall below it, only the pairs kept are explained (learned
        rules compare the two profiles once for both, see ``_LearnedSpec.score_if_reaches``)."""
        if isinstance(specs, _LearnedSpec):
            return specs.score_if_reaches(self, profile_a, profile_b, threshold)
        if self._score_only(profile_a, profile_b, specs) < threshold:
            return None
        return self._score_profiles(profile_a, profile_b, specs)

    def _cu_cannot_link(self, profile_a, profile_b, specs):
        """True when two profiles this rule compares cannot be one customer, whatever else they share:
        the review screen never proposes them in one duplicate group, even when each is a likely
        duplicate of a third one (``customer.duplicate.group._cu_split_component``). Learned rules:
        a field compared at a level that rules a match out (``m`` fixed at 0: another given name,
        see ``fixed_m`` in :meth:`_cu_match_fields`). Manual rules: never (the users' *Not a
        Duplicate* decisions still apply). ``specs``: :meth:`_line_specs` of this rule. Seam."""
        if isinstance(specs, _LearnedSpec):
            return specs.rules_out(self, profile_a, profile_b)
        return False

    def _line_specs(self):
        """Snapshot for fast scoring loops: the lines (manual) or the learned weights."""
        self.ensure_one()
        if self.scoring == "learned":
            return _LearnedSpec(
                self._cu_match_fields_of(self.applies_to),
                self.env["customer.match.model"]._cu_params(self.applies_to, self.company_id.id or False))
        match_fields = self._cu_manual_match_fields()
        comparators = self.env["customer.match.rule.line"]._cu_comparators()
        # a line whose field or comparator left the registries (its addon was uninstalled) counts for nothing
        return [_LineSpec(line, match_fields[line.field], comparators[line.comparator][1])
                for line in self.line_ids if line.field in match_fields and line.comparator in comparators]

    # ------------------------------------------------------------------
    # Candidate generation (PostgreSQL)
    # ------------------------------------------------------------------

    @api.model
    def _blocking_passes(self):
        """Blocking passes (see ``BlockingPass``): together they survive a typo in any single field.

        Each pass looks up ``b`` for every scanned partner ``a`` with
        ``lookup`` alone (a fenced ``LATERAL`` subquery), so ``lookup`` must be
        answered by an index on ``b``; ``refine`` is checked afterwards with the
        eligibility, company and direction filters. The name passes of a place (zip, city) are
        sorted neighbourhoods (``BlockingPass.neighbours``): their work per partner is bounded by
        :meth:`_blocking_pass_limit` however crowded the place. Override to add or remove
        passes.
        """
        def name_blocks(place):
            # same place and a name word starting alike (GIN index, see res.partner._cu_init_name_blocks)
            return SQL(
                "customer_unification_name_blocks(b.%(place)s, b.cu_name_key)"
                " && customer_unification_name_blocks(a.%(place)s, a.cu_name_key)",
                place=SQL.identifier(place))

        def same(*columns):
            return SQL(" AND ").join(
                SQL("b.%(col)s = a.%(col)s", col=SQL.identifier(col)) for col in columns)

        def name_key(alias, rotated):
            column = SQL.identifier(alias, "cu_name_key")
            return SQL("customer_unification_name_rotated(%s)", column) if rotated else column

        def nearest_names(place, fields, condition=None, label=None, refine=None,
                          name_similarity=BLOCK_NAME_SIMILARITY, orders=None, columns=()):
            # ``refine``: a function of the candidate's alias (``b``: the same name; ``w``: a neighbour)
            # the same name in the same place (homonyms: they would crowd the neighbourhood), then the
            # nearest names there by the name key (words sorted: a swap does not move it) and by the
            # rotated key (last word first: nor does a typo in the first word), each key of ``a`` against
            # the same key of ``b`` (``orders``: the crossed orders catch a typo that changes which word
            # sorts first, and found no more duplicates than the other passes on the benchmarks while
            # costing as much as each of them: a consultant may add them, see ``_cu_name_orders``)
            label = label or place.removeprefix("cu_").removesuffix("_key")
            conditions = [condition] if condition else []
            passes = [BlockingPass(f"name_{label}", SQL(" AND ").join([*conditions, same(place, "cu_name_key")]),
                                   refine and refine("b"), fields=fields)]
            same_place = SQL(" AND ").join([*conditions, same(place)])
            similar = SQL("similarity(w.name_key, a.cu_name_key) >= %s", name_similarity)
            for b_rotated, a_rotated in orders or self._cu_name_orders():
                passes.append(BlockingPass(
                    f"name_{label}_near_{int(b_rotated)}{int(a_rotated)}", same_place,
                    SQL(" AND ").join([similar, refine("w")]) if refine else similar, fields=fields,
                    neighbours=(place, name_key("b", b_rotated), name_key("a", a_rotated)), columns=columns))
            return passes

        similar_names = SQL("similarity(b.cu_name_key, a.cu_name_key) >= %s", BLOCK_NAME_SIMILARITY)
        similar_streets = SQL("similarity(b.cu_street_key, a.cu_street_key) >= %s", BLOCK_STREET_SIMILARITY)
        typo_proof = self._cu_typo_proof_blocking()
        passes = [
            BlockingPass("email", same("cu_email_key"), fields=("email",)),
            BlockingPass("phone", same("cu_phone_key"), fields=("phone",)),
            BlockingPass("mobile", same("cu_mobile_key"), fields=("phone",)),
            BlockingPass("phone_mobile", SQL("b.cu_phone_key = a.cu_mobile_key"), fields=("phone",)),
            BlockingPass("mobile_phone", SQL("b.cu_mobile_key = a.cu_phone_key"), fields=("phone",)),
            BlockingPass("vat", same("cu_vat_key"), fields=("vat",)),
            BlockingPass("registry", same("cu_registry_key"), fields=("company_registry",)),
            BlockingPass("website", same("cu_domain_key"), fields=("website",)),
            # a name alike + the same zip / city (typo in the other place fields); a city is much bigger
            # than a zip: for partners without a zip only
            *(nearest_names("cu_zip_key", ("name", "zip"), refine=self._blocking_zip_names_sql,
                            name_similarity=BLOCK_NAME_SIMILARITY_ADDRESS)
              if typo_proof else nearest_names("cu_zip_key", ("name", "zip"))),
            # (few partners lack a zip: their walks are cheap, the crossed orders too)
            *nearest_names("cu_city_key", ("name", "city"), SQL("a.cu_zip_key IS NULL"),
                           orders=tuple(itertools.product((False, True), repeat=2))),
            BlockingPass("street", same("cu_street_key"), similar_names,
                         fields=("name", "street", "house_number")),
        ]
        if not typo_proof:
            return passes
        # a name alike in the same city for partners with a zip too (the zip mistyped, reformatted or
        # missing on one side) when a second element of the address agrees (the same house number or a
        # street spelt alike): the names may then be less alike (an initial, a short form, a missing given
        # name); a city is much bigger than a zip, its namesakes at another address are not scored
        return passes + [
            *nearest_names("cu_city_key", ("name", "city"), label="city_address",
                           refine=self._blocking_address_evidence_sql, name_similarity=BLOCK_NAME_SIMILARITY_ADDRESS,
                           # the name key's order only: the rotated order found 3 more of the legacy
                           # profile's 2,862 true pairs and cost a quarter of the scan's blocking
                           orders=((False, False),), columns=BLOCK_ADDRESS_COLUMNS),
            # the same street and house number in the same region, names keyed in differently (an initial,
            # a nickname, a typo) while the zip is mistyped: a household at most (a region: the same city
            # or one spelt alike, or the zip's first three characters)
            BlockingPass("street_region", same("cu_street_key"), SQL(
                """(b.cu_city_key = a.cu_city_key OR left(b.cu_zip_key, 3) = left(a.cu_zip_key, 3)
                    OR similarity(b.cu_city_key, a.cu_city_key) >= %s)""", BLOCK_CITY_SIMILARITY),
                fields=("street", "house_number")),
            BlockingPass("name_house", name_blocks("cu_house_key"), similar_names,
                         fields=("name", "house_number")),
            # an address keyed in without its place (no zip, no city): the same name with a street spelt
            # alike, wherever the other partner is (few partners lack both: index on theirs)
            BlockingPass("name_no_place", SQL(
                "b.cu_name_key = a.cu_name_key AND b.cu_zip_key IS NULL AND b.cu_city_key IS NULL"),
                similar_streets, fields=("name", "street")),
            BlockingPass("no_place_name", SQL(
                "a.cu_zip_key IS NULL AND a.cu_city_key IS NULL AND b.cu_name_key = a.cu_name_key"),
                similar_streets, fields=("name", "street")),
            # no name condition: a name keyed in differently at the same address
            BlockingPass("zip_house", same("cu_zip_key", "cu_house_key"), similar_streets,
                         fields=("zip", "house_number")),
            # names that sound alike (a typo in the first letters of a word) in one region: the same zip
            # or city, or both mistyped, or one missing and the other mistyped (a region: the zip's first
            # three characters, or a city spelt alike)
            BlockingPass("phonetic_region", same("cu_phonetic_key"), SQL(
                "(left(b.cu_zip_key, 3) = left(a.cu_zip_key, 3) OR similarity(b.cu_city_key, a.cu_city_key) >= %s)",
                BLOCK_CITY_SIMILARITY), fields=("name",)),
        ]

    @api.model
    def _cu_name_orders(self):
        """The orders of the sorted-neighbourhood name passes (``BlockingPass.neighbours``):
        ``(b_rotated, a_rotated)`` pairs, ``b``'s name key (or rotated key: last word first) walked
        around ``a``'s. Each order is one btree walk per scanned partner. Add ``(False, True)`` and
        ``(True, False)`` to also walk each key around the other one (a typo that changes which word
        sorts first: "Mario Rossi" / "Mario Aossi")."""
        return ((False, False), (True, True))

    @api.model
    def _blocking_zip_names_sql(self, alias="w"):
        """SQL condition on a candidate of the scanned partner ``a``'s zip under learned weights (which
        weigh the address too): names alike as the zip passes require, or less alike (trigram 0.25:
        a nickname, several typos) when a second element of the address agrees or cannot tell (the
        same house number, streets spelt alike, a street missing on one side), read from the
        candidate's row ``b``."""
        name_key = SQL.identifier(alias, "name_key" if alias == "w" else "cu_name_key")
        return SQL(
            """(similarity(%(name_key)s, a.cu_name_key) >= %(name)s
                OR b.cu_house_key = a.cu_house_key OR b.cu_street_key IS NULL OR a.cu_street_key IS NULL
                OR similarity(b.cu_street_key, a.cu_street_key) >= %(street)s)""",
            name_key=name_key, name=BLOCK_NAME_SIMILARITY, street=BLOCK_STREET_SIMILARITY_ADDRESS)

    @api.model
    def _blocking_address_evidence_sql(self, alias="w"):
        """SQL condition on a candidate of the scanned partner ``a``'s city and ``a``: a second element
        of their addresses agrees although their zips do not (the same house number, or streets spelt
        alike), or the address cannot tell (the candidate has no zip, or one of the two has no street)
        and the names are as alike as the zip passes require (the pair then does not depend on which
        of the two is scanned). Refines the name passes across a
        whole city, where namesakes are many. The candidate is ``alias``: ``w``, a neighbour of a
        sorted-neighbourhood walk (``BlockingPass.columns``: ``BLOCK_ADDRESS_COLUMNS``, read from the
        city's name index, so that the neighbour is dropped before its row is read), or ``b``, a
        partner row. Zips one typo apart are not evidence enough: in a city most zips are one digit
        apart (measured: a third more candidate pairs on the standard profile for 1 % of the legacy
        duplicates)."""
        return SQL(
            """(%(house)s = a.cu_house_key
                OR similarity(%(street_key)s, a.cu_street_key) >= %(street)s
                OR ((%(zip)s IS NULL OR %(street_key)s IS NULL OR a.cu_street_key IS NULL)
                    AND similarity(%(name_key)s, a.cu_name_key) >= %(name)s))""",
            house=SQL.identifier(alias, "cu_house_key"), street_key=SQL.identifier(alias, "cu_street_key"),
            zip=SQL.identifier(alias, "cu_zip_key"),
            name_key=SQL.identifier(alias, "name_key" if alias == "w" else "cu_name_key"),
            street=BLOCK_STREET_SIMILARITY_ADDRESS, name=BLOCK_NAME_SIMILARITY)

    @api.model
    @ormcache()
    def _cu_typo_proof_blocking(self):
        """Whether the scan runs the typo-proof passes (phonetic name, house number, zip + house
        number): when an active rule scores with learned weights, which can turn the pairs they
        add into duplicates. Manual rules need the name plus an identifier or the place to agree,
        so those passes only cost them time (measured: the same pairs, see the benchmarks)."""
        return bool(self.sudo().with_context(active_test=True).search_count(
            [("scoring", "=", "learned")], limit=1))

    @api.model
    def _eligible_partner_sql(self, alias):
        """SQL condition selecting partners that take part in matching."""
        return SQL(
            "%(a)s.active AND %(a)s.cu_name_key IS NOT NULL AND COALESCE(%(a)s.type, 'contact') = 'contact'",
            a=SQL.identifier(alias),
        )

    @api.model
    def _candidate_pairs(self, partner_ids, only_higher=False, passes=None):
        """Candidate pairs ``(a_id, b_id)`` with ``a_id < b_id`` for these partners.

        Blocking lookups run in PostgreSQL; pairs across companies (unless one
        partner is shared), parent/child pairs and pairs already marked as
        not duplicate or merged are excluded.  With ``only_higher`` a partner is
        only compared with partners of higher id (full scans, each pair once).
        ``passes`` restricts the blocking to these passes (default: all).
        """
        if not partner_ids:
            return []
        self.env["res.partner"].flush_model()
        self.env["customer.duplicate.pair"].flush_model(["state"])
        direction = SQL("b.id > a.id") if only_higher else SQL("b.id <> a.id")
        # The lookup of each pass is fenced (OFFSET 0) so that PostgreSQL answers it with
        # the pass's own index, per scanned partner, whatever it estimates for the filters;
        # the costly refinement (name similarity) only sees the rows the cheap filters keep.
        filters = SQL(
            """%s AND %s AND b.is_company = a.is_company
               AND (a.company_id IS NULL OR b.company_id IS NULL OR a.company_id = b.company_id)
               AND b.parent_id IS DISTINCT FROM a.id AND a.parent_id IS DISTINCT FROM b.id""",
            direction, self._eligible_partner_sql("b"))
        branches = []
        for blocking in (self._blocking_passes() if passes is None else passes):
            if blocking.neighbours:
                branches.append(SQL(
                    """SELECT a.id AS a_id, b.id AS b_id FROM scanned a
                       CROSS JOIN LATERAL (%s) w JOIN res_partner b ON b.id = w.id
                        WHERE %s AND %s""",
                    self._blocking_neighbours_sql(blocking), blocking.refine or SQL("TRUE"), filters))
                continue
            branches.append(SQL(
                """SELECT a.id AS a_id, b.id AS b_id FROM scanned a
                   CROSS JOIN LATERAL (SELECT %s FROM res_partner b WHERE %s OFFSET 0) b
                    WHERE %s AND %s""",
                SQL(", ").join(SQL.identifier("b", col) for col in BLOCK_COLUMNS),
                blocking.lookup, filters, blocking.refine or SQL("TRUE"),
            ))
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
    def _blocking_pass_limit(self):
        """Partners a sorted-neighbourhood pass (``BlockingPass.neighbours``) reads on each side of
        a scanned partner's key: bounds the scan's work per partner whatever the size of a place
        (a common name in a big town), at the price of the farther names of crowded places."""
        return 10

    @api.model
    def _blocking_neighbours_sql(self, blocking):
        """The lookup of a sorted-neighbourhood pass for the scanned partner ``a``: the ids and name
        keys (``id``, ``name_key``) of the :meth:`_blocking_pass_limit` partners just above and just below
        ``a``'s key among those of ``blocking.lookup`` of ``a``'s kind, read from the btree index on
        ``(place, key)``."""
        place, b_key, a_key = blocking.neighbours
        place = SQL.identifier("b", place)
        columns = SQL("").join(SQL(", %s", SQL.identifier("b", column)) for column in blocking.columns)
        return SQL(" UNION ALL ").join(
            SQL(
                """(SELECT b.id, b.cu_name_key AS name_key%(columns)s FROM res_partner b
                     WHERE %(lookup)s AND b.is_company = a.is_company AND %(b_key)s %(op)s %(a_key)s
                     ORDER BY %(place)s %(dir)s, %(b_key)s %(dir)s LIMIT %(limit)s)""",
                b_key=b_key, a_key=a_key, lookup=blocking.lookup, place=place, op=SQL(op), dir=SQL(direction),
                columns=columns,
                limit=self._blocking_pass_limit())
            for op, direction in ((">", "ASC"), ("<", "DESC"))
        )

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
            scored = rule._score_if_reaches(
                profile_a, profile_b, specs[rule.id], rule.threshold if threshold is None else threshold)
            if scored:
                result.append((a_id, b_id, *scored, rule))
        return result

    @api.model
    def _match_profile(self, profile, limit=10, threshold=None):
        """Ranked matches of one (possibly unsaved) partner profile; a few indexed queries."""
        rule = self._rule_for_profile(profile)
        if not rule or not profile.get("cu_name_key"):
            return []
        phones = [p for p in (profile["cu_phone_key"], profile["cu_mobile_key"]) if p]
        conditions = []
        if profile.get("cu_phonetic_key"):
            conditions.append(SQL("b.cu_phonetic_key = %s", profile["cu_phonetic_key"]))
        for column in ("cu_email_key", "cu_vat_key", "cu_registry_key", "cu_domain_key"):
            if profile[column]:
                conditions.append(SQL("b.%s = %s", SQL.identifier(column), profile[column]))
        if phones:
            conditions.append(SQL("b.cu_phone_key = ANY(%s) OR b.cu_mobile_key = ANY(%s)", phones, phones))
        company_sql = SQL("TRUE")
        if profile["company_id"]:
            company_sql = SQL("(b.company_id IS NULL OR b.company_id = %s)", profile["company_id"])
        filters = SQL(
            """%(eligible)s AND b.is_company = %(is_company)s AND %(company)s
               AND b.id <> %(self_id)s AND b.parent_id IS DISTINCT FROM %(self_id)s
               AND b.id IS DISTINCT FROM %(parent_id)s
               AND NOT EXISTS (
                   SELECT 1 FROM customer_duplicate_pair p
                    WHERE p.state <> 'open'
                      AND p.partner_a_id = LEAST(b.id, %(self_id)s)
                      AND p.partner_b_id = GREATEST(b.id, %(self_id)s))""",
            eligible=self._eligible_partner_sql("b"), is_company=bool(profile["is_company"]), company=company_sql,
            self_id=profile["id"] or 0, parent_id=profile["parent_id"] or None)
        name, cap = profile["cu_name_key"], self._match_candidate_cap()
        # the names: the ``cap`` nearest (trigram distance, GiST index: a bounded walk however
        # common the name), kept from the similarity of _match_name_similarity; the identifiers and
        # the phonetic key: every partner sharing one. The ``cap`` most similar of both.
        branches = [SQL(
            """SELECT n.id, n.cu_name_key FROM (
                   SELECT b.id, b.cu_name_key FROM res_partner b WHERE %s
                    ORDER BY b.cu_name_key <-> %s LIMIT %s) n
                WHERE similarity(n.cu_name_key, %s) >= %s""",
            filters, name, cap, name, self._match_name_similarity())]
        if conditions:  # fenced: answered by the keys' own indexes whatever the filters
            branches.append(SQL(
                """SELECT b.id, b.cu_name_key FROM (SELECT * FROM res_partner b WHERE %s OFFSET 0) b
                    WHERE %s""",
                SQL(" OR ").join(conditions), filters))
        self.env["res.partner"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT c.id FROM (%s) c ORDER BY similarity(c.cu_name_key, %s) DESC LIMIT %s",
            SQL(" UNION ").join(SQL("(%s)", branch) for branch in branches), name, cap,
        ))
        candidate_ids = [row[0] for row in self.env.cr.fetchall()]
        profiles = self._profiles_from_ids(candidate_ids)
        threshold = rule.threshold if threshold is None else threshold
        matches = []
        specs = rule._line_specs()
        for candidate_id in candidate_ids:
            scored = rule._score_if_reaches(profile, profiles[candidate_id], specs, threshold)
            if scored:
                score, explanation = scored
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

    def __init__(self, line, field_spec, compare):
        self.line = line
        self.field = line.field
        self.label = field_spec["label"]
        self.comparator = line.comparator
        self.compare = compare
        self.weight = line.weight
        self.min_similarity = line.min_similarity
        self.mismatch_penalty = line.mismatch_penalty
        self.keys, self.displays = tuple(field_spec["keys"]), tuple(field_spec["displays"])
        self._compare_line = line._compare_with_spec

    def _explain(self, profile_a, profile_b):
        return self.line._explain_with_spec(self, profile_a, profile_b)

    def _contribution(self, profile_a, profile_b):
        return self._compare_line(self, profile_a, profile_b)[1]


class _LearnedSpec:
    """Snapshot of a learned rule's weights: per field its spec and weight per level, the term
    frequencies of the fields that have some, and the prior.

    The compared values of each profile it scores are extracted once (:meth:`values`) and kept
    as long as the snapshot (one scan chunk, one check while typing): a scanned partner is
    compared with several candidates, and a candidate with several scanned partners."""

    __slots__ = ("fields", "names", "weights", "prior_weight", "params", "frequencies", "_values", "order",
                 "max_gains", "_bounds", "ruling_out")

    def __init__(self, match_fields, params):
        self.params = params
        self.names = [name for name in match_fields if name in params["fields"]]
        self.fields = [match_fields[name] for name in self.names]
        self.weights = [params["fields"][name]["weights"] for name in self.names]
        tables = params.get("term_frequencies") or {}
        self.frequencies = [tables.get(name) if spec.get("frequency_key") else None
                            for name, spec in zip(self.names, self.fields, strict=True)]
        self.prior_weight = fs.prior_weight(params["prior"])
        self._values = {}
        self.order = None
        # the most each field can add: its best level, plus the largest term-frequency boost at the
        # exact level; a missing value adds 0
        self.max_gains = [
            max(0.0, *(weight + (fs.TF_MAX_BOOST if level == 0 and table else 0.0)
                       for level, weight in enumerate(level_weights)))
            for level_weights, table in zip(self.weights, self.frequencies, strict=True)]
        self._bounds = {}
        # (field index, levels fixed at m = 0): such a level rules a match out (``rules_out``)
        self.ruling_out = []
        for index, (name, spec) in enumerate(zip(self.names, self.fields, strict=True)):
            m = params["fields"][name]["m"]
            levels = frozenset(spec["levels"].index(level) for level in spec.get("fixed_m", ())
                               if m[spec["levels"].index(level)] <= fs.M_FLOOR)
            if levels:
                self.ruling_out.append((index, levels))

    def rules_out(self, matcher, profile_a, profile_b):
        """True when a field of the two profiles is compared at a level whose ``m`` is zero (only
        those fields are compared)."""
        if not self.ruling_out:
            return False
        values_a, values_b = self.values(matcher, profile_a), self.values(matcher, profile_b)
        return any(
            matcher._cu_compare_field(self.fields[index], profile_a, values_a[index], profile_b, values_b[index])
            in levels for index, levels in self.ruling_out)

    def min_weight(self, threshold):
        """The match weight below which a pair's score (a probability rounded to 4 digits) stays under
        ``threshold`` (``None``: every weight may reach it), with a margin for rounding."""
        if threshold not in self._bounds:
            probability = threshold - 0.00005
            self._bounds[threshold] = (
                math.log2(probability / (1.0 - probability)) - 1e-6 if 0.0 < probability < 1.0 else None)
        return self._bounds[threshold]

    def values(self, matcher, profile):
        """The compared values of a profile (``customer.match.rule._cu_profile_values``), extracted
        at its first comparison; the profile is held with them, so its ``id`` stays its own."""
        cached = self._values.get(id(profile))
        if cached is None or cached[0] is not profile:
            cached = self._values[id(profile)] = (profile, matcher._cu_profile_values(self.fields, profile))
        return cached[1]

    def field_weight(self, matcher, index, profile_a, profile_b, field_a, field_b):
        """``(level, weight)`` of the field ``index`` of two profiles whose values of that field are
        ``field_a`` / ``field_b`` (``(None, None)``: missing): the level's weight, plus the
        term-frequency adjustment of the shared value at the exact level."""
        spec = self.fields[index]
        level = matcher._cu_compare_field(spec, profile_a, field_a, profile_b, field_b)
        if level is None:
            return None, None
        weight = self.weights[index][level]
        table = self.frequencies[index]
        if level == 0 and table:
            value = matcher._cu_agreed_value(spec, profile_a, profile_b, field_a, field_b)
            weight += fs.term_frequency_adjustment(table.get("u"), fs.value_frequency(table, value))
        return level, weight

    def field_weights(self, matcher, profile_a, profile_b):
        """Comparison vector and the weight each field adds (``None``: missing), see :meth:`field_weight`."""
        values_a, values_b = self.values(matcher, profile_a), self.values(matcher, profile_b)
        levels = [self.field_weight(matcher, index, profile_a, profile_b, values_a[index], values_b[index])
                  for index in range(len(self.fields))]
        return tuple(level for level, _weight in levels), [weight for _level, weight in levels]

    def match_weight(self, matcher, profile_a, profile_b):
        vector, weights = self.field_weights(matcher, profile_a, profile_b)
        return vector, self.prior_weight + sum(weight for weight in weights if weight is not None)

    def score(self, matcher, profile_a, profile_b):
        return round(fs.probability(self.match_weight(matcher, profile_a, profile_b)[1]), 4)

    def score_if_reaches(self, matcher, profile_a, profile_b, threshold):
        """``explain``'s ``(score, explanation)`` when the score reaches ``threshold``, else ``None``;
        the two profiles are compared once for both.

        The fields are compared in ``customer.match.rule._cu_scoring_order``; once the weight so far
        plus the most the fields left could add (``max_gains``) stays under the threshold's weight,
        the pair is dropped without comparing them: the same pairs are kept, with the same scores."""
        minimum = self.min_weight(threshold)
        if minimum is None:
            vector, field_weights = self.field_weights(matcher, profile_a, profile_b)
        else:
            if self.order is None:
                self.order = matcher._cu_scoring_order(self.fields)
            values_a, values_b = self.values(matcher, profile_a), self.values(matcher, profile_b)
            vector, field_weights = [None] * len(self.fields), [None] * len(self.fields)
            reachable = self.prior_weight + sum(self.max_gains)
            for index in self.order:
                level, weight = self.field_weight(
                    matcher, index, profile_a, profile_b, values_a[index], values_b[index])
                vector[index], field_weights[index] = level, weight
                reachable += (weight or 0.0) - self.max_gains[index]
                if reachable < minimum:
                    return None
            vector = tuple(vector)
        total = self.prior_weight + sum(weight for weight in field_weights if weight is not None)
        if round(fs.probability(total), 4) < threshold:
            return None
        return self._explain(matcher, profile_a, profile_b, vector, field_weights)

    def explain(self, matcher, profile_a, profile_b):
        return self._explain(matcher, profile_a, profile_b, *self.field_weights(matcher, profile_a, profile_b))

    def _explain(self, matcher, profile_a, profile_b, vector, field_weights):
        total = self.prior_weight + sum(weight for weight in field_weights if weight is not None)
        prior = round(self.prior_weight, 4)
        explanation = [{
            "field": "prior", "label": matcher.env._("Prior (random pair match)"), "comparator": "prior",
            "level": "prior", "value_a": "", "value_b": "", "similarity": None,
            "weight": prior, "contribution": prior,
        }]
        for name, spec, field_weight, level, values_a, values_b in zip(
                self.names, self.fields, field_weights, vector, self.values(matcher, profile_a),
                self.values(matcher, profile_b), strict=True):
            weight = 0.0 if level is None else round(field_weight, 4)
            level_name = "missing" if level is None else spec["levels"][level]
            value_a = " / ".join(str(profile_a[col]) for col in spec["displays"] if profile_a.get(col))
            value_b = " / ".join(str(profile_b[col]) for col in spec["displays"] if profile_b.get(col))
            if spec.get("display") and values_a and values_b:
                value_a, value_b = spec["display"](values_a[0], values_b[0])
            label = spec["label"]
            if level is None and spec.get("skip_if") and values_a and values_b and spec["skip_if"](
                    profile_a, profile_b):  # compared, not counted (implied by another field)
                label = spec.get("skipped_label") or label
                level_name = spec["levels"][fs.best_level(spec["compare"], values_a, values_b)]
            explanation.append({
                "field": name, "label": label, "comparator": level_name, "level": level_name,
                "value_a": value_a, "value_b": value_b,
                "similarity": None, "weight": weight, "contribution": weight,
            })
        return round(fs.probability(total), 4), explanation
