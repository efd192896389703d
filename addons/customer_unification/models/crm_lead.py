import contextvars

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.mail import parse_contact_from_email

#: crm.lead fields the match profiles of a lead are built from (see ``_cu_lead_raw_values``).
LEAD_KEY_DEPENDENCIES = (
    "partner_name", "contact_name", "email_from", "phone", "mobile", "website",
    "street", "zip", "city", "country_id",
)

#: Set by ``CrmLead.message_new`` when the mail gateway (superuser) creates a lead, and by
#: ``CrmLead._cu_create_without_duplicate_check`` (trusted server code). Context variables of the
#: running thread, not Odoo context keys: an RPC caller cannot set them.
_FROM_MAIL_GATEWAY = contextvars.ContextVar("customer_unification_lead_from_mail_gateway", default=False)
_SKIP_LEAD_CHECK = contextvars.ContextVar("customer_unification_skip_lead_check", default=False)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # name keys: GiST trigram indexes of their own (see init), walked by distance like the partners'
    cu_company_key = fields.Char("Company Name Match Key", compute="_compute_cu_keys", store=True, copy=False)
    cu_contact_key = fields.Char("Contact Name Match Key", compute="_compute_cu_keys", store=True, copy=False)
    cu_email_key = fields.Char(
        "Email Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_phone_key = fields.Char(
        "Phone Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    cu_mobile_key = fields.Char(
        "Mobile Match Key", compute="_compute_cu_keys", store=True, index="btree_not_null", copy=False)
    # the flags of a lead without company (received by e-mail) may name a record of any company: no
    # check_company; they only ever name what the creating user may read
    cu_duplicate_of_id = fields.Many2one(
        "crm.lead", "Possible Duplicate Of", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null",
        help="The open lead this one matched when it was created (form, import, API or e-mail).")
    cu_matched_partner_id = fields.Many2one(
        "res.partner", "Matched Customer", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null",
        help="The existing customer this lead matched when it was created without a customer.")
    cu_duplicate_lead_ids = fields.Many2many(
        "crm.lead", string="Duplicate Leads", compute="_compute_cu_duplicate_leads",
        help="Open leads the match rules find for this one (those you may read).")
    cu_duplicate_lead_count = fields.Integer("Duplicates", compute="_compute_cu_duplicate_leads")

    def init(self):
        res = super().init()
        for column in ("cu_company_key", "cu_contact_key"):
            self.env.cr.execute(SQL(
                "CREATE INDEX IF NOT EXISTS %s ON crm_lead USING gist (%s gist_trgm_ops) WHERE %s IS NOT NULL",
                SQL.identifier(f"crm_lead__{column}_gist_index"), SQL.identifier(column), SQL.identifier(column),
            ))
        return res

    # ------------------------------------------------------------------
    # Profiles: the lead seen by the customer matching engine
    # ------------------------------------------------------------------

    def _cu_lead_raw_values(self, is_company):
        """Raw partner values of the lead, as a company (``partner_name``) or as a person (``contact_name``).

        The one mapping of lead fields to the engine's fields (``res.partner._cu_raw_values``):
        override to match on more lead fields.
        """
        self.ensure_one()
        return {
            "name": self.partner_name if is_company else (self.contact_name or self.partner_name),
            "is_company": is_company,
            "email": self.email_from, "phone": self.phone, "mobile": self.mobile,
            "street": self.street, "zip": self.zip, "city": self.city,
            "country_code": self.country_id.code, "phone_code": self.country_id.phone_code,
            "website": self.website,
        }

    @api.depends(*LEAD_KEY_DEPENDENCIES)
    def _compute_cu_keys(self):
        Partner = self.env["res.partner"]
        for lead in self:
            person = Partner._cu_prepare_keys(lead._cu_lead_raw_values(False))
            company = Partner._cu_prepare_keys(lead._cu_lead_raw_values(True)) if lead.partner_name else {}
            lead.update({
                "cu_company_key": company.get("cu_name_key") or False,
                "cu_contact_key": person["cu_name_key"] if lead.contact_name else False,
                "cu_email_key": person["cu_email_key"],
                "cu_phone_key": person["cu_phone_key"],
                "cu_mobile_key": person["cu_mobile_key"],
            })

    def _cu_lead_profile(self, is_company):
        """The lead's profile of one kind (company / person), or None when it has no such name."""
        self.ensure_one()
        if not (self.partner_name if is_company else self.contact_name):
            return None
        raw = self._cu_lead_raw_values(is_company)
        if not isinstance(self.id, int):  # a lead being typed
            return self.env["customer.match.rule"].sudo()._profile_from_values(raw, company_id=self.company_id.id)
        # a saved lead: its phone keys are stored (_compute_cu_keys, from the same raw values), and
        # parsing the numbers again is most of the cost of a profile
        profile = self.env["customer.match.rule"].sudo()._profile_from_values(
            dict(raw, phone=False, mobile=False), company_id=self.company_id.id)
        profile.update(phone=raw["phone"] or False, mobile=raw["mobile"] or False,
                       cu_phone_key=self.cu_phone_key, cu_mobile_key=self.cu_mobile_key)
        return profile

    def _cu_lead_profiles(self):
        """Profiles to match, most specific first: the company when named, then the contact person."""
        return [profile for profile in (self._cu_lead_profile(True), self._cu_lead_profile(False)) if profile]

    # ------------------------------------------------------------------
    # Lead vs existing customers
    # ------------------------------------------------------------------

    def _find_matching_partner(self, email_only=False):
        """Link the lead to the best-scoring existing customer instead of Odoo's ``name ilike`` guess.

        ``email_only`` lookups (automatic processes) keep Odoo's exact e-mail search.
        """
        self.ensure_one()
        if self.partner_id or email_only:
            return super()._find_matching_partner(email_only=email_only)
        match = self._cu_best_partner_match()
        if match:
            return match["partner"]
        return super()._find_matching_partner(email_only=True)

    def _cu_best_partner_match(self):
        """Best match of the lead among the customers the user may read: dict(partner, score, explanation) or False.

        Matching runs over every company; a customer of a company the user cannot
        access is never proposed (the lead would point at a contact the user cannot open).
        """
        self.ensure_one()
        matcher = self.env["customer.match.rule"].sudo()
        Partner = self.env["res.partner"]
        for profile in self._cu_lead_profiles():
            matches, _hidden = Partner._cu_visible_matches(matcher._match_profile(profile, limit=5))
            if matches:
                return dict(matches[0], partner=Partner.browse(matches[0]["partner_id"]))
        return False

    def _cu_partner_matches(self, limit=5, index=None):
        """Existing customers matching the lead (all companies, any visibility), best first, one per
        customer: ``[{"partner_id", "score", "explanation", "rule"}]``. Rules whose prevention is off
        are left out (the same rules and thresholds as the partner form's banner)."""
        self.ensure_one()
        matcher = self.env["customer.match.rule"].sudo()
        index = matcher._rules_index() if index is None else index
        best = {}
        for profile in self._cu_lead_profiles():
            rule = matcher._rule_for_profile(profile, index)
            if not rule or rule.prevention_mode == "off":
                continue
            for match in matcher._match_profile(profile, limit=limit):
                if match["score"] > best.get(match["partner_id"], {}).get("score", -1):
                    best[match["partner_id"]] = match
        return sorted(best.values(), key=lambda m: (-m["score"], m["partner_id"]))[:limit]

    # ------------------------------------------------------------------
    # Lead vs lead
    # ------------------------------------------------------------------

    def _cu_duplicate_lead_domain(self, older_only=False):
        """Leads that may be duplicates of this one: open ones (active, not won) other than itself, of
        the lead's company or shared (of any company for a lead without company, such as one
        received by e-mail); with ``older_only`` those created before it. Two leads already linked
        to the same customer are repeat business, not duplicates (Odoo's *Similar Leads* still
        lists them): they are never flagged, blocked or proposed for a merge."""
        self.ensure_one()
        lead_id = self._origin.id
        domain = [("active", "=", True), ("probability", "<", 100), ("id", "!=", lead_id or 0)]
        if self.company_id:
            domain.append(("company_id", "in", [self.company_id.id, False]))
        if self.partner_id:
            domain += ["|", ("partner_id", "=", False),
                       ("partner_id.commercial_partner_id", "!=", self.partner_id.commercial_partner_id.id)]
        if older_only and lead_id:
            domain.append(("id", "<", lead_id))
        return domain

    def _cu_lead_candidate_ids(self, profile, older_only=False):
        """Ids of the leads worth scoring against one profile of this lead, as the partner check
        while typing finds them (``customer.match.rule._match_profile``): the
        ``customer.match.rule._match_candidate_cap()`` nearest names of the same kind (trigram
        distance, GiST index: a bounded walk) spelt alike, and the leads with the same e-mail,
        phone or mobile (btree indexes). Filters: :meth:`_cu_duplicate_lead_domain`."""
        matcher = self.env["customer.match.rule"].sudo()
        Lead = self.env["crm.lead"].sudo()
        Lead.flush_model()
        domain = self._cu_duplicate_lead_domain(older_only=older_only)
        column = SQL.identifier("crm_lead", "cu_company_key" if profile["is_company"] else "cu_contact_key")
        name, cap = profile.get("cu_name_key"), matcher._match_candidate_cap()
        ids = set()
        if name:
            query = Lead._search(domain)
            query.add_where(SQL("%s IS NOT NULL", column))
            query.order = SQL("%s <-> %s", column, name)
            query.limit = cap
            ids.update(row[0] for row in self.env.execute_query(SQL(
                "SELECT n.id FROM (%s) n WHERE n.similarity >= %s",
                query.select(SQL("crm_lead.id"), SQL("similarity(%s, %s) AS similarity", column, name)),
                matcher._match_name_similarity())))
        conditions = []
        if profile.get("cu_email_key"):
            conditions.append(SQL("crm_lead.cu_email_key = %s", profile["cu_email_key"]))
        phones = [key for key in (profile.get("cu_phone_key"), profile.get("cu_mobile_key")) if key]
        if phones:
            conditions.append(SQL("crm_lead.cu_phone_key = ANY(%s) OR crm_lead.cu_mobile_key = ANY(%s)",
                                  phones, phones))
        if conditions:
            query = Lead._search(domain)
            query.add_where(SQL("%s IS NOT NULL AND (%s)", column, SQL(" OR ").join(conditions)))
            query.order = SQL("crm_lead.id DESC")
            query.limit = cap
            ids.update(query)
        return sorted(ids)

    def _cu_duplicate_lead_matches(self, limit=5, older_only=False, index=None):
        """Open leads this lead duplicates (all of them, any visibility), scored by the customer
        match rules: ``[{"lead_id", "score", "explanation", "rule"}]`` best first, one per lead.

        Each profile of the lead (company, person) is scored against the same kind of profile of
        the candidates with the rule and threshold of the partners of that kind; rules whose
        prevention is off are left out.
        """
        self.ensure_one()
        matcher = self.env["customer.match.rule"].sudo()
        index = matcher._rules_index() if index is None else index
        best = {}
        for profile in self._cu_lead_profiles():
            rule = matcher._rule_for_profile(profile, index)
            if not rule or rule.prevention_mode == "off" or not profile.get("cu_name_key"):
                continue
            specs = rule._line_specs()
            candidates = self.env["crm.lead"].sudo().browse(self._cu_lead_candidate_ids(profile, older_only))
            for candidate in candidates:
                candidate_profile = candidate._cu_lead_profile(profile["is_company"])
                if not candidate_profile:
                    continue
                score, explanation = rule._score_profiles(profile, candidate_profile, specs)
                if score >= rule.threshold and score > best.get(candidate.id, {}).get("score", -1):
                    best[candidate.id] = {"lead_id": candidate.id, "score": score,
                                          "explanation": explanation, "rule": rule}
        return sorted(best.values(), key=lambda m: (-m["score"], -m["lead_id"]))[:limit]

    def _cu_visible_lead_matches(self, matches):
        """Split lead matches into those the current user may read and the number of hidden ones."""
        leads = self.env["crm.lead"].with_user(self.env.user).browse([m["lead_id"] for m in matches])
        readable = set(leads._filtered_access("read").ids)
        visible = [match for match in matches if match["lead_id"] in readable]
        return visible, len(matches) - len(visible)

    @api.depends(*LEAD_KEY_DEPENDENCIES, "company_id")
    @api.depends_context("uid")
    def _compute_cu_duplicate_leads(self):
        for lead in self:
            visible, _hidden = lead._cu_visible_lead_matches(lead._cu_duplicate_lead_matches())
            lead.cu_duplicate_lead_ids = [(6, 0, [match["lead_id"] for match in visible])]
            lead.cu_duplicate_lead_count = len(visible)

    # ------------------------------------------------------------------
    # Prevention: the banner while typing
    # ------------------------------------------------------------------

    @api.model
    def _cu_duplicate_check_fields(self):
        """The lead fields the check while typing reads from the form (see :meth:`cu_duplicate_check`):
        the profile's sources, the company and the customer (a lead linked to a customer is not told
        that customers match it)."""
        return {*LEAD_KEY_DEPENDENCIES, "company_id", "partner_id"}

    @api.model
    @api.readonly
    def cu_duplicate_check(self, values, lead_id=False):
        """The duplicate banner of the lead being typed: ``{"count", "lead_count", "html"}``.

        ``values`` are the form's current values of :meth:`_cu_duplicate_check_fields` (others are
        refused), ``lead_id`` the lead being edited (left out of its own matches). Same rules,
        thresholds and visibility filter as the partner form's banner
        (``res.partner.cu_duplicate_check``); ``lead_count`` counts the duplicate leads the user
        may read (the banner then offers their merge)."""
        unknown = set(values) - self._cu_duplicate_check_fields()
        if unknown:
            raise UserError(self.env._("The duplicate check does not read these fields: %s",
                                       ", ".join(sorted(unknown))))
        origin = self.browse(int(lead_id)) if lead_id else self.browse()
        origin.check_access("read")
        lead = self.new(values, origin=origin)
        index = self.env["customer.match.rule"].sudo()._rules_index()
        leads, hidden_leads = self._cu_visible_lead_matches(lead._cu_duplicate_lead_matches(index=index))
        partner_matches = [] if lead.partner_id else lead._cu_partner_matches(index=index)
        count = len(leads) + hidden_leads + len(partner_matches)
        if not count:
            return {"count": 0, "lead_count": 0, "html": ""}
        return {"count": count, "lead_count": len(leads),
                "html": self._cu_render_lead_warning(leads, hidden_leads, partner_matches)}

    @api.model
    def _cu_render_lead_warning(self, leads, hidden_leads, partner_matches):
        """HTML of the lead form banner: the duplicate leads the user may read (the others
        counted), then the existing customers as the partner form's banner shows them."""
        html = Markup("")
        if leads or hidden_leads:
            names = {lead.id: lead.display_name for lead in self.browse([m["lead_id"] for m in leads]).sudo()}
            items = Markup("").join(
                Markup('<li><a href="/odoo/crm.lead/%s">%s</a> — %s%% <span class="text-muted">(%s)</span></li>') % (
                    match["lead_id"], names[match["lead_id"]], round(match["score"] * 100),
                    ", ".join(escape(line["label"]) for line in match["explanation"] if line["contribution"] > 0))
                for match in leads)
            if hidden_leads:
                items += Markup("<li>%s</li>") % self.env._("%s matching lead(s) you cannot access", hidden_leads)
            html += Markup("<strong>%s</strong><ul class='mb-0'>%s</ul>") % (
                self.env._("This lead may already exist:"), items)
        if partner_matches:
            html += self.env["res.partner"]._cu_render_warning(partner_matches)
        return html

    # ------------------------------------------------------------------
    # Prevention: every creation path
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        if not _SKIP_LEAD_CHECK.get():
            leads._cu_check_duplicates_on_create(from_mail_gateway=_FROM_MAIL_GATEWAY.get() and self.env.su)
        return leads

    @api.model
    def _cu_create_without_duplicate_check(self, vals_list):
        """Create leads without the duplicate check (no block, no flag), for trusted server code only.

        Private, so not callable over RPC; there is deliberately no context key for this.
        """
        token = _SKIP_LEAD_CHECK.set(True)
        try:
            return self.create(vals_list)
        finally:
            _SKIP_LEAD_CHECK.reset(token)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A lead received by e-mail is never refused: the mail gateway (which runs as superuser)
        flags a duplicate instead of blocking it. A user calling this method over RPC is no
        gateway: the block applies to them."""
        custom_values = {**self._cu_mail_contact_values(msg_dict), **(custom_values or {})}
        if not self.env.su:
            return super().message_new(msg_dict, custom_values=custom_values)
        token = _FROM_MAIL_GATEWAY.set(True)
        try:
            return super().message_new(msg_dict, custom_values=custom_values)
        finally:
            _FROM_MAIL_GATEWAY.reset(token)

    @api.model
    def _cu_mail_contact_values(self, msg_dict):
        """Lead values taken from an incoming e-mail for matching: the sender's name as contact
        name when the sender is no known contact (Odoo then leaves the lead without any name,
        and a lead without a name is never matched)."""
        if msg_dict.get("author_id"):
            return {}
        name, _email = parse_contact_from_email(msg_dict.get("from") or "")
        return {"contact_name": name} if name else {}

    def _cu_check_duplicates_on_create(self, from_mail_gateway=False):
        """Refuse or flag the new leads that duplicate an open lead or match an existing customer.

        A duplicate of an earlier open lead is refused (UserError) when the rule of its kind is in
        "block" mode, on every path (form, import, API), except a lead received by e-mail, which is
        flagged instead; otherwise (warn, or e-mail) ``cu_duplicate_of_id`` records the lead it
        duplicates. A new lead of an existing customer is normal business: never refused, it is
        flagged with ``cu_matched_partner_id`` when it has no customer yet. Flags name only what
        the creating user may read.
        """
        matcher = self.env["customer.match.rule"].sudo()
        index = matcher._rules_index()
        if all(rule.prevention_mode == "off" for rule in index.values()):
            return
        Partner = self.env["res.partner"]
        for lead in self:
            flags = {}
            matches = lead._cu_duplicate_lead_matches(limit=5, older_only=True, index=index)
            visible, _hidden = self._cu_visible_lead_matches(matches)
            if matches and not from_mail_gateway and any(m["rule"].prevention_mode == "block" for m in matches):
                lead._cu_raise_blocked(visible)
            if visible:
                flags["cu_duplicate_of_id"] = visible[0]["lead_id"]
            if not lead.partner_id:
                partners, _hidden = Partner._cu_visible_matches(lead._cu_partner_matches(limit=5, index=index))
                if partners:
                    flags["cu_matched_partner_id"] = partners[0]["partner_id"]
            if flags:
                lead.sudo().write(flags)

    def _cu_raise_blocked(self, visible):
        """The refusal of a lead duplicating an open lead, naming it only when the user may read it."""
        self.ensure_one()
        name = self.partner_name or self.contact_name or self.name
        if not visible:
            raise UserError(self.env._(
                "%(new)s cannot be created: it duplicates an open lead you cannot access. "
                "Ask its salesperson or a sales manager to check it.", new=name))
        existing = self.browse(visible[0]["lead_id"]).sudo()
        raise UserError(self.env._(
            "%(new)s cannot be created: it duplicates the open lead %(existing)s (ID %(id)s, match score "
            "%(score)s%%). Open that lead instead.",
            new=name, existing=existing.display_name, id=existing.id, score=round(visible[0]["score"] * 100)))

    # ------------------------------------------------------------------
    # Merge: Odoo's lead merge, then the matched customer
    # ------------------------------------------------------------------

    def action_cu_merge_duplicates(self):
        """Open Odoo's merge wizard (``crm.merge.opportunity``) on this lead and its duplicates the
        user may read (at most four: Odoo merges up to five leads at once)."""
        self.ensure_one()
        self.check_access("write")
        duplicates = self.cu_duplicate_lead_ids
        if not duplicates:
            raise UserError(self.env._("No open lead duplicates %s.", self.display_name))
        leads = self | duplicates[:4]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge Duplicate Leads"),
            "res_model": "crm.merge.opportunity",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": "crm.lead", "active_id": self.id, "active_ids": leads.ids,
                        "default_user_id": self.user_id.id, "default_team_id": self.team_id.id},
        }

    def _merge_opportunity(self, user_id=False, team_id=False, auto_unlink=True, max_length=5):
        head = super()._merge_opportunity(
            user_id=user_id, team_id=team_id, auto_unlink=auto_unlink, max_length=max_length)
        head._cu_link_matched_customer()
        return head

    def _cu_link_matched_customer(self):
        """After a merge, link a lead without customer to the best-scoring existing customer the
        user may read (as Odoo's conversion does: the customer's e-mail and phone then show on the
        lead)."""
        for lead in self.filtered(lambda lead: not lead.partner_id):
            match = lead._cu_best_partner_match()
            if match:
                lead.partner_id = match["partner"]
