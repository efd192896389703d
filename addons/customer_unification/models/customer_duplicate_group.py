from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class CustomerDuplicateGroup(models.Model):
    _name = "customer.duplicate.group"
    _description = "Duplicate Customer Group"
    _order = "max_score desc, id"
    _check_company_auto = True

    partner_ids = fields.Many2many(
        "res.partner", "customer_duplicate_group_partner_rel", "group_id", "partner_id",
        string="Customers")
    pair_ids = fields.One2many("customer.duplicate.pair", "group_id", string="Pairs")
    max_score = fields.Float("Best Score", digits=(3, 2), index=True)
    partner_count = fields.Integer("Customers Count")
    state = fields.Selection(
        [("open", "To Review"), ("dismissed", "Not Duplicates"), ("merged", "Merged")],
        default="open", required=True, index=True)
    company_id = fields.Many2one("res.company", index=True)
    explanation_html = fields.Html("Why", compute="_compute_explanation_html", sanitize=False)
    overlap_group_ids = fields.Many2many(
        "customer.duplicate.group", string="Also Proposed In", compute="_compute_overlap_group_ids",
        help="Other open groups holding one of these customers: a customer close to two customers that "
             "cannot be one (another given name, a pair marked Not a Duplicate) is proposed with each "
             "of them, in one group each.")

    @api.depends("partner_ids")
    def _compute_display_name(self):
        for group in self:
            names = group.partner_ids[:2].mapped("name")
            extra = len(group.partner_ids) - len(names)
            label = " / ".join(name or "" for name in names)
            group.display_name = f"{label} (+{extra})" if extra > 0 else label

    @api.depends("partner_ids")
    def _compute_overlap_group_ids(self):
        groups = self.search([("state", "=", "open"), ("partner_ids", "in", self.partner_ids.ids)])
        for group in self:
            group.overlap_group_ids = groups.filtered(
                lambda other, group=group: other != group and other.partner_ids & group.partner_ids
            ) if group.state == "open" else False

    @api.depends("pair_ids.explanation", "pair_ids.score")
    def _compute_explanation_html(self):
        pair_model = self.env["customer.duplicate.pair"]
        for group in self:
            parts = []
            for pair in group.pair_ids.sorted("score", reverse=True):
                parts.append(Markup("<h5>%s ↔ %s — %s%%</h5>") % (
                    pair.partner_a_id.display_name, pair.partner_b_id.display_name, round(pair.score * 100)))
                parts.append(pair_model._render_explanation(pair.explanation or []))
            group.explanation_html = Markup("").join(parts) or False

    def action_not_duplicate(self):
        """Mark every open pair of the groups as not duplicate (never proposed again)."""
        pairs = self.pair_ids.filtered(lambda p: p.state == "open")
        pairs.write({"state": "not_duplicate"})
        self.write({"state": "dismissed"})
        return True

    def action_merge(self):
        """Open Odoo's partner merge wizard on the group's customers."""
        self.ensure_one()
        if not self.env.user.has_group("customer_unification.group_customer_unification_manager"):
            raise AccessError(self.env._("Only Unification Managers can merge customers."))
        action = self.env["ir.actions.act_window"]._for_xml_id("base.action_partner_merge")
        action["context"] = {
            "active_model": "res.partner",
            "active_ids": self.partner_ids.ids,
            "active_id": self.partner_ids[:1].id,
            "default_duplicate_group_id": self.id,
        }
        return action

    @api.model
    def _pair_component_closure(self, partner_ids):
        """The partners connected by open pairs to ``partner_ids`` or to the open groups holding
        them (a list): one query per step away from the seeds, each reading both sides of the
        pairs through their own index (a recursive query joining on either side scanned every
        pair at each step: 16 s at a million partners)."""
        cr = self.env.cr
        cr.execute(SQL(
            """SELECT r.partner_id FROM customer_duplicate_group_partner_rel r
                 JOIN customer_duplicate_group g ON g.id = r.group_id AND g.state = 'open'
                WHERE r.group_id IN (SELECT group_id FROM customer_duplicate_group_partner_rel
                                      WHERE partner_id = ANY(%s))""", list(partner_ids)))
        closure = set(partner_ids) | {row[0] for row in cr.fetchall()}
        frontier = list(closure)
        while frontier:
            cr.execute(SQL(
                """SELECT partner_b_id FROM customer_duplicate_pair
                    WHERE state = 'open' AND partner_a_id = ANY(%(ids)s)
                    UNION
                   SELECT partner_a_id FROM customer_duplicate_pair
                    WHERE state = 'open' AND partner_b_id = ANY(%(ids)s)""",
                ids=frontier))
            frontier = [row[0] for row in cr.fetchall() if row[0] not in closure]
            closure.update(frontier)
        return list(closure)

    @api.model
    def _rebuild_groups(self, partner_ids=None):
        """Recompute open groups as connected components of open pairs.

        With ``partner_ids`` only the components reachable from these partners
        (and the open groups containing them) are rebuilt. A group whose open pairs are still
        exactly one group is kept (its id, its customers; its best score updated): a rescan
        rewrites only what changed.
        """
        cr = self.env.cr
        self.env["customer.duplicate.pair"].flush_model()
        self.flush_model()
        if partner_ids is None:
            cr.execute("SELECT id FROM customer_duplicate_group WHERE state = 'open'")
            old_ids = {row[0] for row in cr.fetchall()}
            cr.execute("""SELECT id, partner_a_id, partner_b_id, score, company_id, group_id
                            FROM customer_duplicate_pair WHERE state = 'open'""")
        else:
            closure = self._pair_component_closure(partner_ids)
            cr.execute(SQL(
                """SELECT g.id FROM customer_duplicate_group g WHERE g.state = 'open' AND EXISTS (
                       SELECT 1 FROM customer_duplicate_group_partner_rel r
                        WHERE r.group_id = g.id AND r.partner_id = ANY(%s))""", closure))
            old_ids = {row[0] for row in cr.fetchall()}
            cr.execute(SQL(
                """SELECT id, partner_a_id, partner_b_id, score, company_id, group_id FROM customer_duplicate_pair
                    WHERE state = 'open' AND partner_a_id = ANY(%s)""", closure))
        rows = cr.fetchall()
        current = {row[0]: row[5] for row in rows if row[5] in old_ids}
        kept = self._create_components([row[:5] for row in rows], current)
        stale = sorted(old_ids - kept)
        if kept:  # pairs no longer open (a decision, a merge) leave the groups kept
            cr.execute(SQL(
                """UPDATE customer_duplicate_pair SET group_id = NULL
                    WHERE group_id = ANY(%s) AND state != 'open'""", sorted(kept)))
        if stale:
            cr.execute(SQL("DELETE FROM customer_duplicate_group WHERE id = ANY(%s)", stale))
        self.invalidate_model()
        self.env["customer.duplicate.pair"].invalidate_model(["group_id"])

    @api.model
    def _create_components(self, rows, current=None):
        """Insert the open groups of pair rows ``(id, a, b, score, company_id)``: the connected
        components of the pairs, each split where two of its customers cannot be one
        (:meth:`_cu_split_component`). Every pair belongs to one group; a customer may be in two
        groups when it is a likely duplicate of two customers that cannot be one.

        ``current``: ``{pair id: open group id}`` of the groups being rebuilt; a group whose pairs
        and customers are exactly a new group's is kept (its best score, count and company updated). Returns the
        ids of the groups kept."""
        connected = self._cu_connected_rows(rows)
        conflicts = self._cu_cannot_link_pairs([comp_rows for comp_rows in connected if len(comp_rows) > 1])
        comps = [{
            "pairs": [row[0] for row in group_rows],
            "partners": {partner for row in group_rows for partner in row[1:3]},
            "score": max(row[3] for row in group_rows),
            "company": next((row[4] for row in group_rows if row[4]), None),
        } for comp_rows in connected for group_rows in self._cu_split_component(comp_rows, conflicts)]
        current = current or {}
        old_pairs = defaultdict(set)
        for pair_id, group_id in current.items():
            old_pairs[group_id].add(pair_id)
        cr = self.env.cr
        old_partners = {}
        if old_pairs:
            cr.execute(SQL(
                """SELECT group_id, array_agg(partner_id) FROM customer_duplicate_group_partner_rel
                    WHERE group_id = ANY(%s) GROUP BY group_id""", sorted(old_pairs)))
            old_partners = {group_id: set(partners) for group_id, partners in cr.fetchall()}
        kept = {}
        for comp in comps:
            group_ids = {current.get(pair_id) for pair_id in comp["pairs"]}
            if len(group_ids) == 1:
                group_id = group_ids.pop()
                if group_id and group_id not in kept and old_pairs[group_id] == set(comp["pairs"]) \
                        and old_partners.get(group_id) == comp["partners"]:
                    kept[group_id] = comp
        if kept:
            cr.execute(SQL(
                """UPDATE customer_duplicate_group g
                      SET max_score = v.score, partner_count = v.partner_count, company_id = v.company_id,
                          write_uid = %(uid)s, write_date = now() at time zone 'UTC'
                     FROM unnest(%(ids)s::int[], %(score)s::float8[], %(count)s::int[], %(company)s::int[])
                          AS v(id, score, partner_count, company_id)
                    WHERE g.id = v.id AND (g.max_score IS DISTINCT FROM v.score
                          OR g.partner_count IS DISTINCT FROM v.partner_count
                          OR g.company_id IS DISTINCT FROM v.company_id)""",
                uid=self.env.uid, ids=list(kept), score=[c["score"] for c in kept.values()],
                count=[len(c["partners"]) for c in kept.values()], company=[c["company"] for c in kept.values()]))
        kept_comps = {id(comp) for comp in kept.values()}
        comps = [comp for comp in comps if id(comp) not in kept_comps]
        if not comps:
            return set(kept)
        # set-based statements with array parameters: no per-row adaptation on the client
        cr.execute(SQL(
            """
            INSERT INTO customer_duplicate_group
                (state, max_score, partner_count, company_id, create_uid, write_uid, create_date, write_date)
            SELECT 'open', v.score, v.partner_count, v.company_id, %(uid)s, %(uid)s,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%(score)s::float8[], %(count)s::int[], %(company)s::int[]) WITH ORDINALITY
                   AS v(score, partner_count, company_id, position)
             ORDER BY v.position
            RETURNING id
            """,
            uid=self.env.uid, score=[c["score"] for c in comps],
            count=[len(c["partners"]) for c in comps], company=[c["company"] for c in comps],
        ))
        group_ids = sorted(row[0] for row in cr.fetchall())  # ids follow the insertion order
        rel_groups, rel_partners, pair_ids, pair_groups = [], [], [], []
        for group_id, comp in zip(group_ids, comps, strict=True):
            rel_groups.extend([group_id] * len(comp["partners"]))
            rel_partners.extend(comp["partners"])
            pair_ids.extend(comp["pairs"])
            pair_groups.extend([group_id] * len(comp["pairs"]))
        cr.execute(SQL(
            """INSERT INTO customer_duplicate_group_partner_rel (group_id, partner_id)
               SELECT * FROM unnest(%s::int[], %s::int[])""", rel_groups, rel_partners))
        cr.execute(SQL(
            """UPDATE customer_duplicate_pair p SET group_id = v.group_id
                 FROM unnest(%s::int[], %s::int[]) AS v(pair_id, group_id) WHERE p.id = v.pair_id""",
            pair_ids, pair_groups))
        return set(kept)

    @api.model
    def _cu_connected_rows(self, rows):
        """The pair rows ``(id, a, b, score, company_id)`` grouped by connected component (union-find)."""
        parent = {}

        def find(node):
            root = node
            while parent.setdefault(root, root) != root:
                root = parent[root]
            while parent[node] != root:
                parent[node], node = root, parent[node]
            return root

        for row in rows:
            root_a, root_b = find(row[1]), find(row[2])
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)
        components = {}
        for row in rows:
            components.setdefault(find(row[1]), []).append(row)
        return list(components.values())

    @api.model
    def _cu_conflict_check_limit(self):
        """Largest component (in customers) whose customers are compared two by two for
        :meth:`customer.match.rule._cu_cannot_link`; a larger one is split on the users' decisions
        only (a component of n customers costs n(n-1)/2 comparisons)."""
        return 200

    @api.model
    def _cu_cannot_link_pairs(self, components):
        """``{partner: {partners it cannot be one customer with}}`` among the customers of each
        component (lists of pair rows): pairs the users marked *Not a Duplicate*, and the two
        customers of a component, not already a pair, that the rule comparing them rules out
        (:meth:`customer.match.rule._cu_cannot_link`, asked only in components of three customers
        or more, up to :meth:`_cu_conflict_check_limit`). One query for the decisions, one for the
        profiles."""
        conflicts = defaultdict(set)
        members = [{partner for row in comp for partner in row[1:3]} for comp in components]
        member_ids = sorted(set().union(*members)) if members else []
        if not member_ids:
            return conflicts
        component_of = {partner: index for index, partners in enumerate(members) for partner in partners}
        self.env["customer.duplicate.pair"].flush_model(["state", "partner_a_id", "partner_b_id"])
        self.env.cr.execute(SQL(
            """SELECT partner_a_id, partner_b_id FROM customer_duplicate_pair
                WHERE state = 'not_duplicate' AND partner_a_id = ANY(%(ids)s) AND partner_b_id = ANY(%(ids)s)""",
            ids=member_ids))
        for a_id, b_id in self.env.cr.fetchall():
            if component_of[a_id] == component_of[b_id]:
                conflicts[a_id].add(b_id)
                conflicts[b_id].add(a_id)
        limit = self._cu_conflict_check_limit()
        checked = [(comp, partners) for comp, partners in zip(components, members, strict=True)
                   if 2 < len(partners) <= limit]
        if not checked:
            return conflicts
        Rule = self.env["customer.match.rule"].sudo()
        profiles = Rule._profiles_from_ids(sorted(set().union(*(partners for _comp, partners in checked))))
        index = Rule._rules_index()
        specs = {}
        for comp, partners in checked:
            paired = {(row[1], row[2]) for row in comp}
            ordered = sorted(partner for partner in partners if partner in profiles)
            for position, a_id in enumerate(ordered):
                profile_a = profiles[a_id]
                rule = Rule._rule_for_profile(profile_a, index)
                if not rule:
                    continue
                if rule not in specs:
                    specs[rule] = rule._line_specs()
                for b_id in ordered[position + 1:]:
                    profile_b = profiles[b_id]
                    if (a_id, b_id) in paired or profile_a["is_company"] != profile_b["is_company"] \
                            or b_id in conflicts[a_id]:
                        continue
                    if rule._cu_cannot_link(profile_a, profile_b, specs[rule]):
                        conflicts[a_id].add(b_id)
                        conflicts[b_id].add(a_id)
        return conflicts

    @api.model
    def _cu_split_component(self, rows, conflicts):
        """Split the pair rows of one connected component into groups none of which holds two
        customers of ``conflicts`` (:meth:`_cu_cannot_link_pairs`): the pairs are joined best score
        first, a pair that would bring two such customers together is set aside; the pairs set aside
        are grouped the same way in a next round, and so on. Without conflicts: one group. Returns
        lists of rows, each pair in exactly one."""
        if not any(conflicts.get(row[1]) or conflicts.get(row[2]) for row in rows):
            return [rows]
        groups = []
        pending = sorted(rows, key=lambda row: (-row[3], row[0]))
        while pending:
            joined, pending = self._cu_join_round(pending, conflicts)
            groups.extend(joined)
        return groups

    @api.model
    def _cu_join_round(self, rows, conflicts):
        """One round of :meth:`_cu_split_component`: ``(groups, set aside)`` of ``rows`` taken in
        their order."""
        cluster, members, grouped, cut = {}, {}, {}, []

        def root(node):
            while cluster.setdefault(node, node) != node:
                node = cluster[node]
            return node

        for row in rows:
            root_a, root_b = root(row[1]), root(row[2])
            if root_a != root_b:
                side_a, side_b = members.get(root_a, {root_a}), members.get(root_b, {root_b})
                if any(conflicts.get(partner, set()) & side_b for partner in side_a):
                    cut.append(row)
                    continue
                if len(side_a) < len(side_b):  # the smaller cluster joins the larger: short find paths
                    root_a, root_b = root_b, root_a
                cluster[root_b] = root_a
                members[root_a] = side_a | side_b
                members.pop(root_b, None)
                grouped.setdefault(root_a, []).extend(grouped.pop(root_b, []))
            grouped.setdefault(root_a, []).append(row)
        return list(grouped.values()), cut
