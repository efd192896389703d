#!/usr/bin/env python3
"""Benchmark of warranty costs and provisions (warranty_management, issue 5).

Creates a throw-away database from the ``suite_bench_tpl`` template, installs warranty_management,
configures warranty accounting, then measures:

* posting the costs of one claim with ``--lines`` cost lines (journal entry + draft invoice);
* the XLSX export of the cost report over ``--rows`` cost lines (generated in SQL), in a fresh
  process: time and peak RSS (xlsxwriter constant-memory mode);
* the provision release job over ``--provisions`` expired provision layers (generated in SQL),
  chunk by chunk as the cron runner does it (commit per chunk): total time, time per chunk and
  peak RSS.

Usage (2 cores; after ``python benchmarks/make_template.py``)::

    python benchmarks/warranty_management/bench_costs.py [--config CONFIG] [--template suite_bench_tpl] \
        [--db w_acct_bench] [--rows 100000] [--provisions 20000] [--lines 300] [--batch 500] [--keep]

CONFIG defaults to ``$ODOO_RC``, else ``benchmarks/.bench-odoo.conf``.

The database is dropped at the end unless ``--keep``.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: odoo is imported lazily below
from bench_tools import peak_rss_mb

_REGISTRY = {}


def odoo_registry(config, db):
    """Return ``(odoo, registry)``; Odoo's configuration can be parsed once per process."""
    if db not in _REGISTRY:
        odoo = bench_env.parse_odoo_config(config, db, bench_env.LOG_WARN)
        _REGISTRY[db] = (odoo, odoo.modules.registry.Registry(db))
    return _REGISTRY[db]


