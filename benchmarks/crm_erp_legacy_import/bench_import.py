#!/usr/bin/env python3
"""Benchmark of the legacy history import (crm_erp_legacy_import).

Creates a throw-away database from a template, installs crm_erp_legacy_import (with
customer_unification and the bridge), generates a legacy file of N rows (quotations and orders by
default: 1 to 7 lines per document, a few thousand customers of which half already exist, a few
hundred products, 1% of the documents with a bad row), then measures:

* the preview (file read, rows checked, customers matched by the unification engine once each,
  documents stored);
* the import through the batch path of the cron (``_cron_process_imports``: one chunk per call,
  a commit after each call as the cron runner does), with the progress counter logged and the
  resident memory sampled after every chunk; with ``--resume-after K`` the run stops after K
  chunks, a new cursor is opened and the import takes up where it stopped;
* the preview of the same file again (a re-run: every document already imported, linked).

Peak memory is the process's maximum resident set size (``getrusage``), the per-chunk figures
its current RSS (``/proc/self/status``): a flat series is a flat memory.

Usage (after ``python benchmarks/make_template.py``)::

    python benchmarks/crm_erp_legacy_import/bench_import.py [--db legacy_import_bench] [-c CONFIG]
        [--template suite_bench_tpl] [--rows 100000] [--kind order] [--chunk 200]
        [--resume-after 10] [--keep]

CONFIG defaults to ``$ODOO_RC``, else ``benchmarks/.bench-odoo.conf``.
"""

import argparse
import base64
import cProfile
import csv
import io
import logging
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo
from bench_tools import peak_rss_mb, rss_mb

import odoo
from odoo import api

