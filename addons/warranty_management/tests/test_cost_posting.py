from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestCostPosting(WarrantyCostCommon):

    def _balances(self, move):
        result = {}
        for line in move.line_ids:
            result[line.account_id] = round(result.get(line.account_id, 0.0) + line.balance, 2)
        return result

    def test_covered_part_posted_to_expense(self):
        self._add_costs(user=self.warranty_user)
        self.claim.with_user(self.warranty_manager).action_post_costs()
        move = self.claim.cost_line_ids.move_id
        self.assertEqual(len(move), 1)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.journal)
        self.assertEqual(self._balances(move), {
            self.expense_account: 67.05,
            self.counterpart_account: -67.05,
        })

    def test_expense_lines_carry_analytic_distribution(self):
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        expense_lines = self.claim.cost_line_ids.move_id.line_ids.filtered(
            lambda aml: aml.account_id == self.expense_account)
        self.assertEqual(len(expense_lines), 2)
        for line in expense_lines:
            self.assertEqual(line.analytic_distribution, {str(self.analytic_account.id): 100.0})

    def test_chargeable_part_invoiced_in_draft(self):
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        invoice = self.claim.cost_line_ids.invoice_id
        self.assertEqual(len(invoice), 1)
        self.assertEqual((invoice.move_type, invoice.state), ("out_invoice", "draft"))
        self.assertEqual(invoice.partner_id, self.customer)
        self.assertEqual(invoice.warranty_claim_id, self.claim)
        self.assertEqual(sorted(invoice.invoice_line_ids.mapped("price_subtotal")), [25.0, 30.0])
        self.assertAlmostEqual(invoice.amount_untaxed, 55.0, places=2)

    def test_lines_linked_and_posted(self):
        parts, labor, travel = self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.assertEqual(set((parts | labor | travel).mapped("state")), {"posted"})
        self.assertFalse(parts.invoice_line_id, "fully covered parts are not invoiced")
        self.assertFalse(travel.move_id, "uncovered travel is not in the expense entry")
        self.assertEqual(labor.invoice_line_id.price_subtotal, 30.0)

    def test_no_double_posting(self):
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        with self.assertRaisesRegex(UserError, "no draft cost"):
            self.claim.with_user(self.warranty_manager).action_post_costs()
        self.assertEqual(self.claim.cost_move_count, 2)

    def test_new_costs_posted_separately(self):
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        extra = self.env["warranty.claim.cost.line"].create({
            "claim_id": self.claim.id, "cost_type": "parts", "product_id": self.part_product.id, "quantity": 1,
        })
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.assertEqual(self._balances(extra.move_id)[self.expense_account], 12.35)

    def test_posted_line_cannot_change(self):
        parts = self._add_costs()[0]
        self.claim.with_user(self.warranty_manager).action_post_costs()
        with self.assertRaisesRegex(UserError, "cannot be modified"):
            parts.with_user(self.warranty_user).quantity = 5
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            parts.unlink()

    def test_warranty_user_cannot_post(self):
        self._add_costs()
        with self.assertRaises(AccessError):
            self.claim.with_user(self.warranty_user).action_post_costs()
        self.assertEqual(set(self.claim.cost_line_ids.mapped("state")), {"draft"})

    def test_manager_without_accounting_rights_cannot_post(self):
        manager = self.env["res.users"].browse(self.warranty_manager.id)
        manager.groups_id -= self.env.ref("account.group_account_invoice")
        self._add_costs()
        with self.assertRaises(AccessError):
            self.claim.with_user(manager).action_post_costs()

    def test_claim_under_review_cannot_be_posted(self):
        claim = self._create_claim(state="under_review")
        self._add_costs(claim=claim)
        with self.assertRaisesRegex(UserError, "approved"):
            claim.with_user(self.warranty_manager).action_post_costs()

    def test_missing_configuration_is_atomic(self):
        self._add_costs()
        self.company.warranty_expense_account_id = False
        with self.assertRaisesRegex(UserError, "Warranty Expense Account"):
            self.claim.with_user(self.warranty_manager).action_post_costs()
        self.assertEqual(set(self.claim.cost_line_ids.mapped("state")), {"draft"})
        self.assertFalse(self.claim.cost_move_ids)

    def test_covered_costs_consume_provision(self):
        self._post_invoice(self.unit_product, 1, 1000.0)  # 5% -> 50.00 provision
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        move = self.claim.cost_line_ids.move_id
        self.assertEqual(self._balances(move), {
            self.expense_account: 67.05,
            self.counterpart_account: -67.05,
            self.provision_account: 50.0,
            self.provision_expense_account: -50.0,
        })
        self.assertAlmostEqual(sum(self.claim.cost_line_ids.mapped("provision_used_amount")), 50.0, places=2)
