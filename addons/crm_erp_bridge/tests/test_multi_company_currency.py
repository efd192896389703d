"""Receivables, credit check and timeline totals across companies in different currencies (issue 9).

Company A (currency of the test company, "USD" below) and company B in EUR; 1 USD = 2 EUR in both
companies' rates (company A: EUR rate 2.0; company B: EUR rate 1.0, USD rate 0.5). The customer has,
all open and untaxed:

* company A: invoice 400 USD due 40 days ago (overdue) and invoice 100 USD due in 10 days;
  confirmed order 200 USD; open opportunity with 2,000 USD expected revenue;
* company B: invoice 1,000 EUR due 20 days ago (overdue) = 500 USD; confirmed order 600 EUR = 300 USD;
  open opportunity with 400 EUR = 200 USD expected revenue.

Seen from company A: open receivable 400 + 100 + 500 = 1,000 USD, overdue 400 + 500 = 900 USD,
invoiced 1,000 USD, ordered 200 + 300 = 500 USD, pipeline 2,000 + 200 = 2,200 USD.
Seen from company B: open 800 + 200 + 1,000 = 2,000 EUR, overdue 800 + 1,000 = 1,800 EUR.
Without conversion the sums would be 1,500 / 1,400 (mixed currencies).
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestMultiCompanyCurrency(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.company_a = cls.env.company
        cls.usd = cls.company_a.currency_id
        cls.eur = cls.setup_other_currency("EUR", rates=[("1900-01-01", 2.0)])
        cls.company_b = cls.setup_other_company(name="Bridge Company B", currency_id=cls.eur.id)["company"]
        cls.env["res.currency.rate"].create([
            {"name": "1900-01-01", "rate": 1.0, "currency_id": cls.eur.id, "company_id": cls.company_b.id},
            {"name": "1900-01-01", "rate": 0.5, "currency_id": cls.usd.id, "company_id": cls.company_b.id},
        ])
        both = cls.company_a | cls.company_b
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=both.ids))
        cls.salesman = new_test_user(
            cls.env, login="bridge_mc_salesman", groups="sales_team.group_sale_salesman,account.group_account_invoice",
            company_id=cls.company_a.id, company_ids=[Command.set(both.ids)],
        )
        cls.salesman_a_only = new_test_user(
            cls.env, login="bridge_mc_salesman_a", groups="sales_team.group_sale_salesman",
            company_id=cls.company_a.id, company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.customer = cls.env["res.partner"].create({"name": "Bridge MC Customer", "is_company": True})
        cls.product = cls.env["product.product"].create({"name": "Bridge MC Service", "type": "service"})
        cls._invoice(cls.company_a, 400.0, due_days=-40)
        cls._invoice(cls.company_a, 100.0, due_days=10)
        cls._invoice(cls.company_b, 1000.0, due_days=-20)
        cls._order(cls.company_a, 200.0).action_confirm()
        cls._order(cls.company_b, 600.0).action_confirm()
        for company, revenue in ((cls.company_a, 2000.0), (cls.company_b, 400.0)):
            cls.env["crm.lead"].with_company(company).create({
                "name": f"MC opportunity {company.name}", "type": "opportunity", "partner_id": cls.customer.id,
                "company_id": company.id, "expected_revenue": revenue, "probability": 50.0,
                "user_id": cls.salesman.id,
            })

    @classmethod
    def _invoice(cls, company, amount, due_days):
        due = cls.today + timedelta(days=due_days)
        move = cls.env["account.move"].with_company(company).create({
            "move_type": "out_invoice", "partner_id": cls.customer.id, "invoice_date": min(due, cls.today),
            "invoice_date_due": due, "invoice_payment_term_id": False, "invoice_user_id": cls.salesman.id,
            "invoice_line_ids": [Command.create({
                "product_id": cls.product.id, "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()],
            })],
        })
        move.action_post()
        return move

    @classmethod
    def _order(cls, company, amount):
        return cls.env["sale.order"].with_company(company).create({
            "partner_id": cls.customer.id, "company_id": company.id, "user_id": cls.salesman.id,
            "order_line": [Command.create({
                "product_id": cls.product.id, "product_uom_qty": 1, "price_unit": amount, "tax_id": [Command.clear()],
            })],
        })

    def _figures(self, user, companies):
        env = self.env(user=user, context=dict(self.env.context, allowed_company_ids=companies.ids))
        return env["res.partner"].browse(self.customer.id)

    def test_receivables_converted_to_current_company_currency(self):
        partner = self._figures(self.salesman, self.company_a | self.company_b)
        self.assertEqual(partner.bridge_currency_id, self.usd)
        self.assertAlmostEqual(partner.bridge_open_receivable, 1000.0)
        self.assertAlmostEqual(partner.bridge_overdue_amount, 900.0)
        self.assertAlmostEqual(partner.bridge_invoiced_12m, 1000.0)
        self.assertEqual(partner.bridge_oldest_overdue_days, 40)

    def test_receivables_seen_from_the_eur_company(self):
        partner = self._figures(self.salesman, self.company_b | self.company_a)
        self.assertEqual(partner.bridge_currency_id, self.eur)
        self.assertAlmostEqual(partner.bridge_open_receivable, 2000.0)
        self.assertAlmostEqual(partner.bridge_overdue_amount, 1800.0)

    def test_receivables_restricted_to_allowed_companies(self):
        partner = self._figures(self.salesman_a_only, self.company_a)
        self.assertAlmostEqual(partner.bridge_open_receivable, 500.0)
        self.assertAlmostEqual(partner.bridge_overdue_amount, 400.0)

    def test_credit_check_uses_odoo_exposure_per_company(self):
        """The credit limit is per company and counts, as Odoo's own check does, that company's
        receivables (500 USD), its orders to invoice (200 USD) and the quotation, never company B's
        1,000 EUR invoice or 600 EUR order: limit 1,200 USD, a 200 USD quotation gives 900 and
        passes, a 600 USD one gives 1,300 and is blocked; the partner shows the same exposure."""
        self.company_a.write({
            "bridge_credit_block": True, "account_use_credit_limit": True,
            "bridge_overdue_amount_threshold": 1000.0, "bridge_overdue_days_threshold": 0,
        })
        self.customer.with_company(self.company_a).credit_limit = 1200.0
        order = self._order(self.company_a, 200.0).with_user(self.salesman)
        self.assertFalse(order._bridge_get_credit_block_reason())
        big_order = self._order(self.company_a, 600.0).with_user(self.salesman)
        self.assertIn("1,300.00", big_order._bridge_get_credit_block_reason())
        partner = self._figures(self.salesman, self.company_a | self.company_b)
        self.assertAlmostEqual(partner.bridge_credit_exposure, 700.0)
        self.assertAlmostEqual(partner.bridge_credit_usage, 700.0 / 12.0)

    def _totals(self, companies):
        env = self.env(user=self.salesman, context=dict(self.env.context, allowed_company_ids=companies.ids))
        return env["crm.erp.timeline"].get_timeline(self.customer.id)["totals"]

    def test_timeline_totals_converted(self):
        totals = self._totals(self.company_a | self.company_b)
        self.assertEqual(totals["currency_id"], self.usd.id)
        self.assertAlmostEqual(totals["invoiced"], 1000.0)
        self.assertAlmostEqual(totals["overdue"], 900.0)
        self.assertAlmostEqual(totals["ordered"], 500.0)
        self.assertAlmostEqual(totals["open_pipeline"], 2200.0)

    def test_timeline_totals_restricted_to_allowed_companies(self):
        totals = self._totals(self.company_a)
        self.assertAlmostEqual(totals["invoiced"], 500.0)
        self.assertAlmostEqual(totals["overdue"], 400.0)
        self.assertAlmostEqual(totals["ordered"], 200.0)
        self.assertAlmostEqual(totals["open_pipeline"], 2000.0)
