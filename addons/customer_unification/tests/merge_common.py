from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL


class MergeCommon(TransactionCase):
    """Own partners, documents and users for the merge tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.manager = new_test_user(
            cls.env, login="cu_merge_manager", name="Merge Manager",
            groups="base.group_user,base.group_partner_manager,"
                   "customer_unification.group_customer_unification_manager")
        cls.unif_user = new_test_user(
            cls.env, login="cu_merge_user", name="Unification User",
            groups="base.group_user,base.group_partner_manager,customer_unification.group_customer_unification_user")
        Partner = cls.env["res.partner"]
        cls.master = Partner.create({"name": "Rossi Impianti S.r.l.", "email": "info@rossi-impianti.example",
                                     "is_company": True})
        cls.source = Partner.create({"name": "ROSSI IMPIANTI SRL", "phone": "+39 02 1234 5678",
                                     "is_company": True, "city": "Milano"})
        cls.follower = Partner.create({"name": "Giulia Bianchi"})
        cls.Wizard = cls.env["base.partner.merge.automatic.wizard"]

    def merge(self, partners, master, user=None, **wizard_vals):
        """Merge through the wizard as ``user`` (the manager by default)."""
        user = user or self.manager
        Wizard = self.Wizard.with_user(user).with_context(active_model="res.partner", active_ids=partners.ids)
        wizard = Wizard.create(dict({"dst_partner_id": master.id, "master_rule": "manual"}, **wizard_vals))
        wizard.action_merge()
        return wizard.merge_log_id

    # ------------------------------------------------------------------
    # Database snapshots: what a merge followed by its undo must conserve
    # ------------------------------------------------------------------
    # our own audit trail and review state are not data of the merged contacts
    SNAPSHOT_SKIPPED_TABLES = ("customer_merge_log", "customer_merge_log_line", "customer_merge_log_res_partner_rel",
                               "customer_duplicate_pair", "customer_duplicate_group_partner_rel")
    # columns describing the last change itself (the undo is a change)
    SNAPSHOT_SKIPPED_COLUMNS = ("write_date", "write_uid")

    def partner_tree_ids(self, partners):
        """The partners with all their contacts, archived ones included."""
        return self.env["res.partner"].with_context(active_test=False).search(
            [("id", "child_of", partners.ids)]).ids

    def reference_snapshot(self, partner_ids):
        """Every row that references ``partner_ids`` (all foreign keys found in the
        catalog, the res_model/res_id pairs and reference fields), whole, plus the
        partner rows themselves and their users' rows.

        The merge and undo notes posted in the chatter are not part of it (ids
        above the message id when the snapshot helpers were first used).
        """
        env = self.env
        cr = env.cr
        env.flush_all()
        if not hasattr(self, "_message_id_floor"):
            cr.execute("SELECT coalesce(max(id), 0) FROM mail_message")
            self._message_id_floor = cr.fetchone()[0]
        ids = list(partner_ids)
        skipped = SQL(", ").join(SQL("%s", col) for col in self.SNAPSHOT_SKIPPED_COLUMNS)

        def rows(table, condition):
            if table == "mail_message":
                condition = SQL("%s AND t.id <= %s", condition, self._message_id_floor)
            cr.execute(SQL("SELECT (to_jsonb(t) - ARRAY[%s]::text[])::text FROM %s t WHERE %s ORDER BY 1",
                           skipped, SQL.identifier(table), condition))
            return [row[0] for row in cr.fetchall()]

        cr.execute("""
            SELECT cl1.relname, att1.attname
              FROM pg_constraint con
              JOIN pg_class cl1 ON cl1.oid = con.conrelid
              JOIN pg_class cl2 ON cl2.oid = con.confrelid
              JOIN pg_attribute att1 ON att1.attrelid = cl1.oid AND att1.attnum = con.conkey[1]
             WHERE con.contype = 'f' AND cl2.relname = 'res_partner' AND array_length(con.conkey, 1) = 1
             ORDER BY 1, 2
        """)
        snapshot = {}
        for table, column in cr.fetchall():
            if table in self.SNAPSHOT_SKIPPED_TABLES or table.startswith("base_partner_merge_"):
                continue
            snapshot[("fk", table, column)] = rows(table, SQL("t.%s = ANY(%s)", SQL.identifier(column), ids))
        repointer = env["customer.merge.repointer"]
        for table, model_column, column in repointer._get_res_id_specs():
            snapshot[("res_id", table, column)] = rows(table, SQL(
                "t.%s = 'res.partner' AND t.%s = ANY(%s)", SQL.identifier(model_column), SQL.identifier(column),
                ids))
        for table, column in repointer._get_reference_specs():
            snapshot[("reference", table, column)] = rows(table, SQL(
                "t.%s = ANY(%s)", SQL.identifier(column), [f"res.partner,{pid}" for pid in ids]))
        snapshot[("rows", "res_partner")] = rows("res_partner", SQL("t.id = ANY(%s)", ids))
        snapshot[("rows", "res_users")] = rows("res_users", SQL("t.partner_id = ANY(%s)", ids))
        snapshot[("rows", "res_company_users_rel")] = rows("res_company_users_rel", SQL(
            "t.user_id IN (SELECT id FROM res_users WHERE partner_id = ANY(%s))", ids))
        return {key: value for key, value in snapshot.items() if value}

    def assertSnapshotEqual(self, before, after):
        """Compare two ``reference_snapshot`` results, listing every difference."""
        differences = []
        for key in sorted(set(before) | set(after)):
            old, new = before.get(key, []), after.get(key, [])
            if old != new:
                differences.append(f"{key}:\n  missing: {sorted(set(old) - set(new))}\n"
                                   f"  extra:   {sorted(set(new) - set(old))}")
        self.assertFalse(differences, "\n".join(differences))
