from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.warranty_management import _post_init_hook


@tagged("post_install", "-at_install")
class TestWarrantyChartAccounts(TransactionCase):
    """A new company with the generic chart works for warranty accounting without configuration."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Warranty chart test company"})
        cls.env["account.chart.template"].try_loading("generic_coa", company=cls.company, install_demo=False)
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company.id]))
        cls.company = cls.company.with_env(cls.env)  # account codes are read per company
        cls.manager = new_test_user(
            cls.env, "wchart_manager", company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
            groups="warranty_management.group_warranty_manager,account.group_account_invoice")
        cls.policy = cls.env["warranty.policy"].create({
            "name": "Chart test 2 years", "duration": 2, "duration_unit": "year", "start_trigger": "invoice",
            "coverage_parts_pct": 100.0, "coverage_labor_pct": 100.0, "coverage_travel_pct": 0.0,
            "provision_method": "percent", "provision_percent": 5.0, "company_id": cls.company.id,
        })
        cls.product = cls.env["product.product"].create({
            "name": "Chart test boiler", "list_price": 1000.0, "warranty_policy_id": cls.policy.id,
            "company_id": cls.company.id,
        })
        cls.customer = cls.env["res.partner"].create({"name": "Chart test customer", "company_id": cls.company.id})

    def _ref(self, xmlid):
        return self.env.ref(f"account.{self.company.id}_{xmlid}")

    def _post_invoice(self):
        invoice = self.env["account.move"].with_user(self.manager).create({
            "move_type": "out_invoice", "partner_id": self.customer.id, "company_id": self.company.id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({
                "product_id": self.product.id, "quantity": 2, "price_unit": 1000.0, "tax_ids": []})],
        })
        invoice.action_post()
        return invoice

    def _approved_claim_with_cost(self):
        registration = self.env["warranty.registration"].create({
            "partner_id": self.customer.id, "product_id": self.product.id, "company_id": self.company.id,
            "start_date": fields.Date.today(),
        })
        claim = self.env["warranty.claim"].create({
            "partner_id": self.customer.id, "product_id": self.product.id, "registration_id": registration.id,
            "company_id": self.company.id, "covered": True, "coverage_parts_pct": 100.0,
        })
        claim.state = "approved"
        self.env["warranty.claim.cost.line"].create({
            "claim_id": claim.id, "cost_type": "parts", "name": "Valve", "unit_cost": 80.0})
        return claim

    def test_chart_gives_accounts_and_journal(self):
        company = self.company
        self.assertEqual(company.warranty_expense_account_id, self._ref("warranty_expense"))
        self.assertEqual(company.warranty_expense_account_id.code, "615000")
        self.assertEqual(company.warranty_cost_counterpart_account_id.account_type, "liability_current")
        self.assertEqual(company.warranty_provision_account_id.code, "201500")
        self.assertEqual(company.warranty_provision_expense_account_id.code, "615100")
        self.assertEqual((company.warranty_journal_id.code, company.warranty_journal_id.type), ("WRTY", "general"))

    def test_covered_costs_post_without_configuration(self):
        claim = self._approved_claim_with_cost()
        claim.with_user(self.manager).action_post_costs()
        move = claim.cost_line_ids.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.company.warranty_journal_id)
        expense = move.line_ids.filtered(lambda aml: aml.account_id == self.company.warranty_expense_account_id)
        self.assertEqual(expense.debit, 80.0)

    def test_provision_accrues_on_invoice_post(self):
        invoice = self._post_invoice()
        provision = self.env["warranty.provision"].search([("invoice_id", "=", invoice.id)])
        self.assertEqual(provision.amount_accrued, 100.0)
        liability = invoice.warranty_provision_move_id.line_ids.filtered(
            lambda aml: aml.account_id == self.company.warranty_provision_account_id)
        self.assertEqual(liability.credit, 100.0)

    def test_missing_provision_account_is_a_clear_error(self):
        self.company.warranty_provision_account_id = False
        with self.assertRaisesRegex(UserError, "Warranty Provision Account"):
            self._post_invoice()

    def test_missing_expense_account_is_a_clear_error(self):
        claim = self._approved_claim_with_cost()
        self.company.warranty_expense_account_id = False
        with self.assertRaisesRegex(UserError, "Warranty Expense Account"):
            claim.with_user(self.manager).action_post_costs()
        self.assertEqual(claim.cost_line_ids.state, "draft")

    def test_install_hook_completes_existing_company_and_keeps_settings(self):
        company = self.company
        own_expense = self.env["account.account"].create({
            "code": "WCT999", "name": "Own warranty costs", "account_type": "expense",
            "company_ids": [Command.link(company.id)]})
        journal = company.warranty_journal_id
        # as a database where the addon is installed after the chart: no xmlids, settings partly filled in
        self.env["ir.model.data"].search([
            ("module", "=", "account"), ("name", "like", f"{company.id}_warranty%")]).unlink()
        company.write({"warranty_journal_id": False, "warranty_provision_account_id": False,
                       "warranty_expense_account_id": own_expense.id})
        accounts_before = self.env["account.account"].search_count([("company_ids", "in", company.ids)])
        _post_init_hook(self.env)
        self.assertEqual(company.warranty_journal_id, journal, "the journal with the same code is reused")
        self.assertEqual(company.warranty_provision_account_id.code, "201500")
        self.assertEqual(company.warranty_expense_account_id, own_expense, "a setting filled in is kept")
        self.assertEqual(
            self.env["account.account"].search_count([("company_ids", "in", company.ids)]), accounts_before,
            "accounts with the same code are reused, not duplicated")

    def test_install_hook_creates_nothing_for_a_configured_company(self):
        company = self.company
        self.assertTrue(all(company[fname] for fname in (
            "warranty_expense_account_id", "warranty_cost_counterpart_account_id",
            "warranty_provision_account_id", "warranty_provision_expense_account_id", "warranty_journal_id")))
        accounts_before = self.env["account.account"].search_count([("company_ids", "in", company.ids)])
        journals_before = self.env["account.journal"].search_count([("company_id", "=", company.id)])
        _post_init_hook(self.env)
        self.assertEqual(
            self.env["account.account"].search_count([("company_ids", "in", company.ids)]), accounts_before)
        self.assertEqual(self.env["account.journal"].search_count([("company_id", "=", company.id)]), journals_before)

    def test_italian_chart_provides_warranty_accounts(self):
        chart = self.env["account.chart.template"]
        # registered for every chart: the Italian one (l10n_it) loads them with its own accounts
        self.assertIn("_get_warranty_account_account",
                      [func.__name__ for func in chart._template_register[None]["account.account"]])
        accounts = chart._get_warranty_account_account("it")
        self.assertEqual({xmlid: vals["code"] for xmlid, vals in accounts.items()}, {
            "warranty_expense": "4214", "warranty_provision_expense": "4824", "warranty_provision": "2206",
            "warranty_cost_counterpart": "2207"})
        self.assertEqual(chart._get_warranty_account_journal("it")["warranty"]["code"], "WRTY")
        company_values = next(iter(chart._get_warranty_res_company("it").values()))
        self.assertEqual(company_values["warranty_provision_account_id"], "warranty_provision")
        self.assertEqual(company_values["warranty_journal_id"], "warranty")

    def test_unknown_chart_gets_nothing_and_a_clear_error_later(self):
        self.assertEqual(self.env["account.chart.template"]._get_warranty_account_account("xx_unknown"), {})

    def test_missing_provision_account_with_open_provision_is_a_clear_error(self):
        self._post_invoice()  # accrues a provision the claim would draw from
        claim = self._approved_claim_with_cost()
        self.company.warranty_provision_expense_account_id = False
        with self.assertRaisesRegex(UserError, "Warranty Provision Expense Account"):
            claim.with_user(self.manager).action_post_costs()
        self.assertEqual(claim.cost_line_ids.state, "draft")
