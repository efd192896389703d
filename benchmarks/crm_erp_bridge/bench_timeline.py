#!/usr/bin/env python3
"""Benchmark of the customer 360° timeline (crm_erp_bridge).

Creates a throw-away database from a template, installs crm_erp_bridge,
generates customers with 1,000 / 10,000 / 100,000 documents (a quarter each
of opportunities, sales orders, posted invoices and chatter e-mails) and
measures, per customer, the first timeline page (the events; the screen asks for the
totals, exact sums over the whole history, in a request of their own, measured on its
own line) and, side by side, what Odoo needs for the same history: the partner form,
its sales order list and its chatter, and the three together. Figures are medians of
several warm runs (registry caches warm, record cache cold, as for a new request).

Usage (after ``python benchmarks/make_template.py``)::

    python benchmarks/crm_erp_bridge/bench_timeline.py --db bridge_core_bench [-c CONFIG] \
        [--template suite_bench_tpl] [--sizes 1000 10000 100000] [--runs 7] [--keep]

CONFIG defaults to ``$ODOO_RC``, else ``benchmarks/.bench-odoo.conf``; its addons path is replaced by
Odoo's addons plus a snapshot of this repository's ``addons/``.
"""

# pylint: disable=print-used
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo
from bench_tools import clone_rows

import odoo
from odoo import api
from odoo.tools import SQL


def parse_args():
    return bench_env.size_series_parser(__doc__.split("\n")[0], [1000, 10000, 100000], 7).parse_args()


def clone(cr, table, seed_id, count, overrides):
    """Copy row ``seed_id`` of ``table`` ``count`` times (g = 1..count); returns the new ids."""
    return clone_rows(cr, table, SQL("t.id = %s", seed_id), count, overrides, returning=True)


def make_customer(env, size):
    """A customer with ``size`` documents, seeded by the ORM, cloned in SQL."""
    partner = env["res.partner"].create({"name": f"Bench Customer {size}", "is_company": True})
    env["res.partner"].create({"name": f"Bench Contact {size}", "parent_id": partner.id})
    product = env["product.product"].create({"name": f"Bench product {size}", "type": "service"})
    lead = env["crm.lead"].create({"name": "Seed deal", "type": "opportunity", "partner_id": partner.id,
                                   "expected_revenue": 1000})
    order = env["sale.order"].create({"partner_id": partner.id, "order_line": [
        (0, 0, {"product_id": product.id, "price_unit": 100})]})
    order.action_confirm()
    invoice = env["account.move"].create({"move_type": "out_invoice", "partner_id": partner.id,
                                          "invoice_date": "2024-01-01", "invoice_line_ids": [
                                              (0, 0, {"product_id": product.id, "price_unit": 100})]})
    invoice.action_post()
    message = lead.message_post(body="Seed e-mail", message_type="email", author_id=partner.id)
    env.flush_all()
    cr = env.cr
    quarter = size // 4
    spread = "now() at time zone 'UTC' - (g || ' minutes')::interval"
    lead_ids = clone(cr, "crm_lead", lead.id, quarter, {"name": "'Deal ' || g", "create_date": spread})
    clone(cr, "sale_order", order.id, quarter, {
        "name": "'BENCH-SO-' || g", "create_date": spread, "date_order": spread,
        "state": "CASE WHEN mod(g, 2) = 0 THEN 'sale' ELSE 'draft' END"})
    clone(cr, "account_move", invoice.id, quarter, {
        "name": f"'BENCH/{size}/' || g", "invoice_date": "current_date - mod(g, 1500)",
        "date": "current_date - mod(g, 1500)", "invoice_date_due": "current_date - mod(g, 1500)",
        "sequence_number": "g", "inalterable_hash": "NULL", "secure_sequence_number": "NULL"})
    cr.execute(SQL(
        """
        INSERT INTO mail_message (model, res_id, message_type, body, author_id, date, create_date,
                                  subtype_id, record_name, email_from)
        SELECT 'crm.lead', l.id, 'email', m.body, m.author_id,
               now() at time zone 'UTC' - (l.n || ' minutes')::interval, now() at time zone 'UTC',
               m.subtype_id, 'Deal', m.email_from
          FROM unnest(%s::int[]) WITH ORDINALITY AS l(id, n), mail_message m
         WHERE m.id = %s
        """,
        lead_ids[:quarter], message.id,
    ))
    cr.execute("ANALYZE")
    return partner.id


