from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class WarrantyCostCommon(TransactionCase):
    """Company configured for warranty accounting, a policy with a provision, a customer
    owning one registered unit and an approved claim on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the jobs' "today" is the user's: UTC like the dates these tests compute (date.today())
        cls.env.user.tz = False
        cls.company = cls.env.company
        cls.currency = cls.company.currency_id
        account_model = cls.env["account.account"]

        def account(code, name, account_type):
            return account_model.create({
                "code": code, "name": name, "account_type": account_type, "company_ids": [Command.link(cls.company.id)],
            })

        cls.expense_account = account("WTT610", "Warranty expense", "expense")
        cls.counterpart_account = account("WTT420", "Accrued warranty costs", "liability_current")
        cls.provision_account = account("WTT150", "Warranty provision", "liability_current")
        cls.provision_expense_account = account("WTT611", "Warranty provision expense", "expense")
        cls.journal = cls.env["account.journal"].create({
            "name": "Warranty test journal", "code": "WTTJ", "type": "general", "company_id": cls.company.id,
        })
        cls.analytic_plan = cls.env["account.analytic.plan"].create({"name": "Warranty test plan"})
        cls.analytic_account = cls.env["account.analytic.account"].create({
            "name": "After-sales", "plan_id": cls.analytic_plan.id, "company_id": False,
        })
        cls.company.write({
            "warranty_journal_id": cls.journal.id,
            "warranty_expense_account_id": cls.expense_account.id,
            "warranty_cost_counterpart_account_id": cls.counterpart_account.id,
            "warranty_provision_account_id": cls.provision_account.id,
            "warranty_provision_expense_account_id": cls.provision_expense_account.id,
            "warranty_labor_rate": 40.0,
            "warranty_analytic_account_id": cls.analytic_account.id,
        })
        cls.policy = cls.env["warranty.policy"].create({
            "name": "Cost test policy 2y",
            "duration": 2,
            "duration_unit": "year",
            "start_trigger": "invoice",
            "coverage_parts_pct": 100.0,
            "coverage_labor_pct": 50.0,
            "coverage_travel_pct": 0.0,
            "provision_method": "percent",
            "provision_percent": 5.0,
        })
        cls.unit_product = cls.env["product.product"].create({
            "name": "Cost test espresso machine",
            "is_storable": True,
            "list_price": 1000.0,
            "standard_price": 400.0,
            "warranty_policy_id": cls.policy.id,
        })
        cls.part_product = cls.env["product.product"].create({
            "name": "Cost test pump",
            "is_storable": True,
            "standard_price": 12.35,
            "list_price": 30.0,
        })
        cls.customer = cls.env["res.partner"].create({"name": "Cost test customer", "is_company": True})
        cls.warranty_user = new_test_user(
            cls.env, "wacct_user", groups="warranty_management.group_warranty_user", name="Warranty cost user")
        cls.warranty_manager = new_test_user(
            cls.env, "wacct_manager",
            groups="warranty_management.group_warranty_manager,account.group_account_invoice",
            name="Warranty cost manager")
        cls.registration = cls.env["warranty.registration"].create({
            "partner_id": cls.customer.id,
            "product_id": cls.unit_product.id,
            "start_date": fields.Date.today(),
        })
        cls.claim = cls._create_claim()

    @classmethod
    def _create_claim(cls, state="approved", **vals):
        claim = cls.env["warranty.claim"].create({
            "partner_id": cls.customer.id,
            "product_id": cls.unit_product.id,
            "registration_id": cls.registration.id,
            "covered": True,
            "coverage_parts_pct": 100.0,
            "coverage_labor_pct": 50.0,
            "coverage_travel_pct": 0.0,
            **vals,
        })
        claim.state = state
        return claim

    def _add_costs(self, claim=None, user=None):
        """Parts 3 x 12.35, labor 1.5 h at 40.00 (50% covered), travel 25.00 (not covered)."""
        claim = claim or self.claim
        model = self.env["warranty.claim.cost.line"]
        if user:
            model = model.with_user(user)
        return model.create([
            {"claim_id": claim.id, "cost_type": "parts", "product_id": self.part_product.id, "quantity": 3},
            {"claim_id": claim.id, "cost_type": "labor", "quantity": 1.5},
            {"claim_id": claim.id, "cost_type": "travel", "name": "Technician trip", "unit_cost": 25.0},
        ])

    def _post_invoice(self, product, quantity, price_unit, user=None):
        model = self.env["account.move"].with_user(user) if user else self.env["account.move"]
        invoice = model.create({
            "move_type": "out_invoice",
            "partner_id": self.customer.id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({
                "product_id": product.id, "quantity": quantity, "price_unit": price_unit, "tax_ids": [],
            })],
        })
        invoice.action_post()
        return invoice
