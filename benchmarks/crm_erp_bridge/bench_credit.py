#!/usr/bin/env python3
"""Benchmark of the credit exposure (crm_erp_bridge, with crm_erp_bridge_stock when installed).

Creates a throw-away database from a template, installs crm_erp_bridge, makes one customer with a
confirmed order (two lines, one half delivered) and a posted invoice, then clones the customer N
times in SQL with its order, order lines and receivable journal item. Measures, for N customers at
once and for one customer:

* ``res.partner._bridge_get_credit_exposures`` (the suite's exposure: one aggregate query per part)
  and its query count;
* Odoo's own figures for the same customers (``credit`` + ``credit_to_invoice``, read in batch).

Usage (after ``python benchmarks/make_template.py``)::

    python benchmarks/crm_erp_bridge/bench_credit.py --db bridge_credit_bench [-c CONFIG]
        [--template suite_bench_tpl] [--sizes 1000 10000] [--runs 5] [--keep]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo

import odoo
from odoo import Command, api
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


def clone(env, table, where, count, overrides):
    """Insert, for each ``g`` in 1..count, a copy of the rows of ``table`` matching ``where`` (SQL on
    ``t``); ``overrides`` maps columns to SQL expressions (``g`` is the copy number). Returns nothing."""
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id'",
        (table,),
    )
    columns = [row[0] for row in env.cr.fetchall()]
    select = [SQL(overrides[c]) if c in overrides else SQL.identifier("t", c) for c in columns]
    env.cr.execute(SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s t, generate_series(1, %s) g WHERE %s",
        SQL.identifier(table), SQL(", ").join(SQL.identifier(c) for c in columns), SQL(", ").join(select),
        SQL.identifier(table), count, SQL(where),
    ))


def measure(fn, runs):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def count_queries(env, fn):
    before = env.cr.sql_log_count
    fn()
    return env.cr.sql_log_count - before


def bench_size(env, size, runs):
    company = env.company
    company.account_use_credit_limit = True
    product = env["product.product"].create({"name": "Bench goods", "type": "consu", "invoice_policy": "order"})
    source = env["res.partner"].create({"name": "Bench credit customer", "is_company": True, "credit_limit": 1000})
    order = env["sale.order"].create({
        "partner_id": source.id,
        "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 4, "price_unit": 100}),
                       Command.create({"product_id": product.id, "product_uom_qty": 2, "price_unit": 50})],
    })
    order.action_confirm()
    order.order_line[0].qty_delivered = 2  # manual quantity when Inventory is not installed
    invoice = env["account.move"].create({
        "move_type": "out_invoice", "partner_id": source.id,
        "invoice_line_ids": [Command.create({"name": "Bench", "quantity": 1, "price_unit": 300})],
    })
    invoice.action_post()
    env.flush_all()
    # N customers with the same documents: partners, then their orders, lines and receivable items
    clone(env, "res_partner", f"t.id = {source.id}", size - 1, {"name": "t.name || ' ' || g"})
    env.cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE name LIKE 'Bench credit customer %%'")
    env.cr.execute("SELECT id FROM res_partner WHERE name LIKE 'Bench credit customer%%' ORDER BY id")
    partner_ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute("""
        CREATE TEMP TABLE bench_map AS
        SELECT id AS partner_id, row_number() OVER (ORDER BY id) AS n
          FROM res_partner WHERE name LIKE 'Bench credit customer %%'""")
    partner_of_g = "(SELECT m.partner_id FROM bench_map m WHERE m.n = g)"
    clone(env, "sale_order", f"t.id = {order.id}", size - 1, {
        "name": "t.name || '-' || g", "partner_id": partner_of_g,
        "partner_invoice_id": partner_of_g, "partner_shipping_id": partner_of_g,
    })
    env.cr.execute("""
        CREATE TEMP TABLE bench_orders AS
        SELECT o.id AS order_id, row_number() OVER (ORDER BY o.id) AS n
          FROM sale_order o WHERE o.name LIKE %s""", (order.name + "-%",))
    clone(env, "sale_order_line", f"t.order_id = {order.id}", size - 1, {
        "order_id": "(SELECT b.order_id FROM bench_orders b WHERE b.n = g)",
        "order_partner_id": partner_of_g,
    })
    receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
    clone(env, "account_move_line", f"t.id = {receivable.id}", size - 1, {"partner_id": partner_of_g})
    env.cr.execute("ANALYZE res_partner, sale_order, sale_order_line, account_move_line")
    env.invalidate_all()
    ids = tuple(partner_ids)
    Partner = env["res.partner"]
    results = {"customers": len(ids)}
    results["suite_exposure_ms"] = measure(lambda: Partner._bridge_get_credit_exposures(ids), runs)
    results["suite_exposure_queries"] = count_queries(env, lambda: Partner._bridge_get_credit_exposures(ids))
    results["suite_one_customer_ms"] = measure(lambda: Partner._bridge_get_credit_exposures(ids[:1]), runs)
    exposures = Partner._bridge_get_credit_exposures(ids)
    results["suite_exposure_each"] = round(exposures[ids[-1]], 2)

    def odoo_figures():
        env.invalidate_all()
        partners = Partner.browse(ids)
        return {p.id: p.credit + p.credit_to_invoice for p in partners}

    results["odoo_credit_plus_to_invoice_ms"] = measure(odoo_figures, runs)
    results["odoo_queries"] = count_queries(env, odoo_figures)
    return results


def main():
    args = parse_args()
    bench_env.require_config(args.config)
    odoo.tools.config.parse_config(["-c", args.config])
    bench_env.pg_run(args.config, "dropdb", "--if-exists", args.db)
    bench_env.pg_run(args.config, "createdb", "-T", args.template, args.db)
    subprocess.run(
        [sys.executable, bench_env.ODOO_BIN, "-c", args.config, "-d", args.db, "-i", "crm_erp_bridge",
         "--stop-after-init", "--log-level=warn"],
        check=True,
    )
    try:
        registry = odoo.modules.registry.Registry(args.db)
        for size in args.sizes:
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                figures = bench_size(env, size, args.runs)
                print(f"{size} customers: " + ", ".join(
                    f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
                cr.rollback()
    finally:
        if not args.keep:
            odoo.sql_db.close_all()
            bench_env.pg_run(args.config, "dropdb", "--if-exists", args.db)


if __name__ == "__main__":
    main()
