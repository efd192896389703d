#!/usr/bin/env python3
"""Benchmark: the daily expiry/renewal job over N registrations (default 1,000,000).

Creates a throw-away database from ``suite_bench_tpl``, installs warranty_management, inserts N
registrations with SQL (0.5 % due for a renewal proposal, 2 % expired, the rest running),
then runs ``warranty.registration._cron_expire_and_renew`` the way ``ir.cron`` does: one
chunk per call, each call in its own transaction, until nothing remains. Prints the time,
the number of chunks and the peak memory of the process; the database is dropped at the end.

Usage (after ``python benchmarks/make_template.py``)::

    python benchmarks/warranty_management/bench_renewal.py [-c CONFIG] [--template suite_bench_tpl] \
        [--db w_core_bench_ren] [--count 1000000] [--keep]

CONFIG defaults to ``$ODOO_RC``, else ``benchmarks/.bench-odoo.conf``.
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
    bench_env.add_db_arguments(parser, "w_core_bench_ren")
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args()

    with bench_env.throwaway_registry(args, "warranty_management", demo=False) as registry:
        populate(registry, args.count)
        run(registry)


def populate(registry, count):
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        policy = env["warranty.policy"].create({"name": "Bench policy", "duration": 2, "duration_unit": "year",
                                                "renewal_days_before": 30})
        product = env["product.product"].create({"name": "Bench unit", "is_storable": True,
                                                 "warranty_policy_id": policy.id})
        salesperson = env.ref("base.user_admin")
        partners = env["res.partner"].create([{"name": f"Bench customer {i}", "is_company": True,
                                               "user_id": salesperson.id} for i in range(1000)])
        env.flush_all()
        cr.execute(SQL("""
            INSERT INTO warranty_registration (
                name, company_id, partner_id, commercial_partner_id, user_id, product_id, product_tmpl_id,
                quantity, origin, policy_id, start_date, base_end_date, end_date, renewal_date, state,
                coverage_parts_pct, coverage_labor_pct, coverage_travel_pct,
                create_uid, create_date, write_uid, write_date)
            SELECT 'WR/BENCH/' || n, %(company)s, p.id, p.id, %(user)s, %(product)s, %(tmpl)s,
                   1, 'manual', %(policy)s, d.end_date - 730, d.end_date, d.end_date, d.end_date - 30, 'active',
                   100, 100, 100, 1, now(), 1, now()
              FROM generate_series(1, %(count)s) n
              JOIN LATERAL (SELECT CASE
                       WHEN mod(n, 200) = 0 THEN current_date + mod(n, 29)::int        -- renewal due
                       WHEN mod(n, 50) = 1 THEN current_date - 1 - mod(n, 300)::int    -- expired
                       ELSE current_date + 31 + mod(n, 700)::int END AS end_date) d ON true
              JOIN LATERAL (SELECT (%(partners)s::int[])[1 + mod(n, 1000)] AS id) p ON true
        """, company=env.company.id, user=salesperson.id, product=product.id, tmpl=product.product_tmpl_id.id,
            policy=policy.id, count=count, partners=partners.ids))
        cr.execute("ANALYZE warranty_registration")
        cr.commit()
    print(f"inserted {count:,} registrations in {time.perf_counter() - start:.1f} s")


def run(registry):
    start = time.perf_counter()
    cpu_start = time.process_time()
    rss_start = peak_rss_mb()
    chunks = done_total = 0
    slowest = 0.0
    while True:
        chunk_start = time.perf_counter()
        with registry.cursor() as cr:  # one transaction per call, like ir.cron
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            done, remaining = env["warranty.registration"]._cron_expire_and_renew()
            cr.commit()
        chunks += 1
        done_total += done
        slowest = max(slowest, time.perf_counter() - chunk_start)
        if chunks % 5 == 0:
            print(f"  chunk {chunks}: {done_total:,} done, peak RSS {peak_rss_mb():.0f} MB")
        if not remaining:
            break
    elapsed = time.perf_counter() - start
    with registry.cursor() as cr:
        cr.execute("SELECT state, count(*), count(renewal_lead_id) FROM warranty_registration GROUP BY state")
        states = cr.fetchall()
    print(f"job: {elapsed:.1f} s wall, {time.process_time() - cpu_start:.1f} s CPU, {chunks} chunks, "
          f"slowest chunk {slowest:.1f} s, {done_total:,} registrations handled")
    print(f"peak RSS: {rss_start:.0f} MB before, {peak_rss_mb():.0f} MB after")
    for state, count, leads in states:
        print(f"  {state}: {count:,} registrations, {leads:,} with a renewal opportunity")


if __name__ == "__main__":
    main()
