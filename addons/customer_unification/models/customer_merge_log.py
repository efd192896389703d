import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# columns never restored by an undo: they describe the undo itself
NOT_RESTORED = ("write_date", "write_uid")


class CustomerMergeLog(models.Model):
    """Audit trail of one merge, with everything needed to undo it."""

    _name = "customer.merge.log"
    _description = "Customer Merge Log"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    user_id = fields.Many2one("res.users", "Merged By", readonly=True, default=lambda self: self.env.user)
    date = fields.Datetime("Merged On", readonly=True, default=fields.Datetime.now)
    reason = fields.Text(readonly=True)
    duplicate_group_id = fields.Many2one("customer.duplicate.group", readonly=True,
                                         ondelete="set null", index=True)
    score = fields.Float(
        readonly=True, digits=(3, 2),
        help="Best duplicate score of the merged group; for a merge no group proposed, the "
             "matching engine's score of the master with its closest source.")
    master_id = fields.Many2one(
        "res.partner", readonly=True, index=True, ondelete="restrict",
        context={"active_test": False})
    source_ids = fields.Many2many(
        "res.partner", "customer_merge_log_res_partner_rel", "log_id", "partner_id", "Merged Sources",
        readonly=True, context={"active_test": False})
    source_images = fields.Json(readonly=True, help="Values of each source before the merge, by id.")
    source_changes = fields.Json(readonly=True, help="Columns the merge changed on each source: before/after.")
    master_changes = fields.Json(readonly=True, help="Columns the merge changed on the master: before/after.")
    sources_deleted = fields.Boolean(readonly=True)
    warnings = fields.Text(readonly=True, help="Safety checks the merge overrode.")
    line_ids = fields.One2many("customer.merge.log.line", "log_id", "Re-pointed Rows", readonly=True)
    moved_count = fields.Integer("Rows Moved", readonly=True)
    dropped_count = fields.Integer("Duplicates Dropped", readonly=True)
    state = fields.Selection(
        [("done", "Merged"), ("undone", "Undone")], default="done", required=True, readonly=True, index=True)
    undo_user_id = fields.Many2one("res.users", "Undone By", readonly=True)
    undo_date = fields.Datetime("Undone On", readonly=True)

    @api.depends("master_id", "date")
    def _compute_name(self):
        for log in self:
            log.name = self.env._("Merge into %(master)s", master=log.master_id.display_name or "?")

    @api.model
    def _fill_missing_company(self):
        """Give a company to the logs written before every log had one: the
        master's, else the company of the user who merged (run on update)."""
        self.env.cr.execute("""
            UPDATE customer_merge_log l
               SET company_id = COALESCE(p.company_id, u.company_id)
              FROM res_partner p, res_users u
             WHERE l.company_id IS NULL AND p.id = l.master_id AND u.id = l.user_id
        """)
        self.env.cr.execute("""
            UPDATE customer_merge_log_line ln SET company_id = l.company_id
              FROM customer_merge_log l
             WHERE ln.log_id = l.id AND ln.company_id IS DISTINCT FROM l.company_id
        """)
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Snapshots (SQL: company-dependent jsonb columns are included as is)
    # ------------------------------------------------------------------
    @api.model
    def _snapshot_partners(self, partner_ids):
        """Raw before-image of partner rows: {id: {column: value}}."""
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT id, to_jsonb(p) FROM res_partner p WHERE id = ANY(%s)", list(partner_ids)))
        return dict(self.env.cr.fetchall())

    @api.model
    def _diff_images(self, before, after):
        """Columns whose value differs: {column: [before, after]}."""
        return {
            col: [before.get(col), value]
            for col, value in after.items()
            if col not in NOT_RESTORED and before.get(col) != value
        }

    def _finalize(self, master_before, sources_before):
        """Record what the merge changed on the master and the sources."""
        self.ensure_one()
        ids = [self.master_id.id] + self.source_ids.ids
        after = self._snapshot_partners(ids)
        self.env.cr.execute(SQL(
            "SELECT kind, count(*) FROM customer_merge_log_line WHERE log_id = %s GROUP BY kind", self.id))
        counts = dict(self.env.cr.fetchall())
        self.write({
            "master_changes": self._diff_images(master_before, after.get(self.master_id.id, {})),
            "source_changes": {
                str(sid): self._diff_images(image, after[sid])
                for sid, image in sources_before.items() if sid in after
            },
            "moved_count": counts.get("moved", 0),
            "dropped_count": counts.get("dropped", 0),
        })

    def _preview_summary(self):
        """What this merge did, for the dry-run preview."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            """
            SELECT table_name, column_name, ref_type,
                   count(*) FILTER (WHERE kind = 'moved'), count(*) FILTER (WHERE kind = 'dropped')
              FROM customer_merge_log_line WHERE log_id = %s AND kind IN ('moved', 'dropped')
             GROUP BY table_name, column_name, ref_type ORDER BY table_name, column_name
            """,
            self.id,
        ))
        tables = [
            {"table": tbl, "column": col, "ref_type": ref_type, "moved": moved, "dropped": dropped}
            for tbl, col, ref_type, moved, dropped in self.env.cr.fetchall()
        ]
        conflicts = [
            {"table": line.table_name, "column": line.column_name, "row_id": line.row_id,
             "image": json.dumps((line.before_image or {}).get("row"), default=str)}
            for line in self.line_ids if line.kind == "dropped"
        ]
        changes = [
            {"field": col, "before": before, "after": after}
            for col, (before, after) in sorted((self.master_changes or {}).items())
        ]
        return {"tables": tables, "conflicts": conflicts, "changes": changes,
                "master": self.master_id.display_name, "warnings": self.warnings}

    # ------------------------------------------------------------------
    # Undo
    # ------------------------------------------------------------------
    def _check_undo_allowed(self):
        """Refuse an undo that later changes make unsafe (seam).

        Checked here: state, deleted sources, a later merge involving the
        master or a source, and columns changed since the merge. Rows moved
        or deleted since are detected while moving them back.
        """
        self.ensure_one()
        if self.state != "done":
            raise UserError(self.env._("This merge has already been undone."))
        if self.sources_deleted:
            raise UserError(self.env._("The merged contacts were deleted, not archived: this merge cannot be undone."))
        involved = self.master_id | self.source_ids
        later = self.search([
            ("id", ">", self.id), ("state", "=", "done"),
            "|", ("master_id", "in", involved.ids), ("source_ids", "in", involved.ids),
        ], limit=1)
        if later:
            raise UserError(self.env._(
                "%(partner)s was merged again afterwards (%(log)s): undo that merge first.",
                partner=(later.master_id | later.source_ids)[:1].display_name, log=later.display_name))
        ids = [self.master_id.id] + self.source_ids.ids
        current = self._snapshot_partners(ids)
        missing = set(ids) - set(current)
        if missing:
            raise UserError(self.env._("A merged contact no longer exists: this merge cannot be undone."))
        checks = [(self.master_id.id, self.master_changes or {})]
        checks += [(int(sid), changes) for sid, changes in (self.source_changes or {}).items()]
        for partner_id, changes in checks:
            changed = sorted(col for col, (_old, new) in changes.items() if current[partner_id].get(col) != new)
            if changed:
                raise UserError(self.env._(
                    "%(partner)s was modified after the merge (%(fields)s): undoing would overwrite those "
                    "changes.",
                    partner=self.env["res.partner"].browse(partner_id).display_name, fields=", ".join(changed)))

    def action_undo(self):
        """Restore the sources and move their references back, all or nothing.

        Only a Unification Manager of the log's company may undo it (the ids
        come from the client: the record rules are checked here).
        """
        if not self.env.user.has_group("customer_unification.group_customer_unification_manager"):
            raise AccessError(self.env._("Only a Unification Manager can undo a merge."))
        self.check_access("read")
        for log in self:
            log._undo_one()
        return True

    def _undo_one(self):
        self.ensure_one()
        log = self.sudo()
        partner_ids = [log.master_id.id] + log.source_ids.ids
        self.env["base.partner.merge.automatic.wizard"]._lock_partners(partner_ids)
        log._check_undo_allowed()
        self.env["customer.merge.repointer"]._undo(log.id)
        changes = [(log.master_id.id, log.master_changes or {})]
        changes += [(int(sid), chg) for sid, chg in (log.source_changes or {}).items()]
        for partner_id, cols in changes:
            self._restore_columns(partner_id, {col: old for col, (old, _new) in cols.items()})
        self.env.invalidate_all()
        log.write({"state": "undone", "undo_user_id": self.env.uid, "undo_date": fields.Datetime.now()})
        log._reopen_duplicates()
        log.master_id.message_post(body=self.env._(
            "Merge undone: %(names)s restored.", names=", ".join(log.source_ids.mapped("display_name"))))

    @api.model
    def _restore_columns(self, partner_id, values):
        """Write back raw column values of a partner row."""
        if not values:
            return
        cols = list(values)
        self.env.cr.execute(SQL(
            "UPDATE res_partner p SET (%(cols)s) = (SELECT %(src_cols)s FROM jsonb_populate_record("
            "NULL::res_partner, %(image)s::jsonb) r), write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC' "
            "WHERE p.id = %(id)s",
            cols=SQL(", ").join(SQL.identifier(c) for c in cols),
            src_cols=SQL(", ").join(SQL.identifier("r", c) for c in cols),
            image=json.dumps(values, default=str), uid=self.env.uid, id=partner_id,
        ))

    def _reopen_duplicates(self):
        """After an undo the contacts are separate again: their pairs are open again."""
        self.ensure_one()
        partners = self.master_id | self.source_ids
        pairs = self.env["customer.duplicate.pair"].search([
            ("partner_a_id", "in", partners.ids), ("partner_b_id", "in", partners.ids), ("state", "=", "merged")])
        pairs.write({"state": "open"})
        if self.duplicate_group_id.state == "merged":
            self.duplicate_group_id.state = "open"
