#!/usr/bin/env python3
"""Benchmark of the payment reminder statements (crm_erp_bridge): one statement per customer and level.

Creates a throw-away database from a template, installs crm_erp_bridge, creates ``--customers``
customers (ORM, one batch) and clones one posted overdue invoice into ``--invoices`` overdue
invoices spread evenly over them (SQL copy), all due at the first reminder level, then runs the
statement job the way the scheduled job does (batches of ``--batch`` invoices, each in its own
transaction step) and reports:

* the wall time of the whole run, and of each batch;
* the process's resident memory after each batch and its peak (``ru_maxrss``): it must stay flat;
* the statements, emails and log lines written (conservation: every due invoice in one statement).

``--without-email``: the levels only schedule their activity, which isolates the cost of the run
itself (due query, grouping, statements, logs) from Odoo's mail composer.

Usage (after ``python benchmarks/make_template.py``)::

    python benchmarks/crm_erp_bridge/bench_statements.py --db bridge_stmt_bench [-c CONFIG]
        [--template suite_bench_tpl] [--customers 2000] [--invoices 10000] [--batch 2000] [--keep]

CONFIG defaults to ``$ODOO_RC``, else ``benchmarks/.bench-odoo.conf``.
"""

import argparse
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo
from bench_tools import clone_rows, peak_rss_mb, rss_mb

import odoo
from odoo import Command, api, fields
from odoo.tools import SQL


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    bench_env.add_db_arguments(parser)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=2000, help="invoices per job batch (cron batch_size)")
    parser.add_argument("--without-email", action="store_true",
                        help="levels only schedule their activity: the run without Odoo's mail composer")
    return parser.parse_args()


def build_data(env, customers, invoices):
    """``customers`` customers and ``invoices`` overdue invoices (10-14 days: the first level)."""
    partners = env["res.partner"].create([
        {"name": f"Statement bench customer {i}", "is_company": True, "email": f"ap{i}@example.com"}
        for i in range(customers)
    ])
    today = fields.Date.today()
    source = env["account.move"].create({
        "move_type": "out_invoice",
        "partner_id": partners[0].id,
        "invoice_date": today - timedelta(days=40),
        "invoice_date_due": today - timedelta(days=10),
        "invoice_line_ids": [Command.create({"name": "Bench", "quantity": 1, "price_unit": 100})],
    })
    source.action_post()
    env.flush_all()
    per_customer = max(invoices // customers, 1)
    clone_rows(env.cr, "account_move", SQL("t.id = %s", source.id), invoices - 1, {
        "name": "t.name || '-' || g",
        "partner_id": SQL("(%s::int[])[g / %s + 1]", partners.ids, per_customer),
        "commercial_partner_id": SQL("(%s::int[])[g / %s + 1]", partners.ids, per_customer),
        "invoice_date_due": "t.invoice_date_due - mod(g, 5)",
        "access_token": "NULL",
    })
    env.invalidate_all()
    return partners


def main():
    args = parse_args()
    with bench_env.throwaway_registry(args, "crm_erp_bridge", bench_env.LOG_WARN) as registry:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            partners = build_data(env, args.customers, args.invoices)
            if args.without_email:
                levels = env["crm.erp.dunning.level"].search([])
                levels.write({"activity_type_id": env.ref("mail.mail_activity_data_todo").id})
                levels.write({"mail_template_id": False})
            due = env["account.move"]._cadence_due_pairs(fields.Date.today())
            due_ids = {move_id for move_id, _level in due}
            print(f"{len(due_ids)} invoices due ({args.customers} customers created)")
            cr.commit()  # the job runs in committed batches, as the cron does
        engine_batches = []
        rss_before = rss_mb()
        start = time.perf_counter()
        remaining = None
        while remaining != 0:
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                batch_start = time.perf_counter()
                logs, remaining = env["crm.erp.cadence.engine"]._run("account.move", limit=args.batch, isolate=True)
                env.flush_all()
                engine_batches.append((len(logs), time.perf_counter() - batch_start, rss_mb()))
                cr.commit()
        elapsed = time.perf_counter() - start
        for i, (count, seconds, rss) in enumerate(engine_batches, 1):
            print(f"batch {i}: {count} log lines in {seconds:.1f} s, RSS {rss:.0f} MB")
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            statements = env["crm.erp.dunning.statement"].search([("partner_id", "in", partners.ids)])
            listed = env.execute_query(SQL(
                "SELECT COUNT(*), COUNT(DISTINCT move_id) FROM crm_erp_dunning_statement_move_rel"
                " WHERE statement_id IN %s",
                tuple(statements.ids) or (0,),
            ))[0]
            print(
                f"{args.invoices} overdue invoices of {args.customers} customers: {len(statements)} statements "
                f"({len(statements.filtered('mail_sent'))} emails) listing {listed[0]} invoices "
                f"({listed[1]} distinct) in {elapsed:.1f} s; RSS before {rss_before:.0f} MB, "
                f"after {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB"
            )


if __name__ == "__main__":
    main()
