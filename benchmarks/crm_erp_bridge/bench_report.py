#!/usr/bin/env python3
"""Benchmark of the crm_erp_bridge management reports (issue 6).

Creates a throw-away database from the ``suite_bench_tpl`` template, installs crm_erp_bridge, generates
open opportunities, sales orders (half quotations, half confirmed, one line each) and posted customer
invoices (a third paid, with reconciliations so customers have a payment history) by cloning a
template document of each kind in SQL (the invoices' stored margin set by the bridge's backfill
statement, timed), then measures:

* the combined forecast by month (``crm.erp.forecast.report``, all components) as a manager and
  as a salesperson (record rules), the customer report by customer (its pivot's default grouping,
  all its measures) and by customer and month (months expanded), the capacity input by category
  and month; next to it, on the same data, what Odoo offers today: ``sale.report`` by month and
  by customer, the pipeline forecast (``crm.lead`` prorated revenue by expected closing month)
  and the receivables by due month (``account.move.line``); printed side by side at the end;
* the XLSX export of 100,000 document rows (forecast export restricted to the pipeline: one
  summary sheet with a chart + one 100,000-row sheet), in a fresh process, time and peak RSS; next
  to it Odoo's list export path (``export_data`` + in-memory xlsxwriter, 8 columns) of the same
  100,000 opportunities.

Usage (2 cores, ~10 minutes with the default sizes; after ``python benchmarks/make_template.py``)::

    python benchmarks/crm_erp_bridge/bench_report.py [--config CONFIG] [--template suite_bench_tpl] \
        [--db bridge_rep_bench] [--size 100000] [--keep]

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
from bench_tools import median_ms, peak_rss_mb

PYTHON = sys.executable


def odoo_env(config, db):
    odoo = bench_env.parse_odoo_config(config, db, bench_env.LOG_WARN)
    return odoo, odoo.modules.registry.Registry(db)


def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id'"
        " ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def clone(cr, table, template_where, count, overrides, extra_from=""):
    """INSERT ``count`` copies of the row of ``table`` matching ``template_where`` with column
    ``overrides`` (SQL expressions on ``t`` = template and ``g`` = 1..count)."""
    cols = columns(cr, table)
    exprs = [overrides.get(col, f't."{col}"') for col in cols]
    cr.execute(
        f"""INSERT INTO "{table}" ({", ".join(f'"{c}"' for c in cols)})
            SELECT {", ".join(exprs)}
              FROM (SELECT * FROM "{table}" WHERE {template_where} LIMIT 1) t
             CROSS JOIN generate_series(1, {int(count)}) g {extra_from}"""
    )


def generate(config, db, size):
    odoo, registry = odoo_env(config, db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        customer = env["res.partner"].create({"name": "Bench Template Customer", "is_company": True})
        product = env["product.product"].create({
            "name": "Bench Product", "type": "consu", "list_price": 100.0, "standard_price": 60.0,
            "invoice_policy": "order",
        })
        order = env["sale.order"].create({
            "partner_id": customer.id,
            "order_line": [odoo.Command.create({"product_id": product.id, "product_uom_qty": 1, "price_unit": 100})],
        })
        order.action_confirm()
        invoice = env["account.move"].create({
            "move_type": "out_invoice", "partner_id": customer.id,
            "invoice_line_ids": [odoo.Command.create({"product_id": product.id, "price_unit": 100, "tax_ids": []})],
        })
        invoice.action_post()
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        stage = env["crm.stage"].search([("is_won", "=", False)], limit=1)
        lead = env["crm.lead"].create({
            "name": "Bench template", "type": "opportunity", "partner_id": customer.id,
            "stage_id": stage.id, "expected_revenue": 1000, "probability": 50,
        })
        teams = env["crm.team"].search([("company_id", "in", [company.id, False])]).ids
        users = env.ref("sales_team.group_sale_salesman").users.filtered(lambda u: not u.share).ids
        env.flush_all()
        ncust = max(size // 20, 10)
        teams_sql = f"(ARRAY{teams})[1 + g % {len(teams)}]"
        users_sql = f"(ARRAY{users})[1 + g % {len(users)}]"

        clone(cr, "res_partner", f"id = {customer.id}", ncust, {
            "name": "'Bench Customer ' || g", "complete_name": "'Bench Customer ' || g",
        })
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE name LIKE 'Bench Customer %%'")
        cr.execute("SELECT min(id) FROM res_partner WHERE name LIKE 'Bench Customer %%'")
        first_partner = cr.fetchone()[0]
        partner_sql = f"({first_partner} + g % {ncust})"

        clone(cr, "crm_lead", f"id = {lead.id}", size, {
            "name": "'Bench opportunity ' || g", "partner_id": partner_sql,
            "expected_revenue": "1000 + g % 9000", "probability": "(g % 90) + 5",
            "prorated_revenue": "round((1000 + g % 9000) * ((g % 90) + 5) / 100.0, 2)",
            "date_deadline": "CURRENT_DATE + (g % 540)", "team_id": teams_sql, "user_id": users_sql,
        })

        clone(cr, "sale_order", f"id = {order.id}", size, {
            "name": "'BENCH-SO-' || g", "partner_id": partner_sql, "partner_invoice_id": partner_sql,
            "partner_shipping_id": partner_sql,
            "state": "CASE WHEN g % 2 = 0 THEN 'sale' WHEN g % 4 = 1 THEN 'draft' "
                     "WHEN g % 8 = 3 THEN 'sent' ELSE 'cancel' END",
            "date_order": "now() - make_interval(days => g % 300)",
            "validity_date": "CURRENT_DATE + (g % 60)",
            "commitment_date": "CASE WHEN g % 3 = 0 THEN now() + make_interval(days => g % 200) END",
            "amount_untaxed": "100 + g % 1000", "amount_total": "100 + g % 1000",
            "team_id": teams_sql, "user_id": users_sql,
        })
        # the clones below find their parent by name: index it (Odoo's index on it is partial or trigram)
        cr.execute("CREATE INDEX bench_sale_order_name ON sale_order (name)")
        cr.execute("ANALYZE sale_order")
        clone(
            cr, "sale_order_line", f"order_id = {order.id}", size,
            {
                "order_id": "so.id", "order_partner_id": "so.partner_id", "state": "so.state",
                "product_uom_qty": "1 + g % 10", "price_subtotal": "so.amount_untaxed",
                "price_total": "so.amount_untaxed", "qty_delivered": "0", "qty_invoiced": "0",
                "untaxed_amount_to_invoice": "CASE WHEN so.state = 'sale' THEN so.amount_untaxed ELSE 0 END",
                "customer_lead": "g % 30", "salesman_id": "so.user_id",
            },
            extra_from="JOIN sale_order so ON so.name = 'BENCH-SO-' || g",
        )

        paid = "(g % 3 = 0)"
        clone(cr, "account_move", f"id = {invoice.id}", size, {
            "name": "'BENCH/INV/' || g", "partner_id": partner_sql, "commercial_partner_id": partner_sql,
            "invoice_date": "CURRENT_DATE - (g % 200)", "date": "CURRENT_DATE - (g % 200)",
            "invoice_date_due": "CURRENT_DATE - (g % 200) + 30",
            "amount_untaxed_signed": "100 + g % 900", "amount_total_signed": "100 + g % 900",
            "amount_untaxed": "100 + g % 900", "amount_total": "100 + g % 900",
            "amount_residual_signed": f"CASE WHEN {paid} THEN 0 ELSE 100 + g % 900 END",
            "amount_residual": f"CASE WHEN {paid} THEN 0 ELSE 100 + g % 900 END",
            "payment_state": f"CASE WHEN {paid} THEN 'paid' ELSE 'not_paid' END",
            "team_id": teams_sql, "invoice_user_id": users_sql,
        })
        cr.execute("CREATE INDEX bench_account_move_name ON account_move (name)")
        cr.execute("ANALYZE account_move")
        for kind, sign in (("product", -1), ("payment_term", 1)):
            clone(
                cr, "account_move_line",
                f"move_id = {invoice.id} AND display_type = '{kind}'", size,
                {
                    "move_id": "m.id", "partner_id": "m.partner_id", "date": "m.date",
                    "balance": f"{sign} * m.amount_total_signed", "amount_currency": f"{sign} * m.amount_total_signed",
                    "debit": "GREATEST(%s * m.amount_total_signed, 0)" % sign,
                    "credit": "GREATEST(%s * m.amount_total_signed, 0)" % -sign,
                    "amount_residual": "m.amount_residual_signed" if kind == "payment_term" else "0",
                    "price_subtotal": "m.amount_untaxed_signed", "price_total": "m.amount_total_signed",
                    "reconciled": "m.payment_state = 'paid'" if kind == "payment_term" else "false",
                },
                extra_from="JOIN account_move m ON m.name = 'BENCH/INV/' || g",
            )
        clone(
            cr, "account_partial_reconcile",
            f"debit_move_id IN (SELECT id FROM account_move_line WHERE move_id = {invoice.id})",
            size // 3,
            {
                "debit_move_id": "aml.id", "amount": "m.amount_total_signed",
                "debit_amount_currency": "m.amount_total_signed", "credit_amount_currency": "m.amount_total_signed",
                "max_date": "m.invoice_date + (g % 60)",
            },
            extra_from="JOIN account_move m ON m.name = 'BENCH/INV/' || (g * 3) "
            "JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'payment_term'",
        )
        cr.execute("DROP INDEX bench_sale_order_name")
        cr.execute("DROP INDEX bench_account_move_name")
        # the cloned invoices carry the template's stored margin: store theirs with the statement
        # that backfills the invoices posted before the bridge was installed (timed)
        start = time.perf_counter()
        env["account.move"]._bridge_store_all_margins()
        margin_backfill_s = round(time.perf_counter() - start, 2)
        cr.execute("ANALYZE")
        cr.commit()
        # the forecast is a per-request query (amounts in the current company's currency), not a view
        forecast_rows = env["crm.erp.forecast.report"].search_count([])
        print(json.dumps({"generated": size, "customers": ncust, "forecast_rows": forecast_rows,
                          "invoice_margin_backfill_s": margin_backfill_s}))


def timed(func, runs=5):
    """Median of ``runs`` calls after a warm-up call (plans, caches), in ms rounded to 0.1."""
    func()
    return round(median_ms(func, runs), 1)


def measure(config, db):
    odoo, registry = odoo_env(config, db)
    results = {}
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        salesman = env.ref("sales_team.group_sale_salesman").users.filtered(
            lambda u: not u.share and not u.has_group("crm_erp_bridge.group_crm_erp_bridge_manager")
            and not u.has_group("sales_team.group_sale_manager")
        )[:1]
        if not salesman:
            salesman = env["res.users"].create({
                "name": "Bench Salesman", "login": "bench_salesman",
                "groups_id": [odoo.Command.link(env.ref("sales_team.group_sale_salesman").id)],
            })
            env["crm.team"].search([], limit=1).member_ids = [odoo.Command.link(salesman.id)]
        forecast_aggs = [
            "pipeline_amount:sum", "quotation_amount:sum", "backlog_amount:sum", "recurring_amount:sum",
            "revenue_amount:sum", "cash_in_amount:sum",
        ]

        def run(user, model, groupby, aggs, domain=()):
            def call():
                report = env[model].with_user(user)
                report.invalidate_model()
                report._read_group(list(domain), groupby, aggs)
            return call

        results["forecast_by_month_manager_ms"] = timed(
            run(admin, "crm.erp.forecast.report", ["date:month"], forecast_aggs))
        results["forecast_by_month_salesperson_ms"] = timed(
            run(salesman, "crm.erp.forecast.report", ["date:month"], forecast_aggs))
        # every measure of the customer report (its registry: those of the installed addons)
        customer_aggs = [f"{name}:sum" for name in env["crm.erp.customer.report"]._report_measures()]
        results["customer_report_by_customer_ms"] = timed(run(
            admin, "crm.erp.customer.report", ["partner_id"], customer_aggs))
        results["customer_report_by_customer_month_ms"] = timed(run(
            admin, "crm.erp.customer.report", ["partner_id", "date:month"], customer_aggs))
        results["capacity_by_category_month_ms"] = timed(run(
            admin, "crm.erp.capacity.report", ["categ_id", "date:month"],
            ["backlog_qty:sum", "pipeline_qty:sum"]))
        # What Odoo offers today, on the same data
        results["odoo_sale_report_by_month_ms"] = timed(run(
            admin, "sale.report", ["date:month"], ["price_subtotal:sum"]))
        results["odoo_sale_report_by_customer_ms"] = timed(run(
            admin, "sale.report", ["partner_id"], ["price_subtotal:sum"]))
        results["odoo_pipeline_by_closing_month_ms"] = timed(run(
            admin, "crm.lead", ["date_deadline:month"], ["prorated_revenue:sum"],
            [("type", "=", "opportunity")]))
        results["odoo_receivables_by_due_month_ms"] = timed(run(
            admin, "account.move.line", ["date_maturity:month"], ["amount_residual:sum"],
            [("account_type", "=", "asset_receivable"), ("parent_state", "=", "posted"),
             ("reconciled", "=", False)]))
        cr.rollback()
    print(json.dumps(results))
    odoo_three = (results["odoo_sale_report_by_month_ms"] + results["odoo_pipeline_by_closing_month_ms"]
                  + results["odoo_receivables_by_due_month_ms"])
    side_by_side = [
        ("Combined forecast by month, manager", results["forecast_by_month_manager_ms"],
         "sale.report by month + pipeline by closing month + receivables by due month", odoo_three),
        ("Combined forecast by month, salesperson", results["forecast_by_month_salesperson_ms"],
         "the same three answers (as a manager)", odoo_three),
        ("Customer report, pivot default (by customer)", results["customer_report_by_customer_ms"],
         "sale.report by customer", results["odoo_sale_report_by_customer_ms"]),
        ("Customer report by customer x month (expanded)", results["customer_report_by_customer_month_ms"],
         "sale.report by customer", results["odoo_sale_report_by_customer_ms"]),
        ("Capacity input by category and month", results["capacity_by_category_month_ms"],
         "sale.report by month", results["odoo_sale_report_by_month_ms"]),
    ]
    print(f"{'this suite':<52} {'ms':>9}   {'Odoo, same data':<78} {'ms':>9}")
    for label, ours, odoo_label, theirs in side_by_side:
        print(f"{label:<52} {ours:>9.1f}   {odoo_label:<78} {theirs:>9.1f}")


def export(config, db, mode):
    """Run one export in this (fresh) process; print time and peak RSS."""
    odoo, registry = odoo_env(config, db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin_env = env(user=env.ref("base.user_admin"))
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        if mode == "bridge":
            __, content = admin_env["crm.erp.report.xlsx"]._export_xlsx(
                "forecast", [("component", "=", "pipeline")]
            )
            size = len(content)
            rows = admin_env["crm.erp.forecast.report"].search_count([("component", "=", "pipeline")])
        else:
            import io

            import xlsxwriter

            fields = ["name", "partner_id", "team_id", "user_id", "date_deadline", "expected_revenue",
                      "probability", "prorated_revenue"]
            leads = admin_env["crm.lead"].search([("type", "=", "opportunity")])
            data = leads.export_data(fields)["datas"]
            output = io.BytesIO()
            workbook = xlsxwriter.Workbook(output, {"in_memory": True})
            sheet = workbook.add_worksheet()
            for col, name in enumerate(fields):
                sheet.write(0, col, name)
            for row, values in enumerate(data, start=1):
                for col, value in enumerate(values):
                    sheet.write(row, col, value)
            workbook.close()
            size = len(output.getvalue())
            rows = len(data)
        elapsed = time.perf_counter() - start
        rss_peak = peak_rss_mb()
    print(json.dumps({
        f"{mode}_export_rows": rows, f"{mode}_export_s": round(elapsed, 2),
        f"{mode}_export_peak_rss_mb": round(rss_peak), f"{mode}_export_rss_increase_mb": round(rss_peak - rss_before),
        f"{mode}_export_file_kb": size // 1024,
    }))


def main():
    parser = argparse.ArgumentParser()
    bench_env.add_db_arguments(parser, "bridge_rep_bench")
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--step", choices=["all", "generate", "measure", "export"], default="all")
    parser.add_argument("--mode", default="bridge")
    args = parser.parse_args()
    if args.step == "generate":
        return generate(args.config, args.db, args.size)
    if args.step == "measure":
        return measure(args.config, args.db)
    if args.step == "export":
        return export(args.config, args.db, args.mode)

    me = [PYTHON, os.path.abspath(__file__), "--config", args.config, "--db", args.db]
    with bench_env.throwaway_database(args, "crm_erp_bridge", bench_env.LOG_WARN):
        start = time.perf_counter()
        subprocess.run(me + ["--step", "generate", "--size", str(args.size)], check=True)
        print(json.dumps({"generation_s": round(time.perf_counter() - start, 1)}))
        subprocess.run(me + ["--step", "measure"], check=True)
        exports = {}
        for mode in ("bridge", "odoo_list"):
            out = subprocess.run(me + ["--step", "export", "--mode", mode], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
            print(out, end="")
            exports.update(json.loads(out.strip().splitlines()[-1]))
        for mode, label in (("bridge", "this suite's XLSX export"), ("odoo_list", "Odoo's list export")):
            rows, seconds = exports[f"{mode}_export_rows"], exports[f"{mode}_export_s"]
            print(f"{label:<26} {rows:>7} rows  {seconds:>6.2f} s  {rows / max(seconds, 0.001):>8.0f} rows/s  "
                  f"peak RSS {exports[f'{mode}_export_peak_rss_mb']:>4} MB")

if __name__ == "__main__":
    main()
