#!/usr/bin/env python3
"""Benchmark: register the warranties of one delivery of N lines (default 1,000).

Creates a throw-away database from the ``suite_bench_tpl`` template, installs warranty_management,
sells N lines (half serial-tracked products with one serial each, half untracked products),
then validates the delivery and reports how long the warranty registration takes
(inside the validation) and the validation as a whole. The database is dropped at the end.

Usage (after ``python benchmarks/make_template.py``)::

    python benchmarks/warranty_management/bench_register.py [-c CONFIG] [--template suite_bench_tpl] \
        [--db w_core_bench_reg] [--lines 1000] [--keep] [--profile]

CONFIG defaults to ``$ODOO_RC``, else ``benchmarks/.bench-odoo.conf``.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo

import odoo
from odoo import Command


def main():
    parser = argparse.ArgumentParser()
    bench_env.add_db_arguments(parser, "w_core_bench_reg")
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions")
    args = parser.parse_args()

    with bench_env.throwaway_registry(args, "warranty_management", demo=False) as registry:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            run(env, args.lines, args.profile)
            cr.rollback()


def run(env, lines, profile=False):
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    policy = env["warranty.policy"].create({"name": "Bench policy", "duration": 2, "duration_unit": "year",
                                            "start_trigger": "delivery", "consumer_legal_months": 24})
    half = lines // 2
    serial_products = env["product.product"].create([{
        "name": f"Bench serial product {i}", "is_storable": True, "tracking": "serial",
        "warranty_policy_id": policy.id} for i in range(half)])
    plain_products = env["product.product"].create([{
        "name": f"Bench plain product {i}", "is_storable": True,
        "warranty_policy_id": policy.id} for i in range(lines - half)])
    lots = env["stock.lot"].create([{"name": f"BENCH-SN-{i:05d}", "product_id": product.id}
                                    for i, product in enumerate(serial_products)])
    quant = env["stock.quant"]
    for product, lot in zip(serial_products, lots, strict=True):
        quant._update_available_quantity(product, warehouse.lot_stock_id, 1.0, lot_id=lot)
    for product in plain_products:
        quant._update_available_quantity(product, warehouse.lot_stock_id, 5.0)
    customer = env["res.partner"].create({"name": "Bench customer", "is_company": True})
    order = env["sale.order"].create({
        "partner_id": customer.id,
        "order_line": [Command.create({"product_id": p.id, "product_uom_qty": 1 if p.tracking == "serial" else 3})
                       for p in serial_products | plain_products],
    })
    order.action_confirm()
    picking = order.picking_ids
    lot_by_product = {lot.product_id.id: lot for lot in lots}
    for move in picking.move_ids:
        if move.product_id.tracking == "serial":
            move.move_line_ids.lot_id = lot_by_product[move.product_id.id]
        move.quantity = move.product_uom_qty
    picking.move_ids.picked = True
    env.flush_all()

    Moves = type(env["stock.move"])
    original = Moves._warranty_register_delivered
    timing = {}

    def timed(self):
        start = time.perf_counter()
        cpu_start = time.process_time()
        count_before = env.cr.sql_log_count
        if profile:
            import cProfile
            import pstats
            profiler = cProfile.Profile()
            result = profiler.runcall(original, self)
            env.flush_all()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            result = original(self)
        env.flush_all()
        timing["register"] = time.perf_counter() - start
        timing["cpu"] = time.process_time() - cpu_start
        timing["queries"] = env.cr.sql_log_count - count_before
        timing["count"] = len(result)
        return result

    Moves._warranty_register_delivered = timed
    try:
        start = time.perf_counter()
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        env.flush_all()
        total = time.perf_counter() - start
    finally:
        Moves._warranty_register_delivered = original
    print(f"delivery lines: {len(picking.move_ids)} ({half} serial-tracked, {lines - half} untracked)")
    print(f"registrations created: {timing['count']}")
    print(f"warranty registration: {timing['register']:.2f} s wall, {timing['cpu']:.2f} s CPU (Odoo process), "
          f"{timing['queries']} SQL queries")
    print(f"whole delivery validation (stock + registration): {total:.2f} s")


if __name__ == "__main__":
    main()