def setup(config, db):
    odoo, registry = odoo_registry(config, db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.company
        accounts = {}
        for code, name, account_type in (
            ("BWE610", "Bench warranty expense", "expense"),
            ("BWC420", "Bench accrued warranty cost", "liability_current"),
            ("BWP150", "Bench warranty provision", "liability_current"),
            ("BWP611", "Bench provision expense", "expense"),
        ):
            accounts[code] = env["account.account"].create({
                "code": code, "name": name, "account_type": account_type, "company_ids": [(4, company.id)],
            })
        company.write({
            "warranty_expense_account_id": accounts["BWE610"].id,
            "warranty_cost_counterpart_account_id": accounts["BWC420"].id,
            "warranty_provision_account_id": accounts["BWP150"].id,
            "warranty_provision_expense_account_id": accounts["BWP611"].id,
            "warranty_labor_rate": 45.0,
        })
        policy = env["warranty.policy"].create({
            "name": "Bench policy", "duration": 1, "duration_unit": "year", "start_trigger": "registration",
            "coverage_parts_pct": 100, "coverage_labor_pct": 50, "coverage_travel_pct": 0,
            "provision_method": "percent", "provision_percent": 3.0,
        })
        product = env["product.product"].create({
            "name": "Bench unit", "is_storable": True, "standard_price": 100.0, "warranty_policy_id": policy.id,
        })
        part = env["product.product"].create({"name": "Bench part", "is_storable": True, "standard_price": 7.5})
        customer = env["res.partner"].create({"name": "Bench customer", "is_company": True})
        registration = env["warranty.registration"].create({
            "partner_id": customer.id, "product_id": product.id, "start_date": "2024-01-01",
        })
        claim = env["warranty.claim"].create({
            "partner_id": customer.id, "product_id": product.id, "registration_id": registration.id,
            "coverage_parts_pct": 100, "coverage_labor_pct": 50, "coverage_travel_pct": 0, "covered": True,
            "claim_date": "2024-06-01",
        })
        claim.state = "approved"
        return {"claim": claim.id, "part": part.id, "product": product.id, "policy": policy.id,
                "customer": customer.id, "company": company.id}


def bench_posting(config, db, ids, lines):
    odoo, registry = odoo_registry(config, db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        claim = env["warranty.claim"].browse(ids["claim"])
        env["warranty.claim.cost.line"].create([{
            "claim_id": claim.id,
            "cost_type": ("parts", "labor", "travel")[i % 3],
            "product_id": ids["part"] if i % 3 == 0 else False,
            "name": f"Bench cost {i}",
            "quantity": 1 + i % 4,
            "unit_cost": 0 if i % 3 != 2 else 12.5,
        } for i in range(lines)])
        env.flush_all()
        start = time.perf_counter()
        claim.action_post_costs()
        env.flush_all()
        elapsed = time.perf_counter() - start
        cr.commit()
    return {"post_lines": lines, "post_seconds": round(elapsed, 2)}


def generate_rows(config, db, ids, rows, provisions):
    sql = f"""
        INSERT INTO warranty_claim_cost_line
               (claim_id, company_id, sequence, date, cost_type, name, quantity, unit_cost, amount,
                coverage_pct, covered_amount, chargeable_amount, state, create_uid, write_uid,
                create_date, write_date)
        SELECT {ids['claim']}, {ids['company']}, 10, DATE '2025-01-01' + (g % 365),
               (ARRAY['parts', 'labor', 'travel'])[1 + g % 3], 'Generated cost ' || g, 1 + g % 4, 10.25,
               (1 + g % 4) * 10.25, 50, (1 + g % 4) * 5.13, (1 + g % 4) * 10.25 - (1 + g % 4) * 5.13,
               'posted', 1, 1, now(), now()
          FROM generate_series(1, {rows}) g;
        INSERT INTO warranty_provision
               (company_id, product_id, policy_id, partner_id, quantity, date, date_expiry,
                amount_accrued, amount_used, amount_released, amount_remaining, state,
                create_uid, write_uid, create_date, write_date)
        SELECT {ids['company']}, {ids['product']}, {ids['policy']}, {ids['customer']}, 1,
               DATE '2023-01-01', DATE '2024-01-01', 30, 0, 0, 30, 'open', 1, 1, now(), now()
          FROM generate_series(1, {provisions}) g;
        INSERT INTO warranty_provision_line
               (provision_id, company_id, product_id, policy_id, kind, date, amount,
                create_uid, write_uid, create_date, write_date)
        SELECT id, company_id, product_id, policy_id, 'accrual', date, 30, 1, 1, now(), now()
          FROM warranty_provision WHERE date_expiry = DATE '2024-01-01';
        ANALYZE;
    """
    bench_env.pg_run(config, "psql", "-d", db, "-v", "ON_ERROR_STOP=1", "-qc", sql)


def bench_export(config, db):
    """In this (fresh) process: export the cost report, report time and peak RSS."""
    odoo, registry = odoo_registry(config, db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        content = env["warranty.cost.report.xlsx"]._generate()
        elapsed = time.perf_counter() - start
    print(json.dumps({
        "export_seconds": round(elapsed, 2), "export_bytes": len(content),
        "peak_rss_mb": round(peak_rss_mb()), "rss_before_mb": round(rss_before),
    }))


def bench_release(config, db, batch):
    """In this (fresh) process: run the release job chunk by chunk, committing each."""
    odoo, registry = odoo_registry(config, db)
    chunks = []
    total_start = time.perf_counter()
    released = 0
    while True:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            start = time.perf_counter()
            done = env["warranty.provision"]._cron_release_expired(batch_size=batch)
            cr.commit()
            if not done:
                break
            released += len(done)
            chunks.append(time.perf_counter() - start)
    total = time.perf_counter() - total_start
    print(json.dumps({
        "released": released, "chunks": len(chunks), "batch": batch, "release_seconds": round(total, 2),
        "chunk_avg_seconds": round(sum(chunks) / max(len(chunks), 1), 2),
        "chunk_max_seconds": round(max(chunks or [0]), 2), "peak_rss_mb": round(peak_rss_mb()),
    }))


def main():
    parser = argparse.ArgumentParser()
    bench_env.add_db_arguments(parser, "w_acct_bench")
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--provisions", type=int, default=20000)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--step", choices=["export", "release"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step == "export":
        return bench_export(args.config, args.db)
    if args.step == "release":
        return bench_release(args.config, args.db, args.batch)

    with bench_env.throwaway_database(args, "warranty_management", bench_env.LOG_WARN, demo=False):
        ids = setup(args.config, args.db)
        results = bench_posting(args.config, args.db, ids, args.lines)
        generate_rows(args.config, args.db, ids, args.rows, args.provisions)
        for step in ("export", "release"):
            out = subprocess.run(
                [sys.executable, __file__, "--config", args.config, "--db", args.db, "--step", step,
                 "--batch", str(args.batch)],
                check=True, capture_output=True, text=True).stdout
            results.update({f"{step}_{k}" if k == "peak_rss_mb" else k: v
                            for k, v in json.loads(out.strip().splitlines()[-1]).items()})
        results.update({"rows": args.rows, "provisions": args.provisions})
        print(json.dumps(results, indent=2))

if __name__ == "__main__":
    main()
