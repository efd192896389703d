import logging
from contextlib import contextmanager

import psycopg2
from psycopg2 import errorcodes

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL

from ..tools import normalize

_logger = logging.getLogger(__name__)

# key of ``cr.cache`` holding the id of the merge log being written: the ORM hooks
# of Odoo's wizard take no extra argument, and a context key could be set by any
# RPC caller (to write into another log)
JOURNAL_KEY = "customer_merge_log_id"

MANAGER_GROUP = "customer_unification.group_customer_unification_manager"


STRATEGIES = [
    ("master", "Keep master (fill empty values)"),
    ("recent", "Most recent"),
    ("complete", "Most complete"),
    ("validated", "Validated value"),
]


class _DryRunRollback(Exception):
    """Raised to roll back a merge simulated for the preview; carries its summary."""

    def __init__(self, summary):
        super().__init__()
        self.summary = summary


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Odoo's merge wizard, made safe: journaled, undoable, conflict-safe.

    The orchestration (`_merge`) is replaced because it holds the 3-record
    limit and the final unlink; every step it calls is kept as a hook, so the
    overrides of other modules (mail, account, website, loyalty) still run.
    """

    _inherit = "base.partner.merge.automatic.wizard"

    master_rule = fields.Selection(
        [("manual", "By hand"), ("complete", "Most complete"), ("used", "Most used"), ("oldest", "Oldest")],
        string="Choose Master", default="used", required=True)
    survivorship_default = fields.Selection(
        STRATEGIES, string="Field Values", default="master", required=True,
        help="How the value of each field of the merged contact is chosen. A value is never replaced by an "
             "empty one.")
    survivorship_line_ids = fields.One2many(
        "customer.merge.survivorship.line", "wizard_id", string="Per-field Rules")
    reason = fields.Text(help="Required when a safety check warns about the merge.")
    delete_sources = fields.Boolean(
        "Delete Merged Contacts", help="Delete the merged contacts instead of archiving them. Such a merge "
                                       "cannot be undone.")
    warning_text = fields.Text("Safety Warnings", compute="_compute_warning_text")
    preview_html = fields.Html("Preview", readonly=True, sanitize=False)
    merge_log_id = fields.Many2one("customer.merge.log", readonly=True)
    duplicate_group_id = fields.Many2one("customer.duplicate.group", readonly=True)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        active_ids = self.env.context.get("active_ids")
        if self.env.context.get("active_model") == "res.partner" and active_ids and "dst_partner_id" in fields_list:
            rule = res.get("master_rule") or "used"
            if rule != "manual":
                res["dst_partner_id"] = self._select_master(self.env["res.partner"].browse(active_ids), rule).id
        return res

    @api.onchange("master_rule")
    def _onchange_master_rule(self):
        if self.master_rule != "manual" and self.partner_ids:
            self.dst_partner_id = self._select_master(self.partner_ids._origin, self.master_rule)

    @api.depends("partner_ids")
    def _compute_warning_text(self):
        for wizard in self:
            partners = wizard.partner_ids._origin
            warnings = self._get_merge_warnings(partners) if len(partners) > 1 else []
            wizard.warning_text = "\n".join(warnings) or False

    # ------------------------------------------------------------------
    # Master selection (seams)
    # ------------------------------------------------------------------
    @api.model
    def _select_master(self, partners, rule):
        """Return the partner that survives the merge according to ``rule``."""
        if not partners:
            return partners
        if rule == "complete":
            return max(partners, key=lambda p: (self._completeness(p), p.active, -p.id))
        if rule == "used":
            usage = self._usage_counts(partners)
            return max(partners, key=lambda p: (usage.get(p.id, 0), p.active, -p.id))
        if rule == "oldest":
            return min(partners, key=lambda p: (not p.active, p.create_date or fields.Datetime.now(), p.id))
        return self._get_ordered_partner(partners.ids)[-1]

    @api.model
    def _get_completeness_fields(self):
        """Fields counted by the "most complete" master rule."""
        return ["name", "email", "phone", "mobile", "vat", "street", "zip", "city", "country_id", "website",
                "company_registry", "ref"]

    @api.model
    def _completeness(self, partner):
        return sum(1 for fname in self._get_completeness_fields() if fname in partner._fields and partner[fname])

    @api.model
    def _usage_counts(self, partners):
        """Number of rows referencing each partner, over every table."""
        repointer = self.env["customer.merge.repointer"]
        counts = {}
        for partner in partners:
            counts[partner.id] = sum(cnt for _t, cnt in repointer._count_references("res.partner", partner.ids))
        return counts

    # ------------------------------------------------------------------
    # Safety checks (seams): each returns a list of warning messages
    # ------------------------------------------------------------------
    @api.model
    def _get_merge_warnings(self, partners):
        """Warnings about a merge that needs a Unification Manager and a reason."""
        partners = partners.sudo().with_context(active_test=False)
        # one query for the values every check reads
        partners.fetch([f for f in ["vat", "country_id", "company_id", *self._get_commercial_fields_checked()]
                        if f in partners._fields and partners._fields[f].store])
        warnings = []
        for check in (self._check_vat_conflict, self._check_company_conflict, self._check_accounting_conflict,
                      self._check_user_conflict, self._check_bank_conflict, self._check_commercial_conflict):
            warnings += check(partners)
        return warnings

    @api.model
    def _is_vat_valid(self, vat, country_code):
        """Whether a VAT number is valid, with or without country prefix (``tools.normalize``: the
        same normaliser and checksum as the match keys)."""
        return normalize.vat_is_valid(normalize.normalize_vat(vat, country_code))

    @api.model
    def _check_vat_conflict(self, partners):
        """Two different valid VAT numbers (compared normalized: "IT 123..." and "123..." of an
        Italian contact are the same number) mean two legal entities."""
        vats = {
            normalize.normalize_vat(partner.vat, partner.country_id.code)
            for partner in partners
            if partner.vat and self._is_vat_valid(partner.vat, partner.country_id.code)
        }
        if len(vats) > 1:
            return [self.env._("The contacts have different valid VAT numbers: %s.", ", ".join(sorted(vats)))]
        return []

    @api.model
    def _check_company_conflict(self, partners):
        if len(partners.company_id) > 1:
            return [self.env._("The contacts belong to different companies: %s.",
                               ", ".join(partners.company_id.mapped("name")))]
        return []

    @api.model
    def _check_accounting_conflict(self, partners):
        if "account.move.line" not in self.env:
            return []
        warnings = []
        groups = self.env["account.move.line"].sudo()._read_group(
            [("partner_id", "in", partners.ids), ("parent_state", "=", "posted"),
             ("account_id.account_type", "=", "asset_receivable")],
            ["partner_id", "account_id"])
        accounts_by_partner = {}
        for partner, account in groups:
            accounts_by_partner.setdefault(partner, set()).add(account)
        if len(accounts_by_partner) > 1 and len({frozenset(a) for a in accounts_by_partner.values()}) > 1:
            warnings.append(self.env._("The contacts have posted journal entries on different receivable accounts."))
        Move = self.env["account.move"].sudo()
        if "inalterable_hash" in Move._fields and Move.search_count(
                [("partner_id", "in", partners.ids), ("inalterable_hash", "!=", False)], limit=1):
            warnings.append(self.env._("Some contacts have hashed (inalterable) journal entries."))
        return warnings

    @api.model
    def _check_user_conflict(self, partners):
        users = partners.user_ids
        warnings = []
        if any(user.share for user in users):
            warnings.append(self.env._("Some contacts have portal access."))
        return warnings

    @api.model
    def _check_bank_conflict(self, partners):
        numbers = {}
        for bank in partners.bank_ids:
            numbers.setdefault(bank.partner_id, set()).add(bank.sanitized_acc_number)
        if len(numbers) > 1 and len({frozenset(n) for n in numbers.values()}) > 1:
            return [self.env._("The contacts have different bank accounts.")]
        return []

    @api.model
    def _get_commercial_fields_checked(self):
        """Commercial terms that must agree (checked only when the field exists)."""
        return ["specific_property_product_pricelist", "property_account_position_id", "property_payment_term_id",
                "property_supplier_payment_term_id", "currency_id"]

    @api.model
    def _check_commercial_conflict(self, partners):
        warnings = []
        for fname in self._get_commercial_fields_checked():
            field = partners._fields.get(fname)
            if not field:
                continue
            values = {partner[fname] for partner in partners if partner[fname]}
            if len(values) > 1:
                warnings.append(self.env._("The contacts have different %(field)s: %(values)s.",
                                           field=field.get_description(self.env)["string"],
                                           values=", ".join(v.display_name for v in values)))
        return warnings

    # ------------------------------------------------------------------
    # Checks before merging
    # ------------------------------------------------------------------
    @api.model
    def _check_merge_access(self, partners):
        """Only a Unification Manager merges (any number of contacts)."""
        if self.env.su:
            return
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Unification Manager can merge contacts."))
        partners.check_access("write")

    @api.model
    def _check_merge_structure(self, partners):
        """Odoo's structural checks: no parent/child merge, at most one user."""
        for partner in partners:
            ancestor = partner.parent_id
            while ancestor:
                if ancestor in partners:
                    raise UserError(self.env._("You cannot merge a contact with one of his parent."))
                ancestor = ancestor.parent_id
        if len(partners.with_context(active_test=False).sudo().user_ids) > 1:
            raise UserError(self.env._(
                "You cannot merge contacts linked to more than one user even if only one is active."))

    @api.model
    def _check_merge_reason(self, warnings, reason):
        """A merge with safety warnings needs a Unification Manager and a reason."""
        if not warnings:
            return
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a Unification Manager can do this merge:\n%s", "\n".join(warnings)))
        if not (reason or "").strip():
            raise UserError(self.env._(
                "Write the reason for this merge; the safety checks warn that:\n%s", "\n".join(warnings)))

    @api.model
    def _lock_partners(self, partner_ids):
        """Lock the partner rows; fail at once if another transaction holds them.

        ``NO KEY UPDATE`` excludes other merges and edits of these contacts but
        still lets others create documents that reference them (a wizard, a
        message), which only take a key-share lock.
        """
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(
                    "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE NOWAIT",
                    list(partner_ids)), log_exceptions=False)
        except psycopg2.OperationalError as error:
            if error.pgcode != errorcodes.LOCK_NOT_AVAILABLE:
                raise
            raise UserError(self.env._(
                "These contacts are being merged or edited by someone else right now. Try again in a moment."
            )) from error

    # ------------------------------------------------------------------
    # Merge
    # ------------------------------------------------------------------
    def _merge(self, partner_ids, dst_partner=None, extra_checks=True, dry_run=False, reason=None, score=None):
        """Merge ``partner_ids`` into ``dst_partner``: journaled and undoable.

        :param dry_run: simulate for the preview (no reason needed, no chatter
            note); only ``_dry_run`` passes it, inside a savepoint it rolls back
        :param reason: reason of a risky merge (else the wizard's)
        :param score: duplicate score recorded on the log (else the group's)
        :returns: the ``customer.merge.log`` written (or None if nothing merged)
        """
        wizard = self[:1]
        partners = self.env["res.partner"].with_context(active_test=False).browse(partner_ids).exists()
        if len(partners) < 2:
            return None
        self._check_merge_access(partners)
        self._lock_partners(partners.ids)
        warnings = self._get_merge_warnings(partners)
        if dst_partner and dst_partner in partners:
            dst_partner = dst_partner.sudo()
        else:
            dst_partner = self.sudo()._select_master(partners.sudo(), wizard.master_rule or "used")
        src_partners = partners.sudo() - dst_partner
        self._check_hash_locked_entries(src_partners)
        reason = reason or wizard.reason
        if not dry_run:
            self._check_merge_reason(warnings, reason)
        # access checked above; the log still records the real user
        self = self.sudo()
        partners = partners.sudo()
        self._check_merge_structure(partners)
        log = self._create_merge_log(src_partners, dst_partner, warnings, reason, score)
        Log = self.env["customer.merge.log"]
        master_before = Log._snapshot_partners(dst_partner.ids)[dst_partner.id]
        sources_before = Log._snapshot_partners(src_partners.ids)
        log.source_images = {str(k): v for k, v in sources_before.items()}
        repointer = self.env["customer.merge.repointer"]
        with self._merge_journal(log):
            if dst_partner.company_id:
                users = partners.with_context(active_test=False).user_ids
                with repointer._journaled_orm_writes(log.id, [(users._fields["company_ids"], users.ids)]):
                    users.write({
                        "company_ids": [Command.link(dst_partner.company_id.id)],
                        "company_id": dst_partner.company_id.id,
                    })
            self._merge_bank_accounts(src_partners, dst_partner)
            self._update_foreign_keys(src_partners, dst_partner)
            self._update_reference_fields(src_partners, dst_partner)
            with repointer._journaled_orm_writes(log.id):
                self._update_values(src_partners, dst_partner)
                self.env.add_to_compute(dst_partner._fields["partner_share"], dst_partner)
            if not dry_run:
                self._log_merge_operation(src_partners, dst_partner)
            if self[:1].delete_sources:
                self._retire_sources(src_partners, log)
            else:
                with repointer._journaled_orm_writes(log.id):
                    self._retire_sources(src_partners, log)
        log._finalize(master_before, sources_before)
        self._after_merge(log)
        return log

    @contextmanager
    def _merge_journal(self, log):
        """Route the re-pointing hooks called inside the block to ``log``."""
        cache = self.env.cr.cache
        previous = cache.get(JOURNAL_KEY)
        cache[JOURNAL_KEY] = log.id
        try:
            yield
        finally:
            cache[JOURNAL_KEY] = previous

    def _journal_log_id(self):
        """Id of the merge log being written, if a merge is running."""
        return self.env.cr.cache.get(JOURNAL_KEY)

    @api.model
    def _get_hash_locked_entries(self, partners):
        """Journal entries of ``partners`` protected by an inalterability hash:
        the partner of their lines is part of the hash, so it must never change (seam).

        :returns: ``account.move`` records, or None when Accounting is not installed
        """
        if "account.move" not in self.env or "inalterable_hash" not in self.env["account.move"]._fields:
            return None
        return self.env["account.move"].sudo().with_context(active_test=False).search([
            ("inalterable_hash", "!=", False),
            "|", ("partner_id", "in", partners.ids), ("line_ids.partner_id", "in", partners.ids),
        ])

    @api.model
    def _check_hash_locked_entries(self, src_partners):
        """Refuse to merge away a contact whose hashed entries would change partner.

        Re-pointing them would break the integrity report; keeping them on the
        archived contact would silently split the ledger. The contact that owns
        them can still be kept as the master.
        """
        moves = self._get_hash_locked_entries(src_partners)
        if not moves:
            return
        owners = src_partners & (moves.partner_id | moves.line_ids.partner_id)
        entries = ", ".join(moves[:10].mapped("display_name")) + (" ..." if len(moves) > 10 else "")
        raise UserError(self.env._(
            "%(partners)s cannot be merged into another contact: the partner of their hashed (inalterable) "
            "journal entries would change (%(entries)s). Keep that contact as the master.",
            partners=", ".join(owners.mapped("display_name")), entries=entries))

    @api.model
    def _create_merge_log(self, src_partners, dst_partner, warnings, reason, score=None):
        """Create the audit log of a merge (seam).

        The log belongs to the master's company or, for a shared master, to the
        company the merge was done in: its lines hold before-images of the rows.
        """
        group = self._merge_duplicate_group(src_partners | dst_partner)
        if not group and not score:
            score = self._merge_score(src_partners, dst_partner)
        return self.env["customer.merge.log"].create({
            "company_id": (dst_partner.company_id or self.env.company).id,
            "user_id": self.env.uid,
            "reason": reason,
            "warnings": "\n".join(warnings) or False,
            "master_id": dst_partner.id,
            "source_ids": [Command.set(src_partners.ids)],
            "sources_deleted": bool(self[:1].delete_sources),
            "duplicate_group_id": group.id,
            "score": group.max_score if group else (score or 0.0),
        })

    @api.model
    def _merge_duplicate_group(self, partners):
        """The open duplicate group that holds all the merged ``partners``: the wizard's, else the
        best one found (a merge started from the contacts list or from Odoo's own wizard of
        contacts a scan had grouped), else no group. Its score goes on the log and the merge
        closes it (seam)."""
        group = self[:1].duplicate_group_id
        if group and partners <= group.partner_ids:
            return group
        groups = self.env["customer.duplicate.group"].sudo().search(
            [("state", "=", "open"), ("partner_ids", "in", partners.ids)], order="max_score desc, id")
        return groups.filtered(lambda candidate: partners <= candidate.partner_ids)[:1]

    @api.model
    def _merge_score(self, src_partners, dst_partner):
        """Score of a merge no duplicate group proposed: the matching engine's best score of the
        master with one of the sources, so that every merge log says how alike the contacts
        were (seam)."""
        Rule = self.env["customer.match.rule"].sudo()
        profiles = Rule._profiles_from_ids([dst_partner.id, *src_partners.ids])  # one read for all
        master = profiles[dst_partner.id]
        rule = Rule._rule_for_profile(master)
        if not rule:
            return 0.0
        specs = rule._line_specs()
        return max((rule._score_only(master, profiles[source.id], specs) for source in src_partners), default=0.0)

    def _retire_sources(self, src_partners, log):
        """Archive the merged sources (or delete them when asked)."""
        if self[:1].delete_sources:
            self.env.flush_all()
            src_partners.unlink()
        else:
            src_partners.write({"active": False})

    def _log_merge_operation(self, src_partners, dst_partner):
        """Log the merge in the master's chatter as a plain note: it needs no
        notification to followers, so the lighter ``_message_log`` replaces the
        ``message_post`` of the mail module."""
        _logger.info("(uid = %s) merged the partners %r with %s", self.env.uid, src_partners.ids, dst_partner.id)
        dst_partner._message_log(author_id=self.env.user.partner_id.id, body=self.env._(
            "Merged with: %(names)s.",
            names=", ".join(f"{p.display_name} <{p.email or 'n/a'}> (ID {p.id})" for p in src_partners)))

    def _after_merge(self, log):
        """Close the duplicate pairs between the merged contacts and their group."""
        merged = log.master_id | log.source_ids
        pairs = self.env["customer.duplicate.pair"].search([
            ("partner_a_id", "in", merged.ids), ("partner_b_id", "in", merged.ids), ("state", "=", "open")])
        pairs.write({"state": "merged"})
        group = log.duplicate_group_id
        if group and not (group.partner_ids - merged):
            group.state = "merged"
        self._drop_source_pairs(log)

    def _drop_source_pairs(self, log):
        """Remove the open pairs of the merged-away contacts with other contacts, and
        rebuild their groups: a retired contact is no longer proposed as a duplicate
        (a scan proposes the master instead; after an undo, the source again)."""
        if not log.source_ids:
            return
        self.env["customer.duplicate.pair"].flush_model()
        self.env["customer.duplicate.group"].flush_model(["state"])
        self.env.cr.execute(SQL(
            """DELETE FROM customer_duplicate_pair
                WHERE state = 'open' AND (partner_a_id = ANY(%s) OR partner_b_id = ANY(%s))
            RETURNING partner_a_id, partner_b_id""",
            log.source_ids.ids, log.source_ids.ids))
        touched = {pid for row in self.env.cr.fetchall() for pid in row}
        self.env["customer.duplicate.pair"].invalidate_model()
        self.env.cr.execute(SQL(
            """SELECT 1 FROM customer_duplicate_group_partner_rel r
                 JOIN customer_duplicate_group g ON g.id = r.group_id AND g.state = 'open'
                WHERE r.partner_id = ANY(%s) LIMIT 1""", log.source_ids.ids))
        if touched or self.env.cr.fetchone():
            self.env["customer.duplicate.group"]._rebuild_groups(touched | set(log.source_ids.ids))

    def _update_foreign_keys_generic(self, model, src_records, dst_record):
        """Conflict-safe replacement: move what can be moved, drop only true duplicates."""
        self.env["customer.merge.repointer"]._repoint(
            model, src_records.ids, dst_record.id, self._journal_log_id(),
            ref_types=("fk", "m2m"))

    def _update_reference_fields_generic(self, referenced_model, src_records, dst_record,
                                         additional_update_records=None):
        """Set-based, journaled replacement of Odoo's record-by-record version:
        res_model/res_id pairs of every model, reference fields, company-dependent
        values pointing to the sources, and the sources' own company-dependent values."""
        repointer = self.env["customer.merge.repointer"]
        log_id = self._journal_log_id()
        repointer._repoint(referenced_model, src_records.ids, dst_record.id, log_id,
                           ref_types=("res_id", "reference"))
        repointer._repoint_company_dependent(referenced_model, src_records.ids, dst_record.id, log_id)
        repointer._merge_company_dependent_values(referenced_model, src_records.ids, dst_record.id)

    def _merge_bank_accounts(self, src_partners, dst_partner):
        """Like Odoo, but a duplicate account is journaled before it is dropped."""
        repointer = self.env["customer.merge.repointer"]
        log_id = self._journal_log_id()
        target = {"ref_type": "fk", "model": "res.partner", "table": "res_partner_bank", "column": "partner_id"}
        for src_account in src_partners.bank_ids:
            duplicate = dst_partner.bank_ids.filtered(
                lambda a, acc=src_account: a.sanitized_acc_number == acc.sanitized_acc_number)[:1]
            if duplicate:
                self._update_foreign_keys_generic("res.partner.bank", src_account, duplicate)
                self._update_reference_fields_generic("res.partner.bank", src_account, duplicate)
                self.env.flush_all()
                repointer._drop_row(target, src_account.id, src_account.partner_id.id, dst_partner.id, log_id)
                self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Survivorship
    # ------------------------------------------------------------------
    @api.model
    def _get_survivorship_fields(self, partner):
        """Fields whose value may come from any merged contact (seam)."""
        skip = set(models.MAGIC_COLUMNS) | {"active", "company_id", "commercial_partner_id", "partner_share",
                                            "parent_id", "user_id"}
        return [
            name for name, field in partner._fields.items()
            if field.store and not field.compute and not field.company_dependent and not field.related
            and field.type not in ("one2many", "many2many", "boolean", "selection")
            # binaries kept as attachments (the avatar) belong to their contact: the master keeps its own
            and not (field.type == "binary" and field.attachment)
            and name not in skip
        ]

    def _get_field_strategy(self, fname):
        """Survivorship strategy of one field: per-field rule, then default (seam)."""
        wizard = self[:1]
        line = wizard.survivorship_line_ids.filtered(lambda ln: ln.field_name == fname)[:1]
        if line:
            return line.strategy
        if fname in ("email", "phone", "mobile", "vat"):
            return "validated"
        return wizard.survivorship_default or "master"

    @api.model
    def _is_value_validated(self, fname, partner, value):
        """Whether a value is a validated one (valid e-mail, phone or VAT), by the normalisers of
        ``tools.normalize`` that also build the match keys."""
        if fname == "email":
            return normalize.email_is_valid(value)
        if fname == "vat":
            return self._is_vat_valid(value, partner.country_id.code)
        if fname in ("phone", "mobile"):
            return normalize.phone_is_valid(value, partner.country_id.code, partner.country_id.phone_code)
        return True

    def _survive_value(self, fname, dst_partner, src_partners, recent=None):
        """Pick the surviving value of a field; None keeps the master's value.

        :param recent: the merged partners, most recently updated first
        """
        strategy = self._get_field_strategy(fname)
        if recent is None:
            recent = self._sort_recent_first(dst_partner | src_partners)
        by_master = dst_partner | recent
        candidates = [(p, p[fname]) for p in (recent if strategy == "recent" else by_master) if p[fname]]
        if not candidates:
            return None
        if strategy == "complete":
            return max(candidates, key=lambda c: len(str(c[1].display_name if isinstance(c[1], models.BaseModel)
                                                          else c[1])))[1]
        if strategy == "validated":
            valid = [c for c in candidates if self._is_value_validated(fname, c[0], c[1])]
            return (valid or candidates)[0][1]
        return candidates[0][1]

    @api.model
    def _sort_recent_first(self, partners):
        """The partners, most recently updated first (then highest id)."""
        return partners.sorted(lambda p: (p.write_date or fields.Datetime.now(), p.id), reverse=True)

    @api.model
    def _update_values(self, src_partners, dst_partner):
        """Write on the master only the values that change, per survivorship rule;
        never replace a value with an empty one."""
        summable = self._get_summable_fields()
        recent = self._sort_recent_first(dst_partner | src_partners)
        values = {}
        for fname in self._get_survivorship_fields(dst_partner):
            if fname in summable:
                total = sum((dst_partner | src_partners).mapped(fname))
                if total != dst_partner[fname]:
                    values[fname] = total
                continue
            value = self._survive_value(fname, dst_partner, src_partners, recent)
            if value is None:
                continue
            if isinstance(value, models.BaseModel):
                if value != dst_partner[fname]:
                    values[fname] = value.id
            elif value != dst_partner[fname]:
                values[fname] = value
        if values:
            dst_partner.write(values)
        parent = (src_partners.parent_id - (dst_partner | src_partners))[:1]
        if parent and not dst_partner.parent_id:
            try:
                with self.env.cr.savepoint():
                    dst_partner.write({"parent_id": parent.id})
            except ValidationError:
                _logger.info("Skip recursive parent %s for merged partner %s", parent.id, dst_partner.id)

    # ------------------------------------------------------------------
    # Public API and actions
    # ------------------------------------------------------------------
    @api.model
    def merge_partners(self, partners, master=None, reason=None):
        """Merge ``partners`` into ``master`` (chosen by rule if None).

        Documented entry point for scripts and other addons; the caller needs
        the rights of a Unification Manager, like in the wizard.
        :returns: the ``customer.merge.log`` of the merge
        """
        if not isinstance(partners, models.BaseModel) or partners._name != "res.partner":
            raise UserError(self.env._("Give the contacts to merge as a recordset of contacts."))
        wizard = self.create({
            "partner_ids": [Command.set(partners.ids)],
            "dst_partner_id": master.id if master else False,
            "reason": reason,
            "master_rule": "manual" if master else "used",
            "state": "selection",
        })
        return wizard._merge_atomic(partners.ids, master)

    def _merge_atomic(self, partner_ids, dst_partner=None):
        """``_merge`` all or nothing: a database error rolls the whole merge
        back and becomes a clear message (concurrency errors are re-raised so
        that the request is retried)."""
        try:
            with self.env.cr.savepoint():
                return self._merge(partner_ids, dst_partner)
        except psycopg2.Error as error:
            # lock timeouts, serialization failures, deadlocks: Odoo retries the request
            if error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise
            self.env.invalidate_all(flush=False)
            _logger.exception("Merge of partners %s failed", partner_ids)
            raise UserError(self.env._(
                "The merge failed and nothing was changed: %s", error.pgerror or str(error))) from error

    def action_merge(self):
        """Merge the selected contacts and open the merge log."""
        self.ensure_one()
        if not self.partner_ids:
            return super().action_merge()
        log = self._merge_atomic(self.partner_ids.ids, self.dst_partner_id)
        if self.current_line_id:
            self.current_line_id.unlink()
        if not log:
            return self._action_next_screen()
        self.merge_log_id = log
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.merge.log",
            "res_id": log.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_preview(self):
        """Simulate the merge (then roll it back) and show what it would do."""
        self.ensure_one()
        if len(self.partner_ids) < 2:
            raise UserError(self.env._("Select at least two contacts to merge."))
        summary = self._dry_run()
        self.preview_html = self.env["ir.qweb"]._render(
            "customer_unification.merge_preview", {"summary": summary, "wizard": self})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _dry_run(self):
        """Run the merge inside a savepoint, collect what it did, roll it back.

        Everything the simulated merge wrote, including the ORM writes still
        pending in memory, is flushed *inside* the savepoint, so that the
        rollback removes all of it; the caches are then dropped without flushing.

        :returns: dict with 'tables' (list of dicts table/column/moved/dropped),
                  'conflicts' (dropped rows), 'changes' (master fields changed)
        """
        self.ensure_one()
        self.env.flush_all()
        try:
            with self.env.cr.savepoint():
                log = self.with_context(tracking_disable=True)._merge(
                    self.partner_ids.ids, self.dst_partner_id, dry_run=True)
                summary = log._preview_summary() if log else {}
                self.env.flush_all()
                raise _DryRunRollback(summary)
        except _DryRunRollback as rolled_back:
            summary = rolled_back.summary
        finally:
            self.env.invalidate_all(flush=False)
        return summary
