"""Benchmark: two-partner merges on a 100,000-partner database, side by side.

Builds throw-away databases from a template (crm, sale, account, repair
installed), adds N partners and, for every partner taking part in a merge, a
lead, two chatter messages, an attachment and followers (one of them a true
duplicate follower). Then it measures:

* Odoo's own merge wizard (``base.partner.merge.automatic.wizard._merge``) in a
  database WITHOUT the suite;
* the same wizard with ``customer_unification`` installed: conflict-safe
  re-pointing, sources archived and a full undo log.

Each merge runs in its own transaction (committed), as from the user interface.

Usage (venv python; after ``python benchmarks/make_template.py``)::

    python benchmarks/customer_unification/bench_merge.py [-c CONFIG] \
        [--template suite_bench_tpl] [--partners 100000] [--merges 1000] [--odoo-merges 200] \
        [--modules customer_unification] [--keep]

CONFIG defaults to ``$ODOO_RC``, else ``benchmarks/.bench-odoo.conf``.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env


def run(cmd, config=None):
    """Print and run ``cmd``; with ``config``, a PostgreSQL tool gets the configured password."""
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=bench_env.pg_environ(config) if config else None)


def generate_data(dsn, partners, merges):
    """Insert partners and the documents of the partners to merge, in SQL."""
    with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cr:
        cr.execute("""
            INSERT INTO res_partner (name, complete_name, email, active, type, is_company, autopost_bills,
                                     lang, create_uid, write_uid, create_date, write_date)
            SELECT 'Bench Customer ' || g, 'Bench Customer ' || g, 'bench' || g || '@example.com', true,
                   'contact', (g %% 3 = 0), 'ask', 'en_US', 1, 1,
                   now() - (g || ' seconds')::interval, now()
              FROM generate_series(1, %s) g
            RETURNING id
        """, (partners,))
        ids = sorted(row[0] for row in cr.fetchall())
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", (ids,))
        involved = ids[: 2 * merges]
        cr.execute("""
            INSERT INTO crm_lead (name, partner_id, type, active, create_uid, write_uid, create_date, write_date)
            SELECT 'Bench lead ' || p, p, 'opportunity', true, 1, 1, now(), now()
              FROM unnest(%s::int[]) p
            RETURNING id, partner_id
        """, (involved,))
        leads = {partner: lead for lead, partner in cr.fetchall()}
        cr.execute("""
            INSERT INTO mail_message (model, res_id, message_type, body, author_id, create_uid, write_uid,
                                      create_date, write_date, date)
            SELECT 'res.partner', p, 'comment', '<p>Bench note</p>', p, 1, 1, now(), now(), now()
              FROM unnest(%s::int[]) p, generate_series(1, 2)
        """, (involved,))
        cr.execute("""
            INSERT INTO ir_attachment (name, res_model, res_id, type, create_uid, write_uid, create_date,
                                       write_date)
            SELECT 'bench.txt', 'res.partner', p, 'binary', 1, 1, now(), now() FROM unnest(%s::int[]) p
        """, (involved,))
        # each partner follows its own lead; the source also follows the master's lead (a true duplicate
        # follower once merged)
        follows = []
        for i in range(merges):
            master, source = involved[2 * i], involved[2 * i + 1]
            follows += [(leads[master], master), (leads[source], source), (leads[master], source)]
        cr.execute("""
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'crm.lead', f.lead, f.partner FROM unnest(%s::int[], %s::int[]) AS f(lead, partner)
        """, ([f[0] for f in follows], [f[1] for f in follows]))
        conn.commit()
    return [(involved[2 * i], involved[2 * i + 1]) for i in range(merges)]


MERGE_SCRIPT = r"""
import json, sys, time
import odoo
from odoo import api, SUPERUSER_ID
odoo.tools.config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2]])
pairs = json.loads(sys.argv[3])
registry = odoo.modules.registry.Registry(sys.argv[2])
start = time.perf_counter()
for master, source in pairs:
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env["base.partner.merge.automatic.wizard"]._merge([master, source], env["res.partner"].browse(master))
elapsed = time.perf_counter() - start
with registry.cursor() as cr:
    logs = 0
    if "customer.merge.log" in registry:
        cr.execute("SELECT count(*), coalesce(sum(moved_count), 0), coalesce(sum(dropped_count), 0) "
                   "FROM customer_merge_log")
        logs = cr.fetchone()
    cr.execute("SELECT count(*) FROM res_partner")
    partners = cr.fetchone()[0]
