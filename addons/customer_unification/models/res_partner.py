import contextvars

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import normalize

#: res.partner fields whose change invalidates the normalized keys.
KEY_DEPENDENCIES = (
    "name", "is_company", "email", "phone", "mobile", "vat", "company_registry",
    "website", "street", "zip", "city", "country_id",
)


#: Address keys that the city's name index includes, so that the nearest names of a city are kept or
#: dropped on their addresses before their rows are read (``customer.match.rule._blocking_address_evidence_sql``).
BLOCK_ADDRESS_COLUMNS = ("cu_zip_key", "cu_house_key", "cu_street_key")

#: Composite btree indexes of the blocking passes: ``{index name: columns}``.
BLOCK_INDEXES = {
    "res_partner__cu_zip_house_index": ("cu_zip_key", "cu_house_key"),
}

#: Set only by ``ResPartner._cu_create_without_duplicate_check`` (trusted server code). A context
#: variable of the running thread, not an Odoo context key: an RPC caller cannot set it.
_SKIP_DUPLICATE_CHECK = contextvars.ContextVar("customer_unification_skip_duplicate_check", default=False)


class ResPartner(models.Model):
    _inherit = "res.partner"

    cu_name_key = fields.Char(
        "Name Match Key", compute="_compute_cu_keys", store=True, index="trigram", copy=False)
    cu_email_key = fields.Char(
        "Email Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_phone_key = fields.Char(
        "Phone Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_mobile_key = fields.Char(
        "Mobile Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_vat_key = fields.Char(
        "Tax ID Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_vat_valid = fields.Boolean("VAT Checksum Valid", compute="_compute_cu_keys", store=True, copy=False)
    cu_registry_key = fields.Char(
        "Registry Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_domain_key = fields.Char(
        "Website Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_street_key = fields.Char(
        "Street Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_zip_key = fields.Char(
        "Zip Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_city_key = fields.Char(
        "City Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_phonetic_key = fields.Char(
        "Phonetic Name Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False,
        help="Sorted metaphone codes of the name words (jellyfish): a blocking key that survives typos.")
    cu_house_key = fields.Char(
        "House Number Key", compute="_compute_cu_keys", store=True, copy=False)
    cu_duplicate_count = fields.Integer("Possible Duplicates", compute="_compute_cu_duplicate_warning")
    cu_duplicate_warning = fields.Html(
        "Possible Duplicates Warning", compute="_compute_cu_duplicate_warning", sanitize=False)

    def init(self):
        res = super().init()
        # a GIN pending list is scanned linearly by every lookup: the typing check must not pay for it
        self.env.cr.execute("""
            DO $$ BEGIN
                IF to_regclass('res_partner__cu_name_key_index') IS NOT NULL THEN
                    ALTER INDEX res_partner__cu_name_key_index SET (fastupdate = off);
                END IF;
            END $$
        """)
        self._cu_init_name_blocks()
        return res

    def _cu_init_name_blocks(self):
        """Blocking keys of the scan's zip and city passes, answered by GIN expression indexes.

        ``customer_unification_name_blocks(place, name_key)`` returns one key
        ``place|xyz`` per token of the name key, ``xyz`` being the token's first
        three letters (``('20121', 'mario rossi')`` gives ``{20121|mar, 20121|ros}``).
        Two partners are compared by name only when they share a key: same
        place and a word starting alike, so a big zip or city is no longer
        compared with itself pair by pair.
        """
        self.env.cr.execute("""
            CREATE OR REPLACE FUNCTION customer_unification_name_blocks(place text, name_key text)
            RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
                SELECT array_agg(DISTINCT place || '|' || left(token, 3))
                  FROM unnest(string_to_array(name_key, ' ')) AS token
                 WHERE token <> ''
            $fn$
        """)
        for column in ("cu_zip_key", "cu_city_key", "cu_house_key"):
            self.env.cr.execute(SQL(
                """CREATE INDEX IF NOT EXISTS %s ON res_partner
                   USING gin (customer_unification_name_blocks(%s, cu_name_key)) WITH (fastupdate = off)""",
                SQL.identifier(f"res_partner__{column}_name_blocks_index"), SQL.identifier(column),
            ))
        self._cu_init_name_neighbours()
        # the nearest names anywhere, for the check while typing (customer.match.rule._match_profile):
        # one index per kind of partner, of the partners taking part in matching, so that the walk
        # to the nearest names never skips the other kind
        eligible = self.env["customer.match.rule"]._eligible_partner_sql("res_partner")
        for kind, condition in (("company", SQL("is_company")), ("individual", SQL("NOT is_company"))):
            self.env.cr.execute(SQL(
                "CREATE INDEX IF NOT EXISTS %s ON res_partner USING gist (cu_name_key gist_trgm_ops) WHERE %s AND %s",
                SQL.identifier(f"res_partner__cu_name_key_{kind}_gist_index"), condition, eligible,
            ))
        # the names of the partners without a place (no zip, no city), for the passes that look for
        # them everywhere (see customer.match.rule._blocking_passes)
        self.env.cr.execute(SQL(
            """CREATE INDEX IF NOT EXISTS res_partner__cu_name_key_no_place_index ON res_partner (cu_name_key)
                WHERE cu_zip_key IS NULL AND cu_city_key IS NULL AND cu_name_key IS NOT NULL"""))
        # composite keys of the passes that do not need the name to be spelt alike (see _blocking_passes)
        for name, columns in BLOCK_INDEXES.items():
            self.env.cr.execute(SQL(
                "CREATE INDEX IF NOT EXISTS %s ON res_partner (%s) WHERE %s IS NOT NULL",
                SQL.identifier(name), SQL(", ").join(SQL.identifier(col) for col in columns),
                SQL.identifier(columns[1]),
            ))

    def _cu_init_name_neighbours(self):
        """Sorted name keys of the scan's zip and city passes (sorted neighbourhood, see
        ``customer.match.rule._blocking_passes``), answered by btree indexes.

        Per place (zip, city) two indexes order the partners by ``(place, key)``: the name key
        itself (its words are sorted: a swap does not move it) and the name key rotated by
        ``customer_unification_name_rotated`` (its last word first: a typo in the first letters
        of the first word does not move it). They include ``is_company`` and ``id`` (and the
        rotated one ``cu_name_key``), so the nearest names of a partner are read from the index
        alone, however crowded the place.
        """
        self.env.cr.execute("""
            CREATE OR REPLACE FUNCTION customer_unification_name_rotated(name_key text)
            RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
                SELECT regexp_replace(name_key, '^(.*) (\\S+)$', '\\2 \\1')
            $fn$
        """)
        # (an index-only scan needs the expression's column too: cu_name_key in the rotated one); the
        # city's name index also holds the address keys its neighbours are filtered on
        address = SQL(", ").join(SQL.identifier(column) for column in BLOCK_ADDRESS_COLUMNS)
        for column, name_suffix, name_include in (
                ("cu_zip_key", "name", SQL("is_company, id")),
                ("cu_city_key", "name_address", SQL("is_company, id, %s", address))):
            for suffix, key, include in (
                    (name_suffix, SQL("cu_name_key"), name_include),
                    ("rotated_name", SQL("customer_unification_name_rotated(cu_name_key)"),
                     SQL("is_company, id, cu_name_key"))):
                self.env.cr.execute(SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON res_partner (%s, %s) INCLUDE (%s) WHERE %s IS NOT NULL",
                    SQL.identifier(f"res_partner__{column}_{suffix}_index"), SQL.identifier(column), key,
                    include, SQL.identifier(column),
                ))

    @api.depends(*KEY_DEPENDENCIES)
    def _compute_cu_keys(self):
        for partner in self:
            partner.update(partner._cu_prepare_keys(partner._cu_raw_values()))

    def _cu_raw_values(self):
        """Raw values of this partner fed to the normalizers (a seam to add sources)."""
        self.ensure_one()
        return {
            "name": self.name, "is_company": self.is_company, "email": self.email,
            "phone": self.phone, "mobile": self.mobile, "vat": self.vat,
            "company_registry": self.company_registry, "website": self.website,
            "street": self.street, "zip": self.zip, "city": self.city,
            "country_code": self.country_id.code, "phone_code": self.country_id.phone_code,
        }

    @api.model
    def _cu_prepare_keys(self, raw):
        """Return the normalized keys of a dict of raw values (see ``_cu_raw_values``)."""
        country = raw.get("country_code")
        vat_key = normalize.normalize_vat(raw.get("vat"), country)
        name_key = normalize.normalize_name(raw.get("name"), raw.get("is_company"))
        street_key = normalize.normalize_street(raw.get("street"))
        return {
            "cu_name_key": name_key or False,
            "cu_phonetic_key": normalize.phonetic_key(name_key) or False,
            "cu_house_key": normalize.street_parts(street_key)[1] or False,
            "cu_email_key": normalize.normalize_email(raw.get("email")) or False,
            "cu_phone_key": normalize.normalize_phone(raw.get("phone"), country, raw.get("phone_code")) or False,
            "cu_mobile_key": normalize.normalize_phone(raw.get("mobile"), country, raw.get("phone_code")) or False,
            "cu_vat_key": vat_key or False,
            "cu_vat_valid": normalize.vat_is_valid(vat_key),
            "cu_registry_key": normalize.normalize_company_registry(raw.get("company_registry")) or False,
            "cu_domain_key": normalize.normalize_website(raw.get("website")) or False,
            "cu_street_key": street_key or False,
            "cu_zip_key": normalize.normalize_zip(raw.get("zip"), country) or False,
            "cu_city_key": normalize.normalize_city(raw.get("city")) or False,
        }

    # ------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------

    def _find_duplicate_candidates(self, limit=10, threshold=None):
        """Return the ranked possible duplicates of each partner of ``self``.

        :param int limit: maximum number of candidates per partner
        :param float threshold: minimum score, defaults to each rule's threshold
        :return: ``{partner_id: [{"partner": res.partner, "score": float,
                  "explanation": [dict, ...], "rule": customer.match.rule}, ...]}``
                 best first; pairs marked "not a duplicate" are never returned.
        """
        matcher = self.env["customer.match.rule"].sudo()
        result = {}
        for partner in self:
            profile = matcher._profile_from_record(partner)
            matches = matcher._match_profile(profile, limit=limit, threshold=threshold)
            result[partner.id] = [
                dict(match, partner=self.browse(match["partner_id"])) for match in matches
            ]
        return result

    # ------------------------------------------------------------------
    # Prevention
    # ------------------------------------------------------------------

    @api.depends(*KEY_DEPENDENCIES)
    @api.depends_context("uid")
    def _compute_cu_duplicate_warning(self):
        matcher = self.env["customer.match.rule"].sudo()
        for partner in self:
            matches = []
            if partner.name and not partner.parent_id:
                profile = matcher._profile_from_record(partner)
                rule = matcher._rule_for_profile(profile)
                if rule and rule.prevention_mode != "off":
                    matches = matcher._match_profile(profile, limit=5)
            partner.cu_duplicate_count = len(matches)
            partner.cu_duplicate_warning = partner._cu_render_warning(matches) if matches else False

    @api.model
    def _cu_duplicate_check_fields(self):
        """The partner fields the check while typing reads from the form (see
        :meth:`cu_duplicate_check`): the match keys' sources, the kind and the place in the
        contact tree and the company."""
        return {*KEY_DEPENDENCIES, "parent_id", "company_id"}

    @api.model
    @api.readonly
    def cu_duplicate_check(self, values, partner_id=False):
        """The duplicate banner of the partner being typed in the form: ``{"count", "html"}``.

        ``values`` are the form's current values of :meth:`_cu_duplicate_check_fields` (others are
        refused), ``partner_id`` the record being edited (left out of its own matches). The check
        is the one of ``cu_duplicate_warning`` (same rules, same visibility filter), run on an
        unsaved record. Read-only (``@api.readonly``): the form asks for it on every change, and on
        a ``db_replica_host`` deployment the replica answers."""
        unknown = set(values) - self._cu_duplicate_check_fields()
        if unknown:
            raise UserError(self.env._("The duplicate check does not read these fields: %s",
                                       ", ".join(sorted(unknown))))
        origin = self.browse(int(partner_id)) if partner_id else self.browse()
        if origin:
            origin.check_access("read")
        partner = self.new(values, origin=origin)
        return {"count": partner.cu_duplicate_count, "html": partner.cu_duplicate_warning or ""}

    def _cu_visible_matches(self, matches):
        """Split matches into those the current user may read and the number of hidden ones.

        Matching runs as superuser over every company; what is shown to the user
        must respect the record rules of ``res.partner`` (multi-company), so a
        partner of a company the user cannot read is counted but never named.
        """
        partners = self.env["res.partner"].with_user(self.env.user).browse([m["partner_id"] for m in matches])
        readable = set(partners._filtered_access("read").ids)
        visible = [match for match in matches if match["partner_id"] in readable]
        return visible, len(matches) - len(visible)

    def _cu_render_warning(self, matches):
        """HTML list of possible duplicates for the partner form banner (readable partners only)."""
        visible, hidden = self._cu_visible_matches(matches)
        names = {p.id: p.display_name for p in self.browse([m["partner_id"] for m in visible]).sudo()}
        items = Markup("").join(
            Markup('<li><a href="/odoo/contacts/%s">%s</a> — %s%% <span class="text-muted">(%s)</span></li>') % (
                match["partner_id"], names[match["partner_id"]], round(match["score"] * 100),
                ", ".join(escape(line["label"]) for line in match["explanation"] if line["contribution"] > 0),
            )
            for match in visible
        )
        if hidden:
            items += Markup("<li>%s</li>") % self.env._(
                "%s matching contact(s) of a company you cannot access", hidden)
        return Markup("<strong>%s</strong><ul class='mb-0'>%s</ul>") % (
            self.env._("This customer may already exist:"), items)

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if not _SKIP_DUPLICATE_CHECK.get():
            partners._cu_check_block_on_create()
        return partners

    @api.model
    def _cu_create_without_duplicate_check(self, vals_list):
        """Create partners without the block-on-create check, for trusted server code only.

        For callers that already decided the partners are wanted (a merge, a
        migration script, a test fixture). Private, so not callable over RPC;
        there is deliberately no context key for this.
        """
        token = _SKIP_DUPLICATE_CHECK.set(True)
        try:
            return self.create(vals_list)
        finally:
            _SKIP_DUPLICATE_CHECK.reset(token)

    def _cu_check_block_on_create(self):
        """Raise a UserError when a rule in "block" mode finds an existing duplicate.

        Applies to every creation path (form, import, API, RPC, any context);
        only trusted server code may create through
        ``_cu_create_without_duplicate_check``. The message names the existing
        customer only when the user may read it; a duplicate in a company the
        user cannot access still blocks, without revealing its name.
        """
        matcher = self.env["customer.match.rule"].sudo()
        if not matcher._has_blocking_rule():
            return
        for partner in self.filtered(lambda p: not p.parent_id):
            profile = matcher._profile_from_record(partner)
            rule = matcher._rule_for_profile(profile)
            if not rule or rule.prevention_mode != "block":
                continue
            matches = matcher._match_profile(profile, limit=5, threshold=rule.threshold)
            if not matches:
                continue
            visible, _hidden = self._cu_visible_matches(matches)
            if not visible:
                raise UserError(self.env._(
                    "%(new)s cannot be created: it duplicates an existing contact of a company you cannot "
                    "access. Ask a user of that company or an administrator to check it.",
                    new=partner.name,
                ))
            existing = self.browse(visible[0]["partner_id"]).sudo()
            raise UserError(self.env._(
                "%(new)s cannot be created: it duplicates the existing customer "
                "%(existing)s (ID %(id)s, match score %(score)s%%). Open that customer instead.",
                new=partner.name, existing=existing.display_name, id=existing.id,
                score=round(visible[0]["score"] * 100),
            ))
