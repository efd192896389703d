from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestClaimCostLines(WarrantyCostCommon):

    def test_parts_valued_at_product_cost(self):
        parts = self._add_costs(user=self.warranty_user)[0]
        self.assertEqual(parts.unit_cost, 12.35)
        self.assertAlmostEqual(parts.amount, 37.05, places=2)

    def test_labor_valued_at_company_rate(self):
        labor = self._add_costs()[1]
        self.assertEqual(labor.unit_cost, 40.0)
        self.assertAlmostEqual(labor.amount, 60.0, places=2)

    def test_split_by_coverage(self):
        parts, labor, travel = self._add_costs()
        self.assertEqual((parts.covered_amount, parts.chargeable_amount), (37.05, 0.0))
        self.assertEqual((labor.covered_amount, labor.chargeable_amount), (30.0, 30.0))
        self.assertEqual((travel.covered_amount, travel.chargeable_amount), (0.0, 25.0))
        self.assertAlmostEqual(self.claim.cost_covered_total, 67.05, places=2)
        self.assertAlmostEqual(self.claim.cost_chargeable_total, 55.0, places=2)

    def test_split_rounds_to_the_cent_without_losing_any(self):
        line = self.env["warranty.claim.cost.line"].create({
            "claim_id": self.claim.id, "cost_type": "labor", "quantity": 1, "unit_cost": 10.01,
        })
        self.assertAlmostEqual(line.covered_amount + line.chargeable_amount, 10.01, places=2)
        self.assertTrue(self.currency.is_zero(line.covered_amount - 5.01) or self.currency.is_zero(
            line.covered_amount - 5.00))

    def test_replacement_unit_covered_like_parts(self):
        line = self.env["warranty.claim.cost.line"].create({
            "claim_id": self.claim.id, "cost_type": "replacement", "product_id": self.unit_product.id,
        })
        self.assertEqual(line.unit_cost, 400.0)
        self.assertEqual(line.coverage_pct, 100.0)

    def test_lot_valuated_part_uses_lot_cost(self):
        self.part_product.write({"tracking": "lot", "lot_valuated": True})
        lot = self.env["stock.lot"].create({
            "name": "PUMP-LOT-1", "product_id": self.part_product.id, "standard_price": 9.5,
        })
        line = self.env["warranty.claim.cost.line"].create({
            "claim_id": self.claim.id, "cost_type": "parts", "product_id": self.part_product.id,
            "lot_id": lot.id, "quantity": 2,
        })
        self.assertEqual(line.unit_cost, 9.5)
        self.assertAlmostEqual(line.amount, 19.0, places=2)

    def test_analytic_distribution_defaults_from_company(self):
        parts = self._add_costs()[0]
        self.assertEqual(parts.analytic_distribution, {str(self.analytic_account.id): 100.0})

    def test_negative_quantity_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.env["warranty.claim.cost.line"].create({
                "claim_id": self.claim.id, "cost_type": "labor", "quantity": -2,
            })

    def test_negative_unit_cost_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.env["warranty.claim.cost.line"].create({
                "claim_id": self.claim.id, "cost_type": "travel", "unit_cost": -5.0,
            })

    def test_costs_refused_on_rejected_claim(self):
        claim = self._create_claim(state="rejected")
        with self.assertRaisesRegex(UserError, "rejected"):
            self._add_costs(claim=claim)

    def test_user_without_warranty_group_cannot_add_costs(self):
        outsider = new_test_user(self.env, "wacct_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            self._add_costs(user=outsider)

    def test_cost_lines_of_other_company_hidden(self):
        company_b = self.env["res.company"].create({"name": "Warranty cost company B"})
        product_b = self.env["product.product"].create({"name": "Cost test unit B", "company_id": company_b.id})
        claim_b = self.env["warranty.claim"].with_company(company_b).create({
            "partner_id": self.customer.id, "product_id": product_b.id, "company_id": company_b.id,
        })
        line_b = self.env["warranty.claim.cost.line"].create({
            "claim_id": claim_b.id, "cost_type": "travel", "unit_cost": 10.0,
        })
        self.assertEqual(line_b.company_id, company_b)
        visible = self.env["warranty.claim.cost.line"].with_user(self.warranty_user).search([("id", "=", line_b.id)])
        self.assertFalse(visible)

    def test_draft_lines_follow_coverage_override(self):
        labor = self._add_costs()[1]
        self.claim.coverage_labor_pct = 80.0
        self.assertEqual((labor.coverage_pct, labor.covered_amount, labor.chargeable_amount), (80.0, 48.0, 12.0))

    def test_posted_lines_keep_their_split(self):
        labor = self._add_costs()[1]
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.claim.coverage_labor_pct = 80.0
        self.assertEqual((labor.coverage_pct, labor.covered_amount), (50.0, 30.0))


@tagged("post_install", "-at_install", "is_query_count")
class TestCostLinesQueryCount(WarrantyCostCommon):

    def test_claim_costs_tab_reads_in_constant_queries(self):
        self.env["warranty.claim.cost.line"].create([{
            "claim_id": self.claim.id, "cost_type": "parts", "product_id": self.part_product.id, "quantity": i + 1,
        } for i in range(30)])
        self.env.flush_all()
        self.env.invalidate_all()
        claim = self.claim.with_user(self.warranty_user)
        spec = {
            "cost_amount_total": {}, "cost_covered_total": {}, "cost_chargeable_total": {}, "cost_move_count": {},
            "supplier_claim_count": {},
            "cost_line_ids": {"fields": {
                "cost_type": {}, "product_id": {"fields": {"display_name": {}}}, "name": {}, "quantity": {},
                "unit_cost": {}, "amount": {}, "coverage_pct": {}, "covered_amount": {}, "chargeable_amount": {},
                "state": {},
            }},
        }
        with self.assertQueryCount(24):
            claim.web_read(spec)
