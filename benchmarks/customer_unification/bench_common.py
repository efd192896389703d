"""Helpers shared by the customer_unification benchmarks: throw-away database, Odoo environment, data load.

Machine settings (Odoo location, config file, template, PostgreSQL connection) come from ``benchmarks/bench_env.py``.
"""

import argparse
import os
import subprocess
import sys
from contextlib import contextmanager

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
sys.path.insert(0, os.path.dirname(__file__))
import bench_env  # puts $ODOO_PATH on sys.path: odoo is imported lazily below

PYTHON = sys.executable


def parse_args(description, configure=None, **defaults):
    """Common options, one ``--name`` per default (typed like it), and ``configure(parser)`` for more."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", default=bench_env.DEFAULT_CONFIG,
                        help="Odoo config file (db host/user, addons_path including this repo's addons; "
                             "default: $ODOO_RC, else benchmarks/.bench-odoo.conf)")
    parser.add_argument("--db", default=defaults.get("db", "cu_match_bench"), help="throw-away database name")
    parser.add_argument("--template", default=bench_env.DEFAULT_TEMPLATE,
                        help="template DB (default: %(default)s; empty string: fresh DB)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    for name, value in defaults.items():
        if name != "db":
            parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    if configure:
        configure(parser)
    args = parser.parse_args()
    bench_env.require_config(args.config)
    return args


_CONFIG_PARSED = []


def _load_config(config, db=None):
    import odoo
    if not _CONFIG_PARSED:
        odoo.tools.config.parse_config(["-c", config])
        _CONFIG_PARSED.append(config)
    if db:
        odoo.tools.config["db_name"] = db
    return odoo.tools.config


def create_db(args):
    bench_env.pg_run(args.config, "dropdb", "--if-exists", args.db)
    template = ["-T", args.template] if args.template else []
    bench_env.pg_run(args.config, "createdb", *template, args.db)
    subprocess.run([PYTHON, bench_env.ODOO_BIN, "-c", args.config, "-d", args.db,
                    "-i", "customer_unification", "--without-demo=all", "--stop-after-init",
                    "--log-level=warn"], check=True)


def drop_db(args):
    if not args.keep:
        import odoo
        odoo.modules.registry.Registry.delete(args.db)
        odoo.sql_db.close_db(args.db)
        bench_env.pg_run(args.config, "dropdb", "--if-exists", args.db)


@contextmanager
def environment(args):
    import odoo
    from odoo.api import Environment
    _load_config(args.config, args.db)
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        yield Environment(cr, odoo.SUPERUSER_ID, {})


def load_partners(env, records, batch=5000, keys="sql"):
    """Insert generated records with SQL and compute their match keys with the addon's normalizers.

    Returns ``{partner_id: entity}``.  The ORM computes the same keys on create/write;
    SQL keeps the 100,000-partner set-up short.  ``keys="orm"``: the stored computed fields of
    the addon (``cu_*``) are recomputed by the ORM instead, whatever they are (slower, but
    independent of the addon's internals).
    """
    from psycopg2.extras import execute_values
    cr = env.cr
    countries = {c.code: c.id for c in env["res.country"].search([])}
    phone_codes = {c.code: c.phone_code for c in env["res.country"].search([])}
    key_columns = list(env["res.partner"]._cu_prepare_keys({})) if keys == "sql" else []
    cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'res_partner'"
               " AND column_name = 'autopost_bills'")
    extra_col, extra_val = (", autopost_bills", ", 'ask'") if cr.fetchone() else ("", "")
    ids_to_entity = {}
    for start in range(0, len(records), batch):
        chunk = records[start:start + batch]
        rows = execute_values(cr._obj, """
            INSERT INTO res_partner (name, complete_name, is_company, email, phone, mobile, vat, company_registry,
                                     website, street, zip, city, country_id, active, type,
                                     create_date, write_date, create_uid, write_uid""" + extra_col + """)
            VALUES %s RETURNING id""", [
            (r["name"], r["name"], r["is_company"], r["email"] or None, r["phone"] or None, r["mobile"] or None,
             r["vat"] or None, r["company_registry"] or None, r["website"] or None, r["street"] or None,
             r["zip"] or None, r["city"] or None, countries.get(r["country"]), True, "contact")
            for r in chunk], template="(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
                                      "now() at time zone 'UTC', now() at time zone 'UTC', 1, 1" + extra_val + ")",
            page_size=1000, fetch=True)
        ids = [row[0] for row in rows]
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [ids])
        ids_to_entity.update(zip(ids, (r["entity"] for r in chunk), strict=True))
        if not key_columns:
            _recompute_match_fields(env, ids)
            continue
        key_rows = []
        for pid, record in zip(ids, chunk, strict=True):
            keys = env["res.partner"]._cu_prepare_keys(
                dict(record, country_code=record["country"], phone_code=phone_codes.get(record["country"])))
            key_rows.append((pid, *(keys[col] or None for col in key_columns)))
        execute_values(cr._obj, "UPDATE res_partner p SET " + ", ".join(
            f"{col} = v.{col}" for col in key_columns) + " FROM (VALUES %s) AS v(id, " + ", ".join(
            key_columns) + ") WHERE p.id = v.id", key_rows, page_size=1000)
    return ids_to_entity


def _recompute_match_fields(env, ids):
    """Compute the addon's stored fields (``cu_*``) of partners inserted with SQL, with the addon's own code."""
    partners = env["res.partner"].browse(ids)
    fields = [field for name, field in partners._fields.items()
              if name.startswith("cu_") and field.store and field.compute]
    for field in fields:
        env.add_to_compute(field, partners)
    partners._recompute_recordset([field.name for field in fields])
    env.flush_all()
    env.invalidate_all()


def vacuum_analyze(args):
    """What autovacuum does on a live database after a bulk load (flushes GIN pending lists, statistics)."""
    bench_env.pg_run(args.config, "psql", "-d", args.db, "-qc", "VACUUM ANALYZE res_partner")
