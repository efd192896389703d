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

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo
from bench_tools import clone_rows, count_queries, measure_sizes, median_ms

from odoo import Command
from odoo.tools import SQL


def parse_args():
    return bench_env.size_series_parser(__doc__.split("\n")[0], [1000, 10000], 5).parse_args()


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
    clone_rows(env.cr, "res_partner", SQL("t.id = %s", source.id), size - 1, {"name": "t.name || ' ' || g"})
    env.cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE name LIKE 'Bench credit customer %%'")
    env.cr.execute("SELECT id FROM res_partner WHERE name LIKE 'Bench credit customer%%' ORDER BY id")
    partner_ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute("""
        CREATE TEMP TABLE bench_map AS
        SELECT id AS partner_id, row_number() OVER (ORDER BY id) AS n
          FROM res_partner WHERE name LIKE 'Bench credit customer %%'""")
    partner_of_g = "(SELECT m.partner_id FROM bench_map m WHERE m.n = g)"
    clone_rows(env.cr, "sale_order", SQL("t.id = %s", order.id), size - 1, {
        "name": "t.name || '-' || g", "partner_id": partner_of_g,
        "partner_invoice_id": partner_of_g, "partner_shipping_id": partner_of_g,
    })
    env.cr.execute("""
        CREATE TEMP TABLE bench_orders AS
        SELECT o.id AS order_id, row_number() OVER (ORDER BY o.id) AS n
          FROM sale_order o WHERE o.name LIKE %s""", (order.name + "-%",))
    clone_rows(env.cr, "sale_order_line", SQL("t.order_id = %s", order.id), size - 1, {
        "order_id": "(SELECT b.order_id FROM bench_orders b WHERE b.n = g)",
        "order_partner_id": partner_of_g,
    })
    receivable = invoice.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
    clone_rows(env.cr, "account_move_line", SQL("t.id = %s", receivable.id), size - 1, {"partner_id": partner_of_g})
    env.cr.execute("ANALYZE res_partner, sale_order, sale_order_line, account_move_line")
    env.invalidate_all()
    ids = tuple(partner_ids)
    Partner = env["res.partner"]
    results = {"customers": len(ids)}
    results["suite_exposure_ms"] = median_ms(lambda: Partner._bridge_get_credit_exposures(ids), runs)
    results["suite_exposure_queries"] = count_queries(env.cr, lambda: Partner._bridge_get_credit_exposures(ids))
    results["suite_one_customer_ms"] = median_ms(lambda: Partner._bridge_get_credit_exposures(ids[:1]), runs)
    exposures = Partner._bridge_get_credit_exposures(ids)
    results["suite_exposure_each"] = round(exposures[ids[-1]], 2)

    def odoo_figures():
        env.invalidate_all()
        partners = Partner.browse(ids)
        return {p.id: p.credit + p.credit_to_invoice for p in partners}

    results["odoo_credit_plus_to_invoice_ms"] = median_ms(odoo_figures, runs)
    results["odoo_queries"] = count_queries(env.cr, odoo_figures)
    return results


def main():
    args = parse_args()
    with bench_env.throwaway_registry(args, "crm_erp_bridge", bench_env.LOG_WARN) as registry:
        measure_sizes(registry, args, bench_size, "customers")


if __name__ == "__main__":
    main()
