#!/usr/bin/env python3
"""Benchmark: the daily escalation of late warranty claims over N open claims (default 100,000).

Creates a throw-away database from ``suite_bench_tpl``, installs warranty_management, inserts N
open claims with SQL (``--late-pct`` of them past their review or resolution deadline, the rest
on time), then runs ``warranty.claim._cron_escalate_late_claims`` the way ``ir.cron`` does: one
chunk per call, each call in its own transaction, until nothing remains; then once more (the
idempotent re-run, which must find nothing). Prints the time, the chunks, the SQL queries per
escalated claim and the peak memory; the database is dropped at the end.

Usage (after ``python benchmarks/make_template.py``)::

    python benchmarks/warranty_management/bench_escalation.py [-c CONFIG] [--template suite_bench_tpl] \
        [--db w_core_bench_esc] [--count 100000] [--late-pct 5] [--keep]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo
from bench_tools import peak_rss_mb

import odoo
from odoo.tools import SQL


def main():
    parser = argparse.ArgumentParser()
    bench_env.add_db_arguments(parser, "w_core_bench_esc")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--late-pct", type=float, default=5.0)
    args = parser.parse_args()

    with bench_env.throwaway_registry(args, "warranty_management", demo=False) as registry:
        populate(registry, args.count, args.late_pct)
        run(registry)


def populate(registry, count, late_pct):
    start = time.perf_counter()
    every = max(1, round(100 / late_pct)) if late_pct else count + 1
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        product = env["product.product"].create({"name": "Bench unit", "is_storable": True})
        users = env["res.users"].create([{"name": f"Bench technician {i}", "login": f"bench_tech_{i}"}
                                         for i in range(20)])
        partners = env["res.partner"].create([{"name": f"Bench customer {i}", "is_company": True}
                                              for i in range(1000)])
        env.flush_all()
        # late ones: half new past the review deadline, half in review past the resolution deadline
        cr.execute(SQL("""
            INSERT INTO warranty_claim (
                name, company_id, state, source, partner_id, commercial_partner_id, user_id, product_id,
                quantity, claim_date, covered, sla_review_deadline, sla_deadline, sla_late,
                create_uid, create_date, write_uid, write_date)
            SELECT 'WC/BENCH/' || n, %(company)s,
                   CASE WHEN mod(n, %(every)s) = 0 AND mod(n, 2) = 1 THEN 'under_review' ELSE 'new' END,
                   'backend', p.id, p.id, u.id, %(product)s, 1, current_date - 20, false,
                   CASE WHEN mod(n, %(every)s) = 0 THEN current_date - 12 ELSE current_date + 2 END,
                   CASE WHEN mod(n, %(every)s) = 0 THEN current_date - 1 - mod(n, 5)::int ELSE current_date + 10 END,
                   false, 1, now(), 1, now()
              FROM generate_series(1, %(count)s) n
              JOIN LATERAL (SELECT (%(partners)s::int[])[1 + mod(n, 1000)] AS id) p ON true
              JOIN LATERAL (SELECT (%(users)s::int[])[1 + mod(n, 20)] AS id) u ON true
        """, company=env.company.id, product=product.id, count=count, every=every,
            partners=partners.ids, users=users.ids))
        cr.execute("ANALYZE warranty_claim")
        cr.commit()
    print(f"inserted {count:,} open claims ({count // every:,} late) in {time.perf_counter() - start:.1f} s")


def escalate_until_done(registry):
    chunks = done_total = queries = 0
    slowest = 0.0
    while True:
        chunk_start = time.perf_counter()
        with registry.cursor() as cr:  # one transaction per call, like ir.cron
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            before = cr.sql_log_count
            done, remaining = env["warranty.claim"]._cron_escalate_late_claims()
            queries += cr.sql_log_count - before
            cr.commit()
        chunks += 1
        done_total += done
        slowest = max(slowest, time.perf_counter() - chunk_start)
        if not remaining:
            return chunks, done_total, queries, slowest


def run(registry):
    start = time.perf_counter()
    cpu_start = time.process_time()
    chunks, done, queries, slowest = escalate_until_done(registry)
    elapsed = time.perf_counter() - start
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM mail_activity WHERE res_model = 'warranty.claim'")
        activities = cr.fetchone()[0]
    print(f"escalation: {elapsed:.1f} s wall, {time.process_time() - cpu_start:.1f} s CPU, {chunks} chunks, "
          f"slowest chunk {slowest:.1f} s, {done:,} claims escalated, {activities:,} activities, "
          f"{queries / max(done, 1):.1f} queries per claim")
    start = time.perf_counter()
    __, again, __, __ = escalate_until_done(registry)
    print(f"re-run: {again} claims escalated in {time.perf_counter() - start:.2f} s")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