print(json.dumps({"elapsed": elapsed, "merges": len(pairs), "logs": logs, "partners": partners}))
"""


def measure(python, config, db, pairs):
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [bench_env.ODOO_PATH,
                                                                         os.environ.get("PYTHONPATH")])))
    out = subprocess.run([python, "-c", MERGE_SCRIPT, config, db, json.dumps(pairs)],
                         check=True, capture_output=True, text=True, env=environ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", default=bench_env.DEFAULT_CONFIG,
                        help="Odoo config file (default: $ODOO_RC, else benchmarks/.bench-odoo.conf)")
    parser.add_argument("--template", default=bench_env.DEFAULT_TEMPLATE)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--merges", type=int, default=1000)
    parser.add_argument("--odoo-merges", type=int, default=200)
    parser.add_argument("--modules", default="customer_unification")
    parser.add_argument("--prefix", default="cu_merge_bench")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    bench_env.require_config(args.config)
    db_odoo, db_suite = f"{args.prefix}_odoo", f"{args.prefix}_suite"
    python = sys.executable
    for db in (db_odoo, db_suite):
        bench_env.pg_run(args.config, "dropdb", "--if-exists", db)
    run(["createdb", *bench_env.pg_args(args.config), "-T", args.template, db_odoo], args.config)
    dsn = bench_env.pg_dsn(args.config, db_odoo)
    t0 = time.perf_counter()
    pairs = generate_data(dsn, args.partners, max(args.merges, args.odoo_merges))
    print(f"data generated in {time.perf_counter() - t0:.1f} s", flush=True)
    run(["createdb", *bench_env.pg_args(args.config), "-T", db_odoo, db_suite], args.config)
    t0 = time.perf_counter()
    run([python, bench_env.ODOO_BIN, "-c", args.config, "-d", db_suite, "-i", args.modules, "--stop-after-init",
         "--log-level=warn"])
    print(f"suite installed in {time.perf_counter() - t0:.1f} s", flush=True)
    with contextlib.closing(psycopg2.connect(bench_env.pg_dsn(args.config, db_suite))) as conn, \
            conn.cursor() as cr:
        cr.execute("""SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid
                       WHERE t.relname = 'res_partner' AND c.contype = 'f'""")
        fks = cr.fetchone()[0]

    odoo_res = measure(python, args.config, db_odoo, pairs[: args.odoo_merges])
    suite_res = measure(python, args.config, db_suite, pairs[: args.merges])
    odoo_ms = 1000 * odoo_res["elapsed"] / odoo_res["merges"]
    suite_ms = 1000 * suite_res["elapsed"] / suite_res["merges"]
    print()
    print(f"partners: {suite_res['partners']}, foreign keys to res_partner: {fks}")
    print(f"Odoo wizard            : {odoo_res['merges']} merges in {odoo_res['elapsed']:.1f} s "
          f"= {odoo_ms:.0f} ms/merge (sources deleted, no log)")
    print(f"customer_unification   : {suite_res['merges']} merges in {suite_res['elapsed']:.1f} s "
          f"= {suite_ms:.0f} ms/merge (sources archived; logs, moved rows, dropped rows: {suite_res['logs']})")
    if not args.keep:
        for db in (db_odoo, db_suite):
            bench_env.pg_run(args.config, "dropdb", "--if-exists", db)


if __name__ == "__main__":
    main()
