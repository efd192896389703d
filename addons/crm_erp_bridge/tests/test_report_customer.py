from lxml import etree

from odoo.tests import tagged

from .report_common import CrmErpReportCommon

MEASURES = [
    "pipeline_amount", "quotation_amount", "ordered_amount", "invoiced_amount", "paid_amount",
    "overdue_amount", "warranty_cost", "margin_amount",
]


@tagged("post_install", "-at_install")
class TestReportCustomer(CrmErpReportCommon):
    MODEL = "crm.erp.customer.report"

    def assertRow(self, record, source, date, company=None, **amounts):
        row = self._row(self.MODEL, record)
        self.assertEqual(len(row), 1, record.display_name)
        self.assertEqual(row.source, source)
        self.assertEqual(row.date, date)
        self.assertEqual(row.partner_id, self.customer_a if record != self.inv_b else self.customer_b)
        self.assertEqual(row.company_id, company or self.company_a)
        self.assertEqual(row.currency_id, (company or self.company_a).currency_id)
        for measure in MEASURES:
            self.assertAlmostEqual(row[measure], amounts.get(measure, 0.0), 2, f"{record.name} {measure}")

    def test_open_opportunity_weighted_on_commercial_partner(self):
        self.assertRow(self.opp_open, "opportunity", self._days(100), pipeline_amount=4000.0)

    def test_won_and_lost_opportunities_left_out(self):
        self.assertFalse(self._row(self.MODEL, self.opp_won))
        self.assertFalse(self._row(self.MODEL, self.opp_lost))

    def test_open_quotation_in_company_currency(self):
        self.assertRow(
            self.quote_eur, "quotation", self.quote_eur.date_order.date(), quotation_amount=1000.0
        )

    def test_cancelled_quotation_left_out(self):
        self.assertFalse(self._row(self.MODEL, self.quote_cancel))

    def test_confirmed_order(self):
        self.assertRow(self.order, "order", self.order.date_order.date(), ordered_amount=500.0)

    def test_partially_paid_overdue_invoice(self):
        self.assertRow(
            self.inv_partial, "invoice", self._days(-90), invoiced_amount=400.0, paid_amount=150.0,
            overdue_amount=250.0, margin_amount=400.0 - 4 * 30.0,
        )

    def test_foreign_currency_invoice_paid(self):
        self.assertRow(
            self.inv_eur, "invoice", self._days(-80), invoiced_amount=300.0, paid_amount=300.0,
            margin_amount=300.0,
        )

    def test_credit_note_counts_negative(self):
        self.assertRow(
            self.refund, "invoice", self._days(-40), invoiced_amount=-100.0, overdue_amount=-100.0,
            margin_amount=-(100.0 - 30.0),
        )

    def test_invoice_not_yet_due(self):
        self.assertRow(
            self.inv_recent, "invoice", self.today, invoiced_amount=200.0, margin_amount=200.0 - 60.0
        )

    def test_other_company_invoice_in_its_currency(self):
        self.assertRow(
            self.inv_company_b, "invoice", self._days(-10), company=self.company_b,
            invoiced_amount=1000.0, margin_amount=1000.0,
        )

    def test_customer_totals_per_company(self):
        groups = self.env[self.MODEL]._read_group(
            [("partner_id", "=", self.customer_a.id)], ["company_id"], [f"{m}:sum" for m in MEASURES],
        )
        totals = {company: values for company, *values in groups}
        self.assertEqual(
            [round(v, 2) for v in totals[self.company_a]],
            [4000.0 + 500.0, 1000.0, 500.0, 800.0, 450.0, 150.0, 0.0, 280.0 + 300.0 - 70.0 + 140.0],
        )
        self.assertEqual(
            [round(v, 2) for v in totals[self.company_b]], [0.0, 0.0, 0.0, 1000.0, 0.0, 0.0, 0.0, 1000.0]
        )

    def test_monthly_trend_groups_by_document_date(self):
        groups = self.env[self.MODEL]._read_group(
            [("partner_id", "=", self.customer_a.id), ("company_id", "=", self.company_a.id)],
            ["date:month"], ["invoiced_amount:sum"],
        )
        expected = {}
        for move in self.inv_partial | self.inv_eur | self.refund | self.inv_recent:
            expected.setdefault(self._month(move.invoice_date), 0.0)
            expected[self._month(move.invoice_date)] += move.amount_untaxed_signed
        got = {month: amount for month, amount in groups if amount}
        self.assertEqual(got, expected)

    def test_drill_down_opens_the_document(self):
        row = self._row(self.MODEL, self.inv_partial).with_user(self.salesperson_a)
        action = row.action_open_documents()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", self.inv_partial.id))

    def test_drill_down_from_several_rows_lists_documents(self):
        rows = self.env[self.MODEL].with_user(self.salesperson_a).search([
            ("partner_id", "=", self.customer_a.id), ("source", "=", "invoice"),
            ("company_id", "=", self.company_a.id),
        ])
        action = rows.action_open_documents()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(
            sorted(action["domain"][0][2]),
            sorted((self.inv_partial | self.inv_eur | self.refund | self.inv_recent).ids),
        )

    def test_pivot_opens_by_customer_months_collapsed(self):
        """The pivot opens on one line per customer, months not expanded (one click away)."""
        arch = self.env[self.MODEL].get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        pivot = etree.fromstring(arch)
        self.assertEqual([f.get("name") for f in pivot.iterfind("field[@type='row']")], ["partner_id"])
        self.assertFalse(pivot.findall("field[@type='col']"))

    def test_invoice_margin_one_row_per_invoice_with_several_lines(self):
        """An invoice of several product lines stays one row; its margin sums its lines."""
        invoice = self.inv_partial.copy({"invoice_date": self._days(-5)})
        invoice.invoice_line_ids[:1].copy({"move_id": invoice.id, "quantity": 2})
        invoice.action_post()
        self.env.flush_all()  # the report is a view over the tables
        lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        self.assertEqual(len(lines), 2)
        cost = sum(line.quantity * line.product_id.with_company(invoice.company_id).standard_price
                   for line in lines)
        self.assertRow(
            invoice, "invoice", self._days(-5), invoiced_amount=invoice.amount_untaxed_signed,
            overdue_amount=0.0 if invoice.invoice_date_due >= self.today else invoice.amount_residual_signed,
            margin_amount=-sum(lines.mapped("balance")) - cost,
        )