HEADERS = {
    "order": ["document_ref", "customer_ref", "customer_name", "customer_email", "customer_country", "salesperson",
              "date_order", "state", "currency", "product", "description", "quantity", "price_unit"],
    "invoice": ["document_ref", "customer_ref", "customer_name", "customer_email", "customer_country",
                "salesperson", "invoice_date", "due_date", "currency", "product", "description", "quantity",
                "price_unit"],
    "opportunity": ["document_ref", "customer_ref", "customer_name", "customer_email", "customer_country",
                    "salesperson", "name", "stage", "expected_revenue", "probability", "date_deadline"],
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    bench_env.add_db_arguments(parser, "legacy_import_bench")
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--kind", choices=sorted(HEADERS), default="order")
    parser.add_argument("--customers", type=int, default=4000, help="distinct customers in the file [4000]")
    parser.add_argument("--chunk", type=int, default=200, help="documents per chunk [200]")
    parser.add_argument("--resume-after", type=int, default=10,
                        help="chunks before the run is stopped and resumed in a new cursor (0: never) [10]")
    parser.add_argument("--profile", metavar="FILE",
                        help="write a cProfile of the import (not the preview) to FILE (pstats format)")
    return parser.parse_args()


def backend_cpu_s(cr):
    """CPU seconds (user + system) the PostgreSQL backend of ``cr`` has used so far, read from
    /proc (the server runs on this machine); 0.0 when it cannot be read."""
    cr.execute("SELECT pg_backend_pid()")
    try:
        with open(f"/proc/{cr.fetchone()[0]}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def make_data(env, args):
    """Products, half of the customers (existing) and the legacy file of ``args.rows`` rows."""
    rng = random.Random(42)
    products = env["product.product"].create([
        {"name": f"Legacy bench product {i}", "default_code": f"LB-{i:04d}", "list_price": 10 + i, "type": "service"}
        for i in range(300)])
    customers = [(f"C-{i:05d}", f"Legacybench Cliente {i:05d} S.r.l.", f"cliente{i:05d}@legacy-bench.example")
                 for i in range(args.customers)]
    existing = customers[: args.customers // 2]
    env["res.partner"]._cu_create_without_duplicate_check([
        {"name": name, "email": email, "is_company": True} for _ref, name, email in existing])
    # the import runs in the company of the user who starts it (admin: the demo company)
    currency = env.ref("base.user_admin").company_id.currency_id.name
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS[args.kind])
    rows = document = 0
    while rows < args.rows:
        document += 1
        ref, name, email = customers[rng.randrange(len(customers))]
        lines = 1 if args.kind == "opportunity" else min(rng.randint(1, 7), args.rows - rows)
        bad_line = rng.randrange(lines) if rng.random() < 0.01 else -1
        for line in range(lines):
            product = products[rng.randrange(len(products))].default_code
            quantity = rng.randint(1, 20) * (-1 if line == bad_line else 1)
            head = [f"DOC-{document:06d}", ref, name, email, "IT", "admin"]
            if args.kind == "order":
                tail = ["2024-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)),
                        rng.choice(("draft", "sent", "sale")), currency, product, "", quantity, rng.randint(5, 900)]
            elif args.kind == "invoice":
                tail = ["2024-%02d-15" % rng.randint(1, 11), "2024-12-31", currency, product, "", quantity,
                        rng.randint(5, 900)]
            else:
                tail = [f"Legacy deal {document}", "", rng.randint(100, 90000),
                        101 if bad_line == 0 else rng.randint(5, 90), "2030-06-30"]
            writer.writerow(head + tail)
            rows += 1
    return buffer.getvalue().encode(), document


def main():
    args = parse_args()
    logging.getLogger("odoo.addons.crm_erp_legacy_import").setLevel(logging.WARNING)
    with bench_env.throwaway_registry(args, "crm_erp_legacy_import", bench_env.LOG_WARN) as registry:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            data, documents = make_data(env, args)
            admin = env.ref("base.user_admin")
            cr.commit()
            print(f"file: {args.rows} rows, {documents} documents ({args.kind}), {len(data) / 1048576:.1f} MB; "
                  f"RSS {rss_mb():.0f} MB")
            env = api.Environment(cr, admin.id, {})
            job = env["crm.erp.legacy.import"].create({
                "kind": args.kind, "source_system": "Bench ERP", "filename": "bench.csv",
                "file": base64.b64encode(data), "chunk_size": args.chunk})
            del data
            start = time.perf_counter()
            job.action_preview()
            cr.commit()
            preview_s = time.perf_counter() - start
            print(f"preview: {preview_s:.1f} s, {job.create_row_count} rows to create, "
                  f"{job.reject_row_count} rejected; RSS {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB")
            job_id = job.id
            job.state = "running"  # what action_import does above the synchronous limit
            cr.commit()
            env.invalidate_all()
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        cpu_start = time.process_time()
        pg_cpu = 0.0
        samples = []
        for limit in (args.resume_after or None, None):  # a stop after `resume_after` chunks, then a new cursor
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                Import = env["crm.erp.legacy.import"]
                job = Import.browse(job_id)
                chunks = 0
                pg_cpu -= backend_cpu_s(cr)
                while job.state == "running" and (limit is None or chunks < limit):
                    Import._cron_process_imports()
                    cr.commit()  # what the cron runner does between two calls
                    chunks += 1
                    samples.append(rss_mb())
                    if len(samples) % 20 == 0:
                        print(f"  {job.processed_count}/{job.document_count} documents, "
                              f"{time.perf_counter() - start:.0f} s, RSS {samples[-1]:.0f} MB")
                state, processed = job.state, job.processed_count
                pg_cpu += backend_cpu_s(cr)
            if state != "running":
                break
            print(f"  stopped after {chunks} chunks ({processed} documents): resuming in a new cursor")
        import_s = time.perf_counter() - start
        odoo_cpu = time.process_time() - cpu_start
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        with registry.cursor() as cr:
            env = api.Environment(cr, admin.id, {})
            job = env["crm.erp.legacy.import"].browse(job_id)
            conserved = job.row_count == job.created_row_count + job.link_row_count + job.reject_row_count
            print(f"import: {import_s:.1f} s ({args.rows / import_s:.0f} rows/s), state {job.state}, "
                  f"{job.created_row_count} rows created, {job.reject_row_count} rejected, "
                  f"{job.customer_created_count} customers created; counts conserved: {conserved}")
            print(f"import CPU: Odoo process {odoo_cpu:.1f} s, PostgreSQL backend {pg_cpu:.1f} s, sum "
                  f"{odoo_cpu + pg_cpu:.1f} s (what the wall time is on an idle machine; load average now "
                  f"{os.getloadavg()[0]:.1f})")
            tenth = max(len(samples) // 10, 1)
            print("RSS per chunk (MB), every tenth: " + " ".join(f"{s:.0f}" for s in samples[::tenth]))
            print(f"peak RSS: {peak_rss_mb():.0f} MB")
            rerun = env["crm.erp.legacy.import"].create({
                "kind": args.kind, "source_system": "Bench ERP", "filename": "bench.csv",
                "file": job.file, "chunk_size": args.chunk})
            start = time.perf_counter()
            rerun.action_preview()
            print(f"re-run preview: {time.perf_counter() - start:.1f} s, {rerun.link_row_count} rows linked, "
                  f"{rerun.create_row_count} to create, {rerun.reject_row_count} rejected")
            cr.rollback()


if __name__ == "__main__":
    main()
