#!/usr/bin/env python3
"""Benchmark of the cadence engine (quotation follow-ups and payment reminders, crm_erp_bridge).

Creates a throw-away database from a template, installs crm_erp_bridge, clones one sent quotation
into N sent quotations (SQL copy, every one with a due follow-up step) and one overdue invoice
into N overdue invoices, then measures:

* the due-steps query (``_cadence_due_pairs``) over all documents;
* one cron batch of 200 documents (email rendered and posted on the chatter, log written).

Usage (after ``python benchmarks/make_template.py``)::

    python benchmarks/crm_erp_bridge/bench_followup.py --db bridge_fu_bench [-c CONFIG]
        [--template suite_bench_tpl] [--sizes 1000 10000] [--runs 5] [--keep]

CONFIG defaults to ``$ODOO_RC``, else ``benchmarks/.bench-odoo.conf``.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo

import odoo
from odoo import Command, api, fields
from odoo.tools import SQL


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", default=bench_env.DEFAULT_CONFIG,
                        help="Odoo config file (default: $ODOO_RC, else benchmarks/.bench-odoo.conf)")
    parser.add_argument("--db", required=True, help="throw-away database (dropped unless --keep)")
    parser.add_argument("--template", default=bench_env.DEFAULT_TEMPLATE)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def clone_rows(env, table, source_id, count, overrides):
    """Insert ``count`` copies of row ``source_id`` of ``table``; ``overrides`` maps columns to SQL."""
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id'",
        (table,),
    )
    columns = [row[0] for row in env.cr.fetchall()]
    select = [SQL(overrides[c]) if c in overrides else SQL.identifier("t", c) for c in columns]
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT %s FROM %s t, generate_series(1, %s) g WHERE t.id = %s",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(c) for c in columns),
            SQL(", ").join(select),
            SQL.identifier(table),
            count,
            source_id,
        )
    )


def measure(fn, runs):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def bench_size(env, size, runs):
    partner = env["res.partner"].create({"name": f"Bench customer {size}", "email": "bench@example.com"})
    cadence = env.ref("crm_erp_bridge.followup_cadence_standard")
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "bridge_cadence_id": cadence.id,
            "validity_date": fields.Date.today() + timedelta(days=30),
            "order_line": [Command.create({"name": "Bench line", "product_uom_qty": 1, "price_unit": 100})],
        }
    )
    order.action_quotation_sent()
    order.bridge_sent_date = fields.Datetime.now() - timedelta(days=4)
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": fields.Date.today() - timedelta(days=40),
            "invoice_date_due": fields.Date.today() - timedelta(days=10),
            "invoice_line_ids": [Command.create({"name": "Bench", "quantity": 1, "price_unit": 100})],
        }
    )
    invoice.action_post()
    env.flush_all()
    clone_rows(env, "sale_order", order.id, size - 1, {"name": "t.name || '-' || g"})
    clone_rows(env, "account_move", invoice.id, size - 1, {"name": "t.name || '-' || g"})
    env.invalidate_all()
    today = fields.Date.today()
    results = {}
    due = env["sale.order"]._cadence_due_pairs(today)
    results["quotes_due"] = len(due)
    results["followup_due_query_ms"] = measure(lambda: env["sale.order"]._cadence_due_pairs(today), runs)
    results["dunning_due_query_ms"] = measure(lambda: env["account.move"]._cadence_due_pairs(today), runs)

    def batch(model):
        env.cr.execute("SAVEPOINT bench_batch")
        start = time.perf_counter()
        env["crm.erp.cadence.engine"]._run(model, limit=200)
        env.flush_all()
        elapsed = (time.perf_counter() - start) * 1000
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_batch")
        env.invalidate_all()
        return elapsed

    results["followup_batch_200_ms"] = statistics.median(batch("sale.order") for _ in range(max(runs // 2, 1)))
    results["dunning_batch_200_ms"] = statistics.median(batch("account.move") for _ in range(max(runs // 2, 1)))
    return results


def main():
    args = parse_args()
    bench_env.require_config(args.config)
    odoo.tools.config.parse_config(["-c", args.config])
    bench_env.pg_run(args.config, "dropdb", "--if-exists", args.db)
    bench_env.pg_run(args.config, "createdb", "-T", args.template, args.db)
    subprocess.run(
        [
            sys.executable,
            bench_env.ODOO_BIN,
            "-c",
            args.config,
            "-d",
            args.db,
            "-i",
            "crm_erp_bridge",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )
    try:
        registry = odoo.modules.registry.Registry(args.db)
        for size in args.sizes:
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                figures = bench_size(env, size, args.runs)
                print(
                    f"{size} documents: "
                    + ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
                )
                cr.rollback()
    finally:
        if not args.keep:
            odoo.sql_db.close_all()
            bench_env.pg_run(args.config, "dropdb", "--if-exists", args.db)


if __name__ == "__main__":
    main()
