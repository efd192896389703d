import functools
import json
import logging
from collections import defaultdict
from contextlib import contextmanager

import psycopg2
from psycopg2 import errorcodes

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


CATALOG_CACHE = "_customer_merge_catalog"

# key of ``cr.cache`` holding the before-images of a journaled block of ORM writes
ORM_JOURNAL_KEY = "customer_merge_orm_journal"


def registry_cached(method):
    """Cache a catalog lookup on the registry: the schema only changes when the
    models are set up again (module install/upgrade, a custom field added or
    removed), and the ORM caches are cleared far more often than that. The
    cache is dropped by ``_register_hook``/``_unregister_hook``, which the
    registry calls around every setup of the models."""

    @functools.wraps(method)
    def wrapper(self, *args):
        cache = self.env.registry.__dict__.setdefault(CATALOG_CACHE, {})
        key = (method.__name__, *args)
        if key not in cache:
            cache[key] = method(self, *args)
        return cache[key]

    return wrapper


def json_dumps(value):
    """Serialize for a jsonb parameter (None stays SQL NULL)."""
    return None if value is None else json.dumps(value, default=str)

# columns never journaled nor restored: they describe the change itself
NOT_RESTORED = ("write_date", "write_uid")

# tables never re-pointed: our own audit trail must keep the ids it recorded
# and the duplicate pairs/groups describe the duplicates themselves
EXCLUDED_TABLES = (
    "customer_merge_log",
    "customer_merge_log_line",
    "customer_merge_log_res_partner_rel",
    "customer_duplicate_pair",
    "customer_duplicate_group_partner_rel",
)


