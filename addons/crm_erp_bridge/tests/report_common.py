from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CrmErpReportCommon(AccountTestInvoicingCommon):
    """Documents with known amounts for the management reports.

    Company A (the test company, currency X) with EUR at 2 EUR per X, company B in EUR.
    Customer A (team A, salesperson A) and customer B; all dates relative to today so that
    the "last 365 days" measures (conversion rate, days to pay) see them.

    Expected figures (company A currency):
    * opportunity ``opp_open``: 10,000 x 40 % = 4,000 (won/lost/other-team ones aside);
    * quotation ``quote_eur``: 2 dozen x 1,000 EUR = 2,000 EUR = 1,000; ``quote_cancel`` cancelled;
    * order ``order``: 10 units x 50 = 500 confirmed, nothing delivered nor invoiced;
    * team A conversion rate 1 confirmed / 2 decided = 50 % (company A weights a quotation by
      its team's rate from 2 decided quotations on);
    * invoice ``inv_partial`` 4 x 100 = 400, 150 paid, due 60 days ago: 250 overdue;
      ``inv_eur`` 600 EUR = 300, paid 50 days ago 30 days after its date (customer A pays in
      30 days); ``refund`` 1 x 100 = -100 open; ``inv_recent`` 2 x 100 = 200 due in 60 days;
      ``inv_b`` 300 for customer B (no payment history) due in 45 days; ``inv_company_b``
      1,000 EUR in company B for customer A, due in 20 days.
    Product cost 30 per unit.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.company_a = cls.env.company
        cls.company_a.bridge_forecast_min_closed_quotations = 2
        cls.eur = cls.setup_other_currency("EUR", rates=[("1900-01-01", 2.0)])
        cls.company_b = cls.setup_other_company(name="Report Company B", currency_id=cls.eur.id)["company"]
        companies = cls.company_a | cls.company_b
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=companies.ids))
        cls.salesperson_a = new_test_user(
            cls.env, login="report_sales_a", name="Report Salesperson A",
            groups="sales_team.group_sale_salesman", company_id=cls.company_a.id,
            company_ids=[Command.set(companies.ids)],
        )
        cls.salesperson_b = new_test_user(
            cls.env, login="report_sales_b", name="Report Salesperson B",
            groups="sales_team.group_sale_salesman", company_id=cls.company_a.id,
        )
        cls.report_manager = new_test_user(
            cls.env, login="report_manager", name="Report Manager",
            groups="sales_team.group_sale_salesman,crm_erp_bridge.group_crm_erp_bridge_manager",
            company_id=cls.company_a.id, company_ids=[Command.set(companies.ids)],
        )
        cls.internal_user = new_test_user(
            cls.env, login="report_internal", name="Report Internal", groups="base.group_user",
        )
        cls.team_a = cls.env["crm.team"].create({
            "name": "Report Team A", "company_id": cls.company_a.id,
            "member_ids": [Command.set(cls.salesperson_a.ids)],
        })
        cls.team_b = cls.env["crm.team"].create({
            "name": "Report Team B", "company_id": cls.company_a.id,
            "member_ids": [Command.set(cls.salesperson_b.ids)],
        })
        cls.customer_a = cls.env["res.partner"].create({"name": "Report Customer A", "is_company": True})
        cls.contact_a = cls.env["res.partner"].create({"name": "Report Contact A", "parent_id": cls.customer_a.id})
        cls.customer_b = cls.env["res.partner"].create({"name": "Report Customer B", "is_company": True})
        cls.category = cls.env["product.category"].create({"name": "Report Category"})
        cls.product = cls.env["product.product"].create({
            "name": "Report Product", "type": "consu", "categ_id": cls.category.id,
            "list_price": 100.0, "standard_price": 30.0, "invoice_policy": "order",
            "taxes_id": [Command.clear()],
        })
        cls._create_opportunities()
        cls._create_orders()
        cls._create_invoices()

    @classmethod
    def _days(cls, days):
        return cls.today + timedelta(days=days)

    @classmethod
    def _create_opportunities(cls):
        Lead = cls.env["crm.lead"]
        common = {"type": "opportunity", "company_id": cls.company_a.id}
        cls.opp_open = Lead.create({
            **common, "name": "Report Opp Open", "partner_id": cls.contact_a.id,
            "expected_revenue": 10000.0, "probability": 40.0, "date_deadline": cls._days(100),
            "team_id": cls.team_a.id, "user_id": cls.salesperson_a.id,
        })
        cls.opp_won = Lead.create({
            **common, "name": "Report Opp Won", "partner_id": cls.customer_a.id,
            "expected_revenue": 7000.0, "probability": 90.0, "team_id": cls.team_a.id,
            "user_id": cls.salesperson_a.id,
        })
        cls.opp_won.action_set_won()
        cls.opp_lost = Lead.create({
            **common, "name": "Report Opp Lost", "partner_id": cls.customer_a.id,
            "expected_revenue": 5000.0, "probability": 20.0, "team_id": cls.team_a.id,
            "user_id": cls.salesperson_a.id,
        })
        cls.opp_lost.action_set_lost()
        cls.opp_team_b = Lead.create({
            **common, "name": "Report Opp Team B", "partner_id": cls.customer_a.id,
            "expected_revenue": 1000.0, "probability": 50.0, "date_deadline": cls._days(10),
            "team_id": cls.team_b.id, "user_id": cls.salesperson_b.id,
        })

    @classmethod
    def _order_vals(cls, name, lines, **vals):
        return {
            "name": name, "partner_id": cls.customer_a.id, "company_id": cls.company_a.id,
            "team_id": cls.team_a.id, "user_id": cls.salesperson_a.id,
            "order_line": [Command.create({
                "product_id": cls.product.id, "tax_id": [Command.clear()], **line,
            }) for line in lines],
            **vals,
        }

    @classmethod
    def _create_orders(cls):
        Order = cls.env["sale.order"]
        pricelist_eur = cls.env["product.pricelist"].create({
            "name": "Report EUR", "currency_id": cls.eur.id, "company_id": cls.company_a.id,
        })
        cls.quote_eur = Order.create(cls._order_vals(
            "REPORT-Q-EUR",
            [{"product_uom_qty": 2.0, "product_uom": cls.env.ref("uom.product_uom_dozen").id,
              "price_unit": 1000.0}],
            pricelist_id=pricelist_eur.id, validity_date=cls._days(30),
        ))
        cls.quote_cancel = Order.create(cls._order_vals(
            "REPORT-Q-CANCEL", [{"product_uom_qty": 1.0, "price_unit": 50.0}],
        ))
        cls.quote_cancel._action_cancel()
        cls.order = Order.create(cls._order_vals(
            "REPORT-SO", [{"product_uom_qty": 10.0, "price_unit": 50.0}],
            commitment_date=fields.Datetime.to_datetime(cls._days(45)).replace(hour=12),
        ))
        cls.order.action_confirm()

    @classmethod
    def _invoice(cls, partner, invoice_date, due_date, lines, move_type="out_invoice", **vals):
        company = cls.env["res.company"].browse(vals.get("company_id")) or cls.company_a
        move = cls.env["account.move"].with_company(company).create({
            "move_type": move_type, "partner_id": partner.id, "invoice_date": invoice_date,
            "invoice_date_due": due_date, "invoice_payment_term_id": False,
            "team_id": cls.team_a.id, "invoice_user_id": cls.salesperson_a.id,
            "invoice_line_ids": [Command.create({"tax_ids": [Command.clear()], **line}) for line in lines],
            **vals,
        })
        move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, payment_date, amount=None):
        vals = {"payment_date": payment_date}
        if amount is not None:
            vals["amount"] = amount
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(vals)._create_payments()

    @classmethod
    def _create_invoices(cls):
        product_line = {"product_id": cls.product.id, "price_unit": 100.0}
        cls.inv_partial = cls._invoice(
            cls.customer_a, cls._days(-90), cls._days(-60), [{**product_line, "quantity": 4.0}],
        )
        cls._pay(cls.inv_partial, cls._days(-50), amount=150.0)
        cls.inv_eur = cls._invoice(
            cls.customer_a, cls._days(-80), cls._days(-50),
            [{"name": "Report service", "quantity": 1.0, "price_unit": 600.0}],
            currency_id=cls.eur.id,
        )
        cls._pay(cls.inv_eur, cls._days(-50))
        cls.refund = cls._invoice(
            cls.customer_a, cls._days(-40), cls._days(-40), [{**product_line, "quantity": 1.0}],
            move_type="out_refund",
        )
        cls.inv_recent = cls._invoice(
            cls.customer_a, cls.today, cls._days(60), [{**product_line, "quantity": 2.0}],
        )
        cls.inv_b = cls._invoice(
            cls.customer_b, cls.today, cls._days(45),
            [{"name": "Report B service", "quantity": 1.0, "price_unit": 300.0}],
        )
        cls.inv_company_b = cls._invoice(
            cls.customer_a, cls._days(-10), cls._days(20),
            [{"name": "Report company B", "quantity": 1.0, "price_unit": 1000.0}],
            company_id=cls.company_b.id, team_id=False,
        )

    def _row(self, model, record, env=None):
        """The single report row of ``record`` in report ``model``."""
        env = env or self.env
        return env[model].search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    @staticmethod
    def _month(day):
        return day.replace(day=1)
