from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .report_common import CrmErpReportCommon

AMOUNTS = [
    "pipeline_amount", "quotation_amount", "backlog_amount", "recurring_amount", "revenue_amount",
    "cash_in_amount",
]
FORECAST = "crm.erp.forecast.report"
CAPACITY = "crm.erp.capacity.report"
CONVERSION = "crm.erp.quote.conversion.report"


@tagged("post_install", "-at_install")
class TestForecastFigures(CrmErpReportCommon):
    """Figures of the forecast, capacity input and conversion report on teams C and D.

    Company A weights by a team's rate from 5 decided quotations on, else at 30 %.

    * team C history: 3 confirmed orders (100 each, backlog), 1 cancelled, 1 expired quotation:
      rate 3 / 5 = 60 %; ``quote_c`` 1,000 without opportunity: 600 (team rate);
    * team D (1 cancelled, 1 expired quotation: too little history): ``quote_d`` 1,000: 300
      (default rate), ``quote_valid_today`` 1,000 valid until today: 300;
    * ``opp_deal`` 10,000 at 60 % (6,000 prorated) with ``quote_deal`` 8,000: 4,800 (its
      probability), no pipeline row: one deal counts once;
    * ``opp_cancelled`` 5,000 at 20 %, its only quotation cancelled: pipeline 1,000;
    * ``opp_expired`` 4,000 at 25 %, its only quotation expired yesterday: pipeline 1,000;
    * ``opp_no_customer`` 2,000 at 50 % without customer: pipeline 1,000.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.write({
            "bridge_forecast_min_closed_quotations": 5, "bridge_forecast_default_rate": 30.0,
        })
        cls.team_c = cls.env["crm.team"].create({"name": "Forecast Team C", "company_id": cls.company_a.id})
        cls.team_d = cls.env["crm.team"].create({"name": "Forecast Team D", "company_id": cls.company_a.id})
        cls.customer_c = cls.env["res.partner"].create({"name": "Forecast Customer C", "is_company": True})
        Lead = cls.env["crm.lead"]
        common = {"type": "opportunity", "company_id": cls.company_a.id, "team_id": cls.team_d.id,
                  "partner_id": cls.customer_c.id, "user_id": False}
        cls.opp_deal = Lead.create({
            **common, "name": "Forecast Deal", "expected_revenue": 10000.0, "probability": 60.0,
            "date_deadline": cls._days(50),
        })
        cls.opp_cancelled = Lead.create({
            **common, "name": "Forecast Cancelled Quote", "expected_revenue": 5000.0, "probability": 20.0,
            "date_deadline": cls._days(50),
        })
        cls.opp_expired = Lead.create({
            **common, "name": "Forecast Expired Quote", "expected_revenue": 4000.0, "probability": 25.0,
            "date_deadline": cls._days(50),
        })
        cls.opp_no_customer = Lead.create({
            **common, "name": "Forecast No Customer", "partner_id": False, "expected_revenue": 2000.0,
            "probability": 50.0, "date_deadline": cls._days(50),
        })

        def order(name, team, amount, **vals):
            return cls.env["sale.order"].create(cls._order_vals(
                name, [{"product_uom_qty": 1.0, "price_unit": amount}], partner_id=cls.customer_c.id,
                team_id=team.id, user_id=False, **vals,
            ))

        cls.won_c = order("FC-WON-1", cls.team_c, 100.0) | order("FC-WON-2", cls.team_c, 100.0) \
            | order("FC-WON-3", cls.team_c, 100.0)
        cls.won_c.action_confirm()
        order("FC-CANCEL-C", cls.team_c, 100.0)._action_cancel()
        cls.expired_c = order("FC-EXPIRED-C", cls.team_c, 100.0, validity_date=cls._days(-1))
        cls.quote_c = order("FC-QUOTE-C", cls.team_c, 1000.0, validity_date=cls._days(20))
        cls.quote_d = order("FC-QUOTE-D", cls.team_d, 1000.0, validity_date=cls._days(20))
        cls.quote_valid_today = order("FC-TODAY-D", cls.team_d, 1000.0, validity_date=cls.today)
        cls.quote_deal = order(
            "FC-DEAL", cls.team_d, 8000.0, validity_date=cls._days(40), opportunity_id=cls.opp_deal.id,
        )
        order("FC-DEAL-CANCEL", cls.team_d, 700.0, opportunity_id=cls.opp_cancelled.id)._action_cancel()
        cls.expired_deal = order(
            "FC-DEAL-EXPIRED", cls.team_d, 900.0, validity_date=cls._days(-1),
            opportunity_id=cls.opp_expired.id,
        )
        cls.env.flush_all()

    # ------------------------------------------------------------------
    def _rows(self, record, model=FORECAST):
        return self.env[model].search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def _revenue(self, records):
        return sum(self._rows(records).mapped("revenue_amount"))

    # --- one deal counts once -------------------------------------------
    def test_quotation_replaces_its_opportunity_pipeline(self):
        self.assertFalse(self._rows(self.opp_deal))
        row = self._rows(self.quote_deal)
        self.assertEqual((row.component, row.date), ("quotation", self._days(40)))
        self.assertAlmostEqual(row.quotation_amount, 4800.0, 2)
        self.assertAlmostEqual(self._revenue(self.opp_deal) + self._revenue(self.quote_deal), 4800.0, 2)

    def test_opportunity_back_in_pipeline_when_quotation_cancelled(self):
        row = self._rows(self.opp_cancelled)
        self.assertEqual((row.component, row.date), ("pipeline", self._days(50)))
        self.assertAlmostEqual(row.pipeline_amount, 1000.0, 2)
        self.assertAlmostEqual(row.revenue_amount, 1000.0, 2)

    def test_replacement_rule_is_overridable(self):
        for model in (FORECAST, CAPACITY):
            self.patch(
                self.env.registry[model], "_sql_opportunity_replaced_by_quotations", lambda self: SQL("FALSE")
            )
        self.assertAlmostEqual(self._rows(self.opp_deal).pipeline_amount, 6000.0, 2)
        self.assertAlmostEqual(self._rows(self.opp_deal, CAPACITY).pipeline_amount, 6000.0, 2)

    # --- expired quotations ------------------------------------------------
    def test_expired_quotation_drops_out_without_expiry_job(self):
        self.assertFalse(self.expired_c.bridge_is_expired)
        self.assertFalse(self._rows(self.expired_c))
        self.assertFalse(self._rows(self.expired_c, CAPACITY))

    def test_quotation_valid_today_still_counts(self):
        self.assertAlmostEqual(self._rows(self.quote_valid_today).quotation_amount, 300.0, 2)
        self.assertAlmostEqual(self._rows(self.quote_valid_today, CAPACITY).pipeline_qty, 0.3, 3)

    def test_opportunity_of_expired_quotation_back_in_pipeline(self):
        self.assertFalse(self._rows(self.expired_deal))
        self.assertAlmostEqual(self._rows(self.opp_expired).pipeline_amount, 1000.0, 2)

    # --- opportunities without customer -------------------------------------
    def test_opportunity_without_customer_counts(self):
        row = self._rows(self.opp_no_customer)
        self.assertEqual(row.component, "pipeline")
        self.assertAlmostEqual(row.pipeline_amount, 1000.0, 2)
        self.assertFalse(row.partner_id)
        self.assertEqual(row.customer_name, "No customer")
        self.assertEqual(self._rows(self.opp_cancelled).customer_name, "Forecast Customer C")

    # --- weighting -----------------------------------------------------------
    def test_quotation_weighted_by_team_rate_with_enough_history(self):
        row = self._rows(self.quote_c)
        self.assertEqual(row.weight_source, "team")
        self.assertAlmostEqual(row.conversion_rate, 0.6, 4)
        self.assertAlmostEqual(row.quotation_amount, 600.0, 2)

    def test_quotation_weighted_by_default_rate_without_history(self):
        row = self._rows(self.quote_d)
        self.assertEqual(row.weight_source, "default")
        self.assertAlmostEqual(row.quotation_amount, 300.0, 2)
        self.company_a.bridge_forecast_default_rate = 25.0
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertAlmostEqual(self._rows(self.quote_d).quotation_amount, 250.0, 2)

    def test_team_rate_needs_minimum_decided_quotations(self):
        self.company_a.bridge_forecast_min_closed_quotations = 6
        self.env.flush_all()
        row = self._rows(self.quote_c)
        self.assertEqual(row.weight_source, "default")
        self.assertAlmostEqual(row.quotation_amount, 300.0, 2)

    def test_quotation_of_opportunity_weighted_by_probability(self):
        row = self._rows(self.quote_deal)
        self.assertEqual(row.weight_source, "opportunity")
        self.assertAlmostEqual(row.conversion_rate, 0.6, 4)

    def test_invalid_weighting_settings_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"), self.env.cr.savepoint():
            self.company_a.bridge_forecast_default_rate = 120.0
        with self.assertRaisesRegex(ValidationError, "cannot be negative"), self.env.cr.savepoint():
            self.company_a.bridge_forecast_min_closed_quotations = -1

    # --- one conversion rate -------------------------------------------------
    def test_conversion_report_and_forecast_share_the_rate(self):
        self.env["sale.order"].browse(self.quote_c.id).action_quotation_sent()
        self.env.flush_all()
        [(rate,)] = self.env[CONVERSION]._read_group(
            [("team_id", "=", self.team_c.id)], [], ["conversion_rate:avg"]
        )
        self.assertAlmostEqual(rate, 60.0, 2)
        self.assertAlmostEqual(self._rows(self.quote_c).conversion_rate * 100, rate, 2)
        self.assertEqual(self.env[CONVERSION].search([("order_id", "=", self.expired_c.id)]).state, "expired")

    # --- recurring -----------------------------------------------------------
    def test_recurring_hidden_without_source(self):
        for view_type in ("list", "pivot", "search"):
            arch = self.env[FORECAST].get_view(view_type=view_type)["arch"]
            self.assertNotIn("recurring_amount", arch)
            self.assertNotIn("component_recurring", arch)
        self.assertNotIn("recurring_amount", self.env[FORECAST].fields_get())

    def test_recurring_shown_when_an_addon_provides_it(self):
        Report = self.env.registry[FORECAST]
        self.patch(Report, "_has_recurring_revenue_source", lambda self: True)
        self.assertIn("recurring_amount", self.env[FORECAST].get_view(view_type="list")["arch"])
        self.assertIn("recurring_amount", self.env[FORECAST].fields_get())

    # --- capacity input --------------------------------------------------------
    def test_capacity_shows_pipeline_without_quotation_by_team_and_month(self):
        groups = self.env[CAPACITY]._read_group(
            [("team_id", "in", (self.team_c | self.team_d).ids), ("component", "=", "opportunity")],
            ["team_id", "date:month"], ["pipeline_amount:sum"],
        )
        # opp_cancelled 1,000 + opp_expired 1,000 + opp_no_customer 1,000; opp_deal has a quotation
        self.assertEqual(
            [(team, month, round(amount, 2)) for team, month, amount in groups],
            [(self.team_d, self._month(self._days(50)), 3000.0)],
        )
        self.assertFalse(self._rows(self.opp_deal, CAPACITY))

    def test_capacity_quotation_lines_weighted_like_forecast(self):
        self.assertAlmostEqual(self._rows(self.quote_deal, CAPACITY).pipeline_qty, 0.6, 3)
        self.assertAlmostEqual(self._rows(self.quote_c, CAPACITY).pipeline_qty, 0.6, 3)
        self.assertAlmostEqual(self._rows(self.quote_d, CAPACITY).pipeline_qty, 0.3, 3)

    # --- drill-down -----------------------------------------------------------
    def test_every_cell_drills_down_to_its_documents(self):
        """Each (month, component) cell of teams C and D lists exactly its documents, once, and
        their amounts add up to the cell."""
        backlog_month = self._month(self.won_c[0].date_order.date())
        expected = [
            (self._days(50), "pipeline", {
                self.opp_cancelled: 1000.0, self.opp_expired: 1000.0, self.opp_no_customer: 1000.0,
            }),
            (self._days(20), "quotation", {self.quote_c: 600.0, self.quote_d: 300.0}),
            (self.today, "quotation", {self.quote_valid_today: 300.0}),
            (self._days(40), "quotation", {self.quote_deal: 4800.0}),
            (backlog_month, "backlog", dict.fromkeys(self.won_c, 100.0)),
        ]
        # a cell (month, component) may hold several of the groups above
        cells = {}
        for day, component, docs in expected:
            cells.setdefault((self._month(day), component), {}).update(docs)
        Report = self.env[FORECAST]
        domain = [("team_id", "in", (self.team_c | self.team_d).ids)]
        groups = Report._read_group(domain, ["date:month", "component"], ["revenue_amount:sum"])
        self.assertEqual({(m, c) for m, c, __ in groups}, set(cells))
        for month, component, total in groups:
            docs = cells[(month, component)]
            self.assertAlmostEqual(total, sum(docs.values()), 2)
            rows = Report.search(domain + [("component", "=", component)])
            rows = rows.filtered(lambda r, m=month: self._month(r.date) == m)
            self.assertEqual(
                sorted((r.res_model, r.res_id) for r in rows),
                sorted((d._name, d.id) for d in docs),
            )
            self.assertAlmostEqual(sum(rows.mapped("revenue_amount")), total, 2)
            action = rows.action_open_documents()
            opened = [action["res_id"]] if action.get("res_id") else action["domain"][0][2]
            self.assertEqual(sorted(opened), sorted(d.id for d in docs))
            for row in rows:
                self.assertAlmostEqual(row.revenue_amount, docs[self.env[row.res_model].browse(row.res_id)], 2)


@tagged("post_install", "-at_install")
class TestForecastCurrencies(CrmErpReportCommon):
    """Company A (currency X) and company B (EUR). EUR was 2 per X until 5 days ago, 4 per X
    since (company A's rates); for company B, X is worth 2 EUR, then 4 EUR, alike.

    Company B documents (team-less, company B weights at its default 30 %):
    * ``opp_b`` 3,000 EUR at 50 % = 1,500 EUR, at today's rate: 375 X;
    * ``quote_b`` 2,000 EUR ordered 10 days ago (order-date rate 2): 30 % = 600 EUR = 300 X;
    * ``inv_company_b`` 1,000 EUR invoiced 10 days ago (rate 2): 500 X.
    Company A's ``opp_open`` 4,000 X seen from company B: 16,000 EUR at today's rate.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.currency.rate"].create({
            "name": cls._days(-5), "rate": 4.0, "currency_id": cls.eur.id, "company_id": cls.company_a.id,
        })
        x = cls.company_a.currency_id
        cls.env["res.currency.rate"].create([
            {"name": "1900-01-01", "rate": 0.5, "currency_id": x.id, "company_id": cls.company_b.id},
            {"name": cls._days(-5), "rate": 0.25, "currency_id": x.id, "company_id": cls.company_b.id},
        ])
        cls.company_b.write({"bridge_forecast_default_rate": 30.0})
        cls.opp_b = cls.env["crm.lead"].create({
            "type": "opportunity", "name": "Forecast Opp B", "company_id": cls.company_b.id,
            "partner_id": cls.customer_b.id, "expected_revenue": 3000.0, "probability": 50.0,
            "date_deadline": cls._days(15), "team_id": False, "user_id": False,
        })
        pricelist_b = cls.env["product.pricelist"].create({
            "name": "Forecast EUR B", "currency_id": cls.eur.id, "company_id": cls.company_b.id,
        })
        cls.quote_b = cls.env["sale.order"].with_company(cls.company_b).create({
            "name": "FC-QUOTE-B", "pricelist_id": pricelist_b.id, "partner_id": cls.customer_b.id,
            "company_id": cls.company_b.id,
            "team_id": False, "user_id": False, "validity_date": cls._days(30),
            "date_order": cls._days(-10),
            "order_line": [Command.create({
                "product_id": cls.product.id, "tax_id": [Command.clear()], "product_uom_qty": 1.0,
                "price_unit": 2000.0,
            })],
        })
        cls.env.flush_all()

    def _row(self, record, company):
        companies = company | self.company_a | self.company_b
        env = self.env(context=dict(self.env.context, allowed_company_ids=companies.ids))
        return env[FORECAST].search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def test_company_b_figures_in_company_a_currency(self):
        expected = {
            self.opp_b: ("pipeline_amount", 375.0),
            self.quote_b: ("quotation_amount", 300.0),
            self.inv_company_b: ("cash_in_amount", 500.0),
        }
        for record, (field, amount) in expected.items():
            row = self._row(record, self.company_a)
            self.assertEqual(row.currency_id, self.company_a.currency_id)
            self.assertAlmostEqual(row[field], amount, 2, record.display_name)

    def test_company_a_figures_in_company_b_currency(self):
        row = self._row(self.opp_open, self.company_b)
        self.assertEqual(row.currency_id, self.eur)
        self.assertAlmostEqual(row.pipeline_amount, 16000.0, 2)
        self.assertAlmostEqual(self._row(self.opp_b, self.company_b).pipeline_amount, 1500.0, 2)
        self.assertAlmostEqual(self._row(self.inv_company_b, self.company_b).cash_in_amount, 1000.0, 2)

    def test_monthly_total_over_both_companies(self):
        Report = self.env[FORECAST]
        records = [self.opp_b, self.quote_b, self.inv_company_b, self.opp_open]
        total = sum(
            Report.search([("res_model", "=", r._name), ("res_id", "=", r.id)]).revenue_amount
            + Report.search([("res_model", "=", r._name), ("res_id", "=", r.id)]).cash_in_amount
            for r in records
        )
        # 375 + 300 + 500 (cash-in) + 4,000
        self.assertAlmostEqual(total, 5175.0, 2)
