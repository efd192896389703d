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

import os
import statistics
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo
from bench_tools import clone_rows, measure_sizes, median_ms

from odoo import Command, fields
from odoo.tools import SQL


def parse_args():
    return bench_env.size_series_parser(__doc__.split("\n")[0], [1000, 10000], 5).parse_args()


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
    clone_rows(env.cr, "sale_order", SQL("t.id = %s", order.id), size - 1, {"name": "t.name || '-' || g"})
    clone_rows(env.cr, "account_move", SQL("t.id = %s", invoice.id), size - 1, {"name": "t.name || '-' || g"})
    env.invalidate_all()
    today = fields.Date.today()
    results = {}
    due = env["sale.order"]._cadence_due_pairs(today)
    results["quotes_due"] = len(due)
    results["followup_due_query_ms"] = median_ms(lambda: env["sale.order"]._cadence_due_pairs(today), runs)
    results["dunning_due_query_ms"] = median_ms(lambda: env["account.move"]._cadence_due_pairs(today), runs)

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
    with bench_env.throwaway_registry(args, "crm_erp_bridge", bench_env.LOG_WARN) as registry:
        measure_sizes(registry, args, bench_size, "documents")


if __name__ == "__main__":
    main()