def measure(registry, uid, func, runs):
    timings, counts = [], []
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {"lang": "en_US", "tz": "UTC"})
        func(env)  # warm registry caches
        for _i in range(runs):
            env.invalidate_all()
            env.transaction.clear()
            count0 = cr.sql_log_count
            start = time.perf_counter()
            func(env)
            timings.append((time.perf_counter() - start) * 1000)
            counts.append(cr.sql_log_count - count0)
        cr.rollback()
    return statistics.median(timings), max(counts)


def screens(partner_id):
    """Functions reproducing what each screen reads."""

    def timeline(env):
        # what the screen asks first: the page of events; the totals come in their own request
        env["crm.erp.timeline"].get_timeline_data(partner_id, with_totals=False)

    def timeline_totals(env):
        env["crm.erp.timeline"].get_timeline_totals(partner_id)

    def partner_form(env):
        Partner = env["res.partner"]
        views = Partner.get_views([(False, "form")])
        spec = {}
        for fname in views["models"]["res.partner"]["fields"]:
            field = Partner._fields.get(fname)
            if field is None:
                continue
            spec[fname] = {"fields": {"display_name": {}}} if field.relational else {}
        Partner.browse(partner_id).web_read(spec)

    def order_list(env):
        env["sale.order"].web_search_read(
            [("partner_id", "child_of", partner_id)],
            {"name": {}, "date_order": {}, "partner_id": {"fields": {"display_name": {}}},
             "user_id": {"fields": {"display_name": {}}}, "amount_total": {}, "currency_id": {},
             "state": {}, "invoice_status": {}},
            limit=80, count_limit=10001,
        )

    def chatter(env):
        from odoo.addons.mail.tools.discuss import Store
        res = env["mail.message"]._message_fetch(
            [("res_id", "=", partner_id), ("model", "=", "res.partner"),
             ("message_type", "!=", "user_notification")], limit=30)
        Store(res["messages"], for_current_user=True).get_result()

    return {"timeline page": timeline, "timeline totals": timeline_totals, "partner form": partner_form,
            "order list": order_list, "chatter": chatter}


ODOO_SCREENS = ("partner form", "order list", "chatter")


def measure_all(args, registry):
    customers = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        for size in args.sizes:
            started = time.perf_counter()
            customers[size] = make_customer(env, size)
            cr.commit()
            print(f"generated customer with {size} documents in {time.perf_counter() - started:.1f}s", flush=True)
    admin = 2
    print(f"\n{'documents':>10} | {'screen':<28} | {'median ms':>9} | {'queries':>7}")
    print("-" * 66)
    pages = {}
    for size, partner_id in customers.items():
        results = {}
        for name, func in screens(partner_id).items():
            results[name] = measure(registry, admin, func, args.runs)
            print(f"{size:>10} | {name:<28} | {results[name][0]:>9.1f} | {results[name][1]:>7}", flush=True)
        odoo_ms = sum(results[name][0] for name in ODOO_SCREENS)
        odoo_queries = sum(results[name][1] for name in ODOO_SCREENS)
        print(f"{size:>10} | {'Odoo three screens together':<28} | {odoo_ms:>9.1f} | {odoo_queries:>7}")
        pages[size] = results["timeline page"][0]
    smallest, largest = min(pages), max(pages)
    if smallest != largest:
        growth = 100 * (pages[largest] / pages[smallest] - 1)
        print(f"\ntimeline page from {smallest} to {largest} documents: {pages[smallest]:.1f} -> "
              f"{pages[largest]:.1f} ms ({growth:+.0f}%)")


def main():
    args = parse_args()
    with bench_env.addons_snapshot("bench_timeline_") as addons:
        addons_path = bench_env.odoo_addons_path(addons)
        with bench_env.throwaway_registry(args, "crm_erp_bridge", "--addons-path", addons_path, "--no-http",
                                          config_options=("--addons-path", addons_path)) as registry:
            measure_all(args, registry)


if __name__ == "__main__":
    main()