class CustomerMergeRepointer(models.AbstractModel):
    """Conflict-safe, journaled re-pointing of every reference to a record.

    Odoo's merge wizard moves foreign keys and, when a unique constraint
    conflicts, deletes *all* the source's rows of that table. This engine moves
    every row that does not conflict, drops only the rows that are true
    duplicates of a row the destination already has, and records each moved and
    dropped row in ``customer.merge.log.line`` so that the merge can be undone.
    All statements are parameterised; identifiers come from the catalog.
    """

    _name = "customer.merge.repointer"
    _description = "Customer Merge Re-pointing Engine"

    # ------------------------------------------------------------------
    # Discovery (cached per registry: the schema only changes on upgrade)
    # ------------------------------------------------------------------
    def _register_hook(self):
        self.env.registry.__dict__.pop(CATALOG_CACHE, None)
        return super()._register_hook()

    def _unregister_hook(self):
        self.env.registry.__dict__.pop(CATALOG_CACHE, None)
        return super()._unregister_hook()

    @registry_cached
    def _get_excluded_tables(self):
        """Tables whose references are never moved (seam; its result is cached with the catalog,
        once per setup of the models).

        By default our own audit tables and the tables of transient models,
        whose rows are vacuumed and would make an undo impossible.
        """
        transient = {m._table for m in self.env.registry.values() if m._transient}
        return frozenset(EXCLUDED_TABLES) | transient

    @registry_cached
    def _get_fk_specs(self, table):
        """Return the single-column foreign keys pointing to ``table``.

        :returns: tuple of (table, column, has_id_column)
        """
        self.env.cr.execute(SQL(
            """
            SELECT cl1.relname, att1.attname,
                   EXISTS (SELECT 1 FROM pg_attribute a
                            WHERE a.attrelid = cl1.oid AND a.attname = 'id'
                              AND NOT a.attisdropped)
              FROM pg_constraint con
              JOIN pg_class cl1 ON cl1.oid = con.conrelid
              JOIN pg_class cl2 ON cl2.oid = con.confrelid
              JOIN pg_attribute att1 ON att1.attrelid = cl1.oid AND att1.attnum = con.conkey[1]
             WHERE con.contype = 'f' AND cl2.relname = %s
               AND array_length(con.conkey, 1) = 1
             ORDER BY cl1.relname, att1.attname
            """,
            table,
        ))
        excluded = self._get_excluded_tables()
        return tuple(
            (tbl, col, has_id) for tbl, col, has_id in self.env.cr.fetchall()
            if tbl not in excluded and not tbl.startswith("base_partner_merge_")
        )

    @registry_cached
    def _get_res_id_specs(self):
        """Return every stored (model column, id column) pair of any model.

        Discovered from ``ir.model.fields``: stored ``many2one_reference``
        fields with their ``model_field``, and integer ``*res_id`` fields that
        have a stored ``*res_model`` sibling. Transient models are skipped.

        :returns: tuple of (table, model column, id column)
        """
        fields_data = self.env["ir.model.fields"].sudo().search_read(
            [("store", "=", True), ("ttype", "in", ("many2one_reference", "integer")),
             ("name", "like", "res_id")],
            ["model", "name", "ttype"],
        )
        excluded = self._get_excluded_tables()
        specs = set()
        for data in fields_data:
            Model = self.env.registry.get(data["model"])
            field = Model and Model._fields.get(data["name"])
            if not field or not Model._auto or Model._table in excluded or not field.store:
                continue
            if data["ttype"] == "many2one_reference":
                model_fname = field.model_field
            else:
                model_fname = data["name"][: -len("res_id")] + "res_model"
            model_field = Model._fields.get(model_fname)
            if not model_field or not model_field.store or model_field.type not in ("char", "selection"):
                continue
            specs.add((Model._table, model_fname, data["name"]))
        return tuple(sorted(specs))

    @registry_cached
    def _get_reference_specs(self):
        """Return every stored ``fields.Reference`` column: (table, column)."""
        specs = set()
        excluded = self._get_excluded_tables()
        for Model in self.env.registry.values():
            if not Model._auto or Model._table in excluded:
                continue
            for field in Model._fields.values():
                if field.type == "reference" and field.store and not field.compute:
                    specs.add((Model._table, field.name))
        return tuple(sorted(specs))

    @registry_cached
    def _get_dependent_specs(self, table):
        """Foreign keys to ``table`` that cascade or set null on delete.

        Used to keep the full before-image of a dropped row.
        :returns: tuple of (table, column, on_delete) with on_delete 'c' or 'n'
        """
        self.env.cr.execute(SQL(
            """
            SELECT cl1.relname, att1.attname, con.confdeltype
              FROM pg_constraint con
              JOIN pg_class cl1 ON cl1.oid = con.conrelid
              JOIN pg_class cl2 ON cl2.oid = con.confrelid
              JOIN pg_attribute att1 ON att1.attrelid = cl1.oid AND att1.attnum = con.conkey[1]
             WHERE con.contype = 'f' AND cl2.relname = %s
               AND array_length(con.conkey, 1) = 1 AND con.confdeltype IN ('c', 'n')
            """,
            table,
        ))
        return tuple(self.env.cr.fetchall())

    # ------------------------------------------------------------------
    # Targets: one "target" is one place that can hold a reference
    # ------------------------------------------------------------------
    @api.model
    def _get_targets(self, model_name):
        """All the places that may reference a record of ``model_name``.

        A target is a dict with keys ``ref_type`` ('fk', 'm2m', 'res_id',
        'reference'), ``table``, ``column`` and, for 'res_id', ``model_column``.
        """
        table = self.env[model_name]._table
        targets = []
        for tbl, col, has_id in self._get_fk_specs(table):
            targets.append({"ref_type": "fk" if has_id else "m2m", "table": tbl, "column": col})
        for tbl, model_col, col in self._get_res_id_specs():
            targets.append({"ref_type": "res_id", "table": tbl, "column": col, "model_column": model_col})
        for tbl, col in self._get_reference_specs():
            targets.append({"ref_type": "reference", "table": tbl, "column": col})
        for target in targets:
            target["model"] = model_name
        return targets

    @api.model
    def _target_match(self, target, model_name, ids, alias=None):
        """SQL condition selecting the rows of ``target`` pointing to ``ids``."""
        column = SQL.identifier(alias, target["column"]) if alias else SQL.identifier(target["column"])
        if target["ref_type"] == "reference":
            return SQL("%s = ANY(%s)", column, [f"{model_name},{rid}" for rid in ids])
        condition = SQL("%s = ANY(%s)", column, list(ids))
        if target["ref_type"] == "res_id":
            model_column = (SQL.identifier(alias, target["model_column"]) if alias
                            else SQL.identifier(target["model_column"]))
            condition = SQL("%s = %s AND %s", model_column, model_name, condition)
            if target["table"] == "ir_attachment":
                # attachments holding a binary field (the avatar) are the record's own values
                res_field = SQL.identifier(alias, "res_field") if alias else SQL.identifier("res_field")
                condition = SQL("%s AND %s IS NULL", condition, res_field)
        return condition

    @api.model
    def _target_value(self, target, model_name, record_id):
        """The value a target column holds when it points to ``record_id``."""
        if target["ref_type"] == "reference":
            return f"{model_name},{record_id}"
        return record_id

    @api.model
    def _count_references(self, model_name, ids, ref_types=None):
        """Count, in one query, the rows of every target pointing to ``ids``.

        :param ref_types: restrict to these target types (None: all)
        :returns: list of (target, count) for targets with at least one row
        """
        targets = [t for t in self._get_targets(model_name) if not ref_types or t["ref_type"] in ref_types]
        if not ids or not targets:
            return []
        parts = [
            SQL("SELECT %s AS idx, count(*) AS cnt FROM %s WHERE %s",
                idx, SQL.identifier(t["table"]), self._target_match(t, model_name, ids))
            for idx, t in enumerate(targets)
        ]
        with self._serial_plan():
            self.env.cr.execute(SQL("SELECT idx, cnt FROM (%s) q WHERE cnt > 0 ORDER BY idx",
                                    SQL(" UNION ALL ").join(parts)))
            counts = self.env.cr.fetchall()
        return [(targets[idx], cnt) for idx, cnt in counts]

    @contextmanager
    def _serial_plan(self):
        """Plan the statements of the block without parallel workers (then restore the setting).

        The reference count is a union of a few dozen index probes; its estimated cost can tempt
        PostgreSQL into a parallel plan, and launching the workers then costs 30-40 ms, a third of
        a whole merge."""
        cr = self.env.cr
        cr.execute("SELECT current_setting('max_parallel_workers_per_gather'), "
                   "set_config('max_parallel_workers_per_gather', '0', true)")
        previous = cr.fetchone()[0]
        yield
        # not in a ``finally``: after an error the transaction (or the caller's savepoint) is rolled
        # back, and the setting with it
        cr.execute(SQL("SELECT set_config('max_parallel_workers_per_gather', %s, true)", previous))

    # ------------------------------------------------------------------
    # Re-pointing
    # ------------------------------------------------------------------
    @api.model
    def _repoint(self, model_name, src_ids, dst_id, log_id=None, ref_types=None):
        """Move every reference to ``src_ids`` onto ``dst_id``.

        :param ref_types: restrict to these target types (None: all)
        :param log_id: id of the ``customer.merge.log`` journaling the rows
        :returns: number of rows moved and dropped
        """
        src_ids = [sid for sid in src_ids if sid != dst_id]
        if not src_ids:
            return 0, 0
        self.env.flush_all()
        moved = dropped = 0
        for target, _count in self._count_references(model_name, src_ids, ref_types):
            if target["ref_type"] == "m2m":
                res = self._repoint_m2m(target, src_ids, dst_id, log_id)
            else:
                res = self._repoint_rows(target, model_name, src_ids, dst_id, log_id)
            moved += res[0]
            dropped += res[1]
        self.env.invalidate_all()
        return moved, dropped

    @api.model
    def _repoint_rows(self, target, model_name, src_ids, dst_id, log_id):
        """Move the rows of a table with an ``id`` column; on a unique conflict
        fall back to row by row and drop only the rows that conflict."""
        cr = self.env.cr
        table = SQL.identifier(target["table"])
        column = SQL.identifier(target["column"])
        new_value = self._target_value(target, model_name, dst_id)
        if target["ref_type"] == "reference":
            old_expr = SQL("split_part(o.old, ',', 2)::int")
        else:
            old_expr = SQL("o.old")
        query = SQL(
            """
            UPDATE %(table)s t SET %(column)s = %(new)s
              FROM (SELECT id, %(column)s AS old FROM %(table)s WHERE %(match)s) o
             WHERE t.id = o.id
            RETURNING t.id, %(old_expr)s
            """,
            table=table, column=column, new=new_value, old_expr=old_expr,
            match=self._target_match(target, model_name, src_ids),
        )
        try:
            with cr.savepoint(flush=False):
                cr.execute(query, log_exceptions=False)
                rows = cr.fetchall()
        except psycopg2.IntegrityError as error:
            if error.pgcode != errorcodes.UNIQUE_VIOLATION:
                raise
            return self._repoint_rows_one_by_one(target, model_name, src_ids, dst_id, log_id)
        self._journal_moved(log_id, target, rows, dst_id)
        return len(rows), 0

    @api.model
    def _repoint_rows_one_by_one(self, target, model_name, src_ids, dst_id, log_id):
        cr = self.env.cr
        table = SQL.identifier(target["table"])
        column = SQL.identifier(target["column"])
        if target["ref_type"] == "reference":
            old_expr = SQL("split_part(%s, ',', 2)::int", column)
        else:
            old_expr = column
        cr.execute(SQL("SELECT id, %s FROM %s WHERE %s ORDER BY id FOR UPDATE",
                       old_expr, table, self._target_match(target, model_name, src_ids)))
        moved_rows, dropped = [], 0
        new_value = self._target_value(target, model_name, dst_id)
        for row_id, old in cr.fetchall():
            try:
                with cr.savepoint(flush=False):
                    cr.execute(SQL("UPDATE %s SET %s = %s WHERE id = %s", table, column, new_value, row_id),
                               log_exceptions=False)
                moved_rows.append((row_id, old))
            except psycopg2.IntegrityError as error:
                if error.pgcode != errorcodes.UNIQUE_VIOLATION:
                    raise
                self._drop_row(target, row_id, old, dst_id, log_id)
                dropped += 1
        self._journal_moved(log_id, target, moved_rows, dst_id)
        return len(moved_rows), dropped

    @api.model
    def _drop_row(self, target, row_id, old, dst_id, log_id):
        """Delete one row that duplicates a row of the destination, keeping its
        before-image and the rows its deletion cascades to (or nulls)."""
        cr = self.env.cr
        table = SQL.identifier(target["table"])
        cr.execute(SQL("SELECT to_jsonb(t) FROM %s t WHERE id = %s", table, row_id))
        image = {"row": cr.fetchone()[0], "cascade": [], "set_null": []}
        for dep_table, dep_column, on_delete in self._get_dependent_specs(target["table"]):
            if on_delete == "c":
                cr.execute(SQL("SELECT coalesce(jsonb_agg(to_jsonb(d)), '[]') FROM %s d WHERE %s = %s",
                               SQL.identifier(dep_table), SQL.identifier(dep_column), row_id))
                rows = cr.fetchone()[0]
                if rows:
                    image["cascade"].append({"table": dep_table, "rows": rows})
            else:
                has_id = any(t == dep_table and h for t, _c, h in self._get_fk_specs(target["table"]))
                if not has_id:
                    continue
                cr.execute(SQL("SELECT coalesce(array_agg(id), '{}') FROM %s WHERE %s = %s",
                               SQL.identifier(dep_table), SQL.identifier(dep_column), row_id))
                ids = cr.fetchone()[0]
                if ids:
                    image["set_null"].append({"table": dep_table, "column": dep_column, "ids": ids})
        try:
            with cr.savepoint(flush=False):
                cr.execute(SQL("DELETE FROM %s WHERE id = %s", table, row_id), log_exceptions=False)
        except psycopg2.IntegrityError as error:
            raise UserError(self.env._(
                "Row %(row)s of table %(table)s duplicates a row of the destination but is still "
                "referenced elsewhere, so it can be neither moved nor dropped.",
                row=row_id, table=target["table"],
            )) from error
        self._journal(log_id, [(
            "dropped", target["ref_type"], target["model"], target["table"], target["column"], row_id, None,
            old, dst_id, image,
        )])

    @api.model
    def _repoint_m2m(self, target, src_ids, dst_id, log_id):
        """Move the rows of a relation table without ``id``: a row identical to
        one of the destination except for the moved column is a duplicate."""
        cr = self.env.cr
        table = SQL.identifier(target["table"])
        column = SQL.identifier(target["column"])
        col_name = target["column"]
        dropped, moved = [], []
        # source by source: a row two sources share is moved once, then a duplicate
        for src_id in src_ids:
            cr.execute(SQL(
                """
                DELETE FROM %(table)s t
                 WHERE %(column)s = %(src)s
                   AND EXISTS (SELECT 1 FROM %(table)s d
                                WHERE d.%(column)s = %(dst)s
                                  AND to_jsonb(d) - %(col_name)s = to_jsonb(t) - %(col_name)s)
                RETURNING to_jsonb(t)
                """,
                table=table, column=column, src=src_id, dst=dst_id, col_name=col_name,
            ))
            dropped += [
                ("dropped", "m2m", target["model"], target["table"], col_name, None, None, image[col_name], dst_id,
                 {"row": image, "cascade": [], "set_null": []})
                for (image,) in cr.fetchall()
            ]
            cr.execute(SQL(
                "UPDATE %(table)s t SET %(column)s = %(dst)s WHERE %(column)s = %(src)s "
                "RETURNING to_jsonb(t)",
                table=table, column=column, src=src_id, dst=dst_id,
            ))
            moved += [
                ("moved", "m2m", target["model"], target["table"], col_name, None, key, src_id, dst_id, None)
                for (key,) in cr.fetchall()
            ]
        self._journal(log_id, dropped + moved)
        return len(moved), len(dropped)

    # ------------------------------------------------------------------
    # Company-dependent values
    # ------------------------------------------------------------------
    @api.model
    def _repoint_company_dependent(self, model_name, src_ids, dst_id, log_id=None):
        """Move company-dependent many2one values (jsonb by company) and their
        ``ir.default`` fallbacks from the sources to the destination."""
        cr = self.env.cr
        src_ids = [sid for sid in src_ids if sid != dst_id]
        if not src_ids:
            return
        self.env.flush_all()
        src_text = [str(sid) for sid in src_ids]
        lines = []
        for field in self.env.registry.many2one_company_dependents[model_name]:
            Model = self.env[field.model_name]
            if not Model._auto:
                continue
            table, column = SQL.identifier(Model._table), SQL.identifier(field.name)
            cr.execute(SQL(
                """
                UPDATE %(table)s t
                   SET %(column)s = (SELECT jsonb_object_agg(e.key, CASE WHEN e.value = ANY(%(src)s)
                                                                  THEN %(dst)s::text::jsonb
                                                                  ELSE to_jsonb(e.value::int) END)
                                       FROM jsonb_each_text(o.old) e)
                  FROM (SELECT id, %(column)s AS old FROM %(table)s
                         WHERE %(column)s IS NOT NULL
                           AND EXISTS (SELECT 1 FROM jsonb_each_text(%(column)s) x WHERE x.value = ANY(%(src)s))) o
                 WHERE t.id = o.id
                RETURNING t.id, o.old, t.%(column)s
                """,
                table=table, column=column, src=src_text, dst=dst_id,
            ))
            lines += [
                ("moved", "company_dependent", model_name, Model._table, field.name, row_id, old, None, dst_id,
                 {"after": new})
                for row_id, old, new in cr.fetchall()
            ]
        for src_id in src_ids:
            cr.execute(SQL(
                """
                UPDATE ir_default d SET json_value = %(dst)s
                  FROM ir_model_fields f
                 WHERE f.id = d.field_id AND f.company_dependent AND f.ttype = 'many2one'
                   AND f.relation = %(model)s AND d.json_value = %(src)s
                RETURNING d.id
                """,
                dst=str(dst_id), model=model_name, src=str(src_id),
            ))
            lines += [("moved", "company_dependent", model_name, "ir_default", "json_value", row_id, src_id,
                       src_id, dst_id, {"after": dst_id}) for (row_id,) in cr.fetchall()]
        self._journal(log_id, lines)
        self.env.invalidate_all()

    @api.model
    def _merge_company_dependent_values(self, model_name, src_ids, dst_id):
        """Fill the destination's company-dependent values, company by company,
        from the sources (newest source first); the destination's own values win."""
        Model = self.env[model_name]
        columns = [name for name, field in Model._fields.items() if field.company_dependent and field.store]
        src_ids = [sid for sid in src_ids if sid != dst_id]
        if not columns or not src_ids:
            return
        self.env.flush_all()
        table = SQL.identifier(Model._table)
        assignments = [
            SQL(
                "%(col)s = NULLIF(COALESCE((SELECT jsonb_object_agg(e.key, e.value ORDER BY s.id) "
                "FROM %(table)s s, jsonb_each(s.%(col)s) e WHERE s.id = ANY(%(src)s)), '{}'::jsonb) "
                "|| COALESCE(d.%(col)s, '{}'::jsonb), '{}'::jsonb)",
                col=SQL.identifier(col), table=table, src=src_ids,
            )
            for col in columns
        ]
        self.env.cr.execute(SQL("UPDATE %s d SET %s WHERE d.id = %s", table, SQL(", ").join(assignments), dst_id))
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Journal
    # ------------------------------------------------------------------
    @contextmanager
    def _journaled_orm_writes(self, log_id, relations=()):
        """Journal every column the ORM writes or recomputes inside the block.

        ORM writes propagate: the address and commercial fields of a company go
        to its contacts, a user's company changes, stored computed fields of
        other documents follow the contact. Every row the ORM writes while the
        block runs has its before-image read just before (``base._write_multi``).

        :param relations: ``(many2many field, ids)`` whose relation rows the
            block changes (the ORM writes those at once, not at flush)
        """
        env = self.env
        env.flush_all()
        rel_before = [(field, ids, self._relation_rows(field, ids)) for field, ids in relations]
        journal = {"images": {}, "columns": defaultdict(set), "excluded": self._get_excluded_tables()}
        previous = env.cr.cache.get(ORM_JOURNAL_KEY)
        env.cr.cache[ORM_JOURNAL_KEY] = journal
        try:
            yield
            env.flush_all()
        finally:
            env.cr.cache[ORM_JOURNAL_KEY] = previous
        lines = []
        for table, before_by_id in journal["images"].items():
            env.cr.execute(SQL("SELECT id, to_jsonb(t) FROM %s t WHERE id = ANY(%s) ORDER BY id",
                               SQL.identifier(table), list(before_by_id)))
            for row_id, after in env.cr.fetchall():
                before = before_by_id[row_id]
                changes = {col: [before.get(col), after.get(col)] for col in sorted(journal["columns"][table])
                           if before.get(col) != after.get(col)}
                if changes:
                    lines.append(("changed", "orm", None, table, ",".join(changes), row_id, None, None,
                                  None, {"changes": changes}))
        for field, ids, before in rel_before:
            after = self._relation_rows(field, ids)
            if after != before:
                lines.append(("changed", "relation", field.comodel_name, field.relation, field.column1, None,
                              None, None, None,
                              {"column2": field.column2, "added": sorted(after - before),
                               "removed": sorted(before - after)}))
        self._journal(log_id, lines)

    @api.model
    def _journal_before_write(self, records, vals_list):
        """Keep the before-image of rows the ORM is about to write, when a
        journaled block runs (see ``_journaled_orm_writes``)."""
        journal = self.env.cr.cache.get(ORM_JOURNAL_KEY)
        if not journal or not records._auto or records._table in journal["excluded"]:
            return
        columns = {fname for vals in vals_list for fname in vals
                   if fname not in NOT_RESTORED and fname in records._fields and records._fields[fname].column_type
                   and records._fields[fname].store}
        if not columns:
            return
        journal["columns"][records._table].update(columns)
        images = journal["images"].setdefault(records._table, {})
        missing = [rid for rid in records._ids if isinstance(rid, int) and rid not in images]
        if missing:
            self.env.cr.execute(SQL("SELECT id, to_jsonb(t) FROM %s t WHERE id = ANY(%s)",
                                    SQL.identifier(records._table), missing))
            images.update(self.env.cr.fetchall())

    @api.model
    def _relation_rows(self, field, ids):
        """Rows of a many2many relation table for ``ids`` (column1 side)."""
        self.env.cr.execute(SQL("SELECT %s, %s FROM %s WHERE %s = ANY(%s)",
                                SQL.identifier(field.column1), SQL.identifier(field.column2),
                                SQL.identifier(field.relation), SQL.identifier(field.column1), list(ids)))
        return {tuple(row) for row in self.env.cr.fetchall()}

    @api.model
    def _journal_moved(self, log_id, target, rows, dst_id):
        """Journal moved rows given as (row id, old value) pairs."""
        self._journal(log_id, [
            ("moved", target["ref_type"], target["model"], target["table"], target["column"], row_id, None, old,
             dst_id, None)
            for row_id, old in rows
        ])

    @api.model
    def _journal(self, log_id, lines):
        """Insert journal lines in one statement.

        Each line is (kind, ref_type, model, table, column, row_id, row_key, old, new, before_image).
        """
        if not log_id or not lines:
            return
        cols = list(zip(*lines, strict=False))
        self.env.cr.execute(SQL(
            """
            INSERT INTO customer_merge_log_line
                   (log_id, company_id, kind, ref_type, model_name, table_name, column_name, row_id, row_key,
                    old_value, new_value, before_image,
                    create_uid, write_uid, create_date, write_date)
            SELECT %(log)s, (SELECT company_id FROM customer_merge_log WHERE id = %(log)s),
                   u.kind, u.ref_type, u.model, u.tbl, u.col, u.row_id, u.row_key,
                   u.old, u.new, u.image, %(uid)s, %(uid)s,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM unnest(%(kind)s::varchar[], %(ref_type)s::varchar[], %(model)s::varchar[],
                          %(tbl)s::varchar[],
                          %(col)s::varchar[], %(row_id)s::int[], %(row_key)s::jsonb[],
                          %(old)s::int[], %(new)s::int[], %(image)s::jsonb[])
                   WITH ORDINALITY AS u(kind, ref_type, model, tbl, col, row_id, row_key, old, new, image, seq)
             ORDER BY u.seq
            """,
            log=log_id, uid=self.env.uid,
            kind=list(cols[0]), ref_type=list(cols[1]), model=list(cols[2]), tbl=list(cols[3]),
            col=list(cols[4]), row_id=list(cols[5]),
            row_key=[json_dumps(k) for k in cols[6]],
            old=list(cols[7]), new=list(cols[8]),
            image=[json_dumps(i) for i in cols[9]],
        ))

    # ------------------------------------------------------------------
    # Undo
    # ------------------------------------------------------------------
    @api.model
    def _undo(self, log_id):
        """Move back every journaled row of a merge log, newest first.

        Raises UserError as soon as one row was deleted or re-assigned since
        the merge; the caller's transaction is then rolled back entirely.
        """
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(SQL(
            """
            SELECT id, kind, ref_type, model_name, table_name, column_name, row_id, row_key,
                   old_value, new_value, before_image
              FROM customer_merge_log_line WHERE log_id = %s ORDER BY id DESC
            """,
            log_id,
        ))
        batch, batch_key = [], None
        for line in cr.dictfetchall():
            key = (line["kind"], line["ref_type"], line["model_name"], line["table_name"], line["column_name"])
            if key != batch_key and batch:
                self._undo_batch(batch)
                batch = []
            batch_key = key
            batch.append(line)
        if batch:
            self._undo_batch(batch)
        self.env.invalidate_all()

    @api.model
    def _undo_batch(self, lines):
        first = lines[0]
        if first["kind"] == "changed":
            if first["ref_type"] == "relation":
                for line in lines:
                    self._undo_relation_change(line)
            else:
                self._undo_changed_rows(lines)
        elif first["kind"] == "dropped":
            for line in lines:
                self._undo_dropped(line)
        elif first["ref_type"] == "m2m":
            for line in lines:
                self._undo_moved_m2m(line)
        elif first["ref_type"] == "company_dependent":
            for line in lines:
                self._undo_company_dependent(line)
        else:
            self._undo_moved_rows(lines)

    @api.model
    def _raise_unsafe(self, line, reason):
        raise UserError(self.env._(
            "This merge cannot be undone safely: %(reason)s (table %(table)s, column %(column)s, row %(row)s).",
            reason=reason, table=line["table_name"], column=line["column_name"],
            row=line["row_id"] or line["row_key"],
        ))

    @api.model
    def _undo_moved_rows(self, lines):
        cr = self.env.cr
        first = lines[0]
        table = SQL.identifier(first["table_name"])
        column = SQL.identifier(first["column_name"])
        model = first["model_name"]
        if first["ref_type"] == "reference":
            set_expr = SQL("%s || u.old::text", f"{model},")
            cond = SQL("t.%s = %s || u.new::text", column, f"{model},")
        else:
            set_expr = SQL("u.old")
            cond = SQL("t.%s = u.new", column)
        if first["ref_type"] == "res_id":
            model_column = next(
                (mcol for tbl, mcol, col in self._get_res_id_specs()
                 if tbl == first["table_name"] and col == first["column_name"]), None)
            if not model_column:
                self._raise_unsafe(first, self.env._("the column no longer exists"))
            cond = SQL("%s AND t.%s = %s", cond, SQL.identifier(model_column), model)
        cr.execute(SQL(
            """
            UPDATE %(table)s t SET %(column)s = %(set_expr)s
              FROM unnest(%(ids)s::int[], %(olds)s::int[], %(news)s::int[]) AS u(id, old, new)
             WHERE t.id = u.id AND %(cond)s
            RETURNING t.id
            """,
            table=table, column=column, set_expr=set_expr, cond=cond,
            ids=[line["row_id"] for line in lines],
            olds=[line["old_value"] for line in lines],
            news=[line["new_value"] for line in lines],
        ))
        done = {row_id for (row_id,) in cr.fetchall()}
        for line in lines:
            if line["row_id"] not in done:
                self._raise_unsafe(line, self.env._("the row was deleted or re-assigned after the merge"))

    @api.model
    def _undo_changed_rows(self, lines):
        """Write back the columns the ORM changed, if nobody changed them since."""
        cr = self.env.cr
        first = lines[0]
        table = first["table_name"]
        cr.execute(SQL("SELECT id, to_jsonb(t) FROM %s t WHERE id = ANY(%s)",
                       SQL.identifier(table), [line["row_id"] for line in lines]))
        current = dict(cr.fetchall())
        for line in lines:
            changes = (line["before_image"] or {}).get("changes", {})
            row = current.get(line["row_id"])
            if row is None:
                self._raise_unsafe(line, self.env._("the row was deleted after the merge"))
            if any(row.get(col) != after for col, (_before, after) in changes.items()):
                self._raise_unsafe(line, self.env._("the value was changed after the merge"))
        cols = [SQL.identifier(col) for col in first["column_name"].split(",")]
        cr.execute(SQL(
            """
            UPDATE %(table)s t
               SET (%(cols)s) = (SELECT %(src_cols)s FROM jsonb_populate_record(NULL::%(table)s, u.img) r)
              FROM unnest(%(ids)s::int[], %(imgs)s::jsonb[]) AS u(id, img)
             WHERE t.id = u.id
            """,
            table=SQL.identifier(table), cols=SQL(", ").join(cols),
            src_cols=SQL(", ").join(SQL("r.%s", col) for col in cols),
            ids=[line["row_id"] for line in lines],
            imgs=[json_dumps({col: before for col, (before, _after) in line["before_image"]["changes"].items()})
                  for line in lines],
        ))

    @api.model
    def _undo_relation_change(self, line):
        """Remove the relation rows the merge added, put back those it removed."""
        cr = self.env.cr
        image = line["before_image"] or {}
        table, col1, col2 = (SQL.identifier(line["table_name"]), SQL.identifier(line["column_name"]),
                             SQL.identifier(image["column2"]))
        for id1, id2 in image.get("added", []):
            cr.execute(SQL("DELETE FROM %s WHERE %s = %s AND %s = %s", table, col1, id1, col2, id2))
        for id1, id2 in image.get("removed", []):
            cr.execute(SQL("INSERT INTO %s (%s, %s) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                           table, col1, col2, id1, id2))

    @api.model
    def _undo_moved_m2m(self, line):
        cr = self.env.cr
        column = SQL.identifier(line["column_name"])
        cr.execute(SQL(
            """
            UPDATE %(table)s t SET %(column)s = %(old)s
             WHERE %(column)s = %(new)s AND to_jsonb(t) = %(key)s::jsonb
            RETURNING 1
            """,
            table=SQL.identifier(line["table_name"]), column=column,
            old=line["old_value"], new=line["new_value"], key=json_dumps(line["row_key"]),
        ))
        if not cr.fetchall():
            self._raise_unsafe(line, self.env._("the row was deleted or re-assigned after the merge"))

    @api.model
    def _insert_image(self, table, rows):
        if rows:
            self.env.cr.execute(SQL(
                "INSERT INTO %(table)s SELECT (jsonb_populate_record(NULL::%(table)s, r)).* "
                "FROM unnest(%(rows)s::jsonb[]) AS r",
                table=SQL.identifier(table), rows=[json_dumps(r) for r in rows],
            ), log_exceptions=False)

    @api.model
    def _undo_dropped(self, line):
        """Re-insert a dropped row (and what its deletion cascaded to)."""
        cr = self.env.cr
        image = line["before_image"] or {}
        try:
            with cr.savepoint(flush=False):
                self._insert_image(line["table_name"], [image["row"]])
                for cascade in image.get("cascade", []):
                    self._insert_image(cascade["table"], cascade["rows"])
                for set_null in image.get("set_null", []):
                    cr.execute(SQL(
                        "UPDATE %s SET %s = %s WHERE id = ANY(%s) AND %s IS NULL",
                        SQL.identifier(set_null["table"]), SQL.identifier(set_null["column"]),
                        line["row_id"], set_null["ids"], SQL.identifier(set_null["column"]),
                    ))
        except psycopg2.Error as error:
            self._raise_unsafe(line, self.env._("the dropped duplicate row cannot be restored (%s)", error.pgerror
                                                 or str(error)))

    @api.model
    def _undo_company_dependent(self, line):
        column = SQL.identifier(line["column_name"])
        self.env.cr.execute(SQL(
            "UPDATE %(table)s SET %(column)s = %(old)s::jsonb "
            "WHERE id = %(id)s AND %(column)s::jsonb = %(new)s::jsonb RETURNING 1",
            table=SQL.identifier(line["table_name"]), column=column, old=json_dumps(line["row_key"]),
            new=json_dumps((line["before_image"] or {}).get("after")), id=line["row_id"],
        ))
        if not self.env.cr.fetchall():
            self._raise_unsafe(line, self.env._("the value was changed after the merge"))

