from odoo.tests import tagged

from .report_common import CrmErpReportCommon

AMOUNTS = [
    "pipeline_amount", "quotation_amount", "backlog_amount", "recurring_amount", "revenue_amount",
    "cash_in_amount",
]


@tagged("post_install", "-at_install")
class TestReportForecast(CrmErpReportCommon):
    MODEL = "crm.erp.forecast.report"

    def _rows(self, record):
        return self.env[self.MODEL].search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def assertForecast(self, record, component, date, company=None, **amounts):
        row = self._rows(record)
        self.assertEqual(len(row), 1, record.display_name)
        self.assertEqual((row.component, row.date), (component, date))
        self.assertEqual(row.company_id, company or self.company_a)
        for field in AMOUNTS:
            self.assertAlmostEqual(row[field], amounts.get(field, 0.0), 2, f"{record.name} {field}")
        return row

    def test_pipeline_prorated_by_expected_closing(self):
        self.assertForecast(
            self.opp_open, "pipeline", self._days(100), pipeline_amount=4000.0, revenue_amount=4000.0
        )

    def test_quotation_weighted_by_team_conversion_rate(self):
        row = self.assertForecast(
            self.quote_eur, "quotation", self._days(30), quotation_amount=500.0, revenue_amount=500.0
        )
        self.assertAlmostEqual(row.conversion_rate, 0.5, 4)

    def test_backlog_by_commitment_date(self):
        self.assertForecast(
            self.order, "backlog", self._days(45), backlog_amount=500.0, revenue_amount=500.0
        )

    def test_backlog_leaves_invoiced_orders(self):
        self.order._create_invoices().action_post()
        self.env.flush_all()
        self.assertFalse(self._rows(self.order))

    def test_cash_in_uses_customer_days_to_pay(self):
        row = self.assertForecast(self.inv_recent, "cash_in", self._days(30), cash_in_amount=200.0)
        self.assertAlmostEqual(row.days_to_pay, 30.0, 2)

    def test_cash_in_late_invoices_expected_today(self):
        self.assertForecast(self.inv_partial, "cash_in", self.today, cash_in_amount=250.0)
        self.assertForecast(self.refund, "cash_in", self.today, cash_in_amount=-100.0)

    def test_cash_in_without_history_uses_due_date(self):
        row = self.assertForecast(self.inv_b, "cash_in", self._days(45), cash_in_amount=300.0)
        self.assertFalse(row.days_to_pay)

    def test_cash_in_other_company(self):
        # 1,000 EUR of company B in company A's currency (2 EUR per unit)
        self.assertForecast(
            self.inv_company_b, "cash_in", self._days(20), company=self.company_b, cash_in_amount=500.0
        )

    def test_paid_invoice_not_in_cash_in(self):
        self.assertFalse(self._rows(self.inv_eur))

    def test_monthly_components_are_summed(self):
        partners = (self.customer_a | self.customer_b).ids
        groups = self.env[self.MODEL]._read_group(
            [("partner_id", "in", partners), ("company_id", "=", self.company_a.id)],
            ["date:month"], [f"{f}:sum" for f in AMOUNTS],
        )
        expected = {}

        def add(day, **amounts):
            month = expected.setdefault(self._month(day), dict.fromkeys(AMOUNTS, 0.0))
            for key, value in amounts.items():
                month[key] += value

        add(self._days(100), pipeline_amount=4000.0, revenue_amount=4000.0)
        add(self._days(10), pipeline_amount=500.0, revenue_amount=500.0)
        add(self._days(30), quotation_amount=500.0, revenue_amount=500.0)
        add(self._days(45), backlog_amount=500.0, revenue_amount=500.0)
        add(self.today, cash_in_amount=250.0 - 100.0)
        add(self._days(30), cash_in_amount=200.0)
        add(self._days(45), cash_in_amount=300.0)
        got = {
            month: {field: round(value, 2) for field, value in zip(AMOUNTS, values, strict=True)}
            for month, *values in groups
        }
        self.assertEqual(got, expected)
        for values in got.values():
            self.assertAlmostEqual(
                values["revenue_amount"],
                values["pipeline_amount"] + values["quotation_amount"] + values["backlog_amount"]
                + values["recurring_amount"],
                2,
            )

    def test_forecast_by_month_in_constant_queries(self):
        report = self.env[self.MODEL].with_user(self.salesperson_a)
        report._read_group([], ["date:month"], ["revenue_amount:sum"])
        with self.assertQueryCount(2):
            report.invalidate_model()
            report._read_group([], ["date:month"], [f"{f}:sum" for f in AMOUNTS])
