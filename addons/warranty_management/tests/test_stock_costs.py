from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestStockCosts(WarrantyCostCommon):

    def _repair_with_parts(self, quantity):
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.env["stock.quant"]._update_available_quantity(self.part_product, warehouse.lot_stock_id, 10)
        repair = self.env["repair.order"].create({
            "partner_id": self.customer.id,
            "picking_type_id": warehouse.repair_type_id.id,
            "warranty_claim_id": self.claim.id,
            "move_ids": [Command.create({
                "product_id": self.part_product.id, "product_uom_qty": quantity, "repair_line_type": "add",
            })],
        })
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        self.claim.write({"repair_id": repair.id, "state": "in_progress"})
        return repair

    def test_repair_parts_loaded_at_valuation_cost(self):
        repair = self._repair_with_parts(2)
        self.assertEqual(repair.move_ids.state, "done")
        # a later cost change does not alter the value of the parts already consumed
        self.part_product.standard_price = 20.0
        self.claim.with_user(self.warranty_user).action_load_stock_costs()
        line = self.claim.cost_line_ids
        self.assertEqual(line.stock_move_id, repair.move_ids)
        self.assertEqual((line.cost_type, line.quantity, line.unit_cost), ("parts", 2.0, 12.35))
        self.assertAlmostEqual(line.amount, 24.7, places=2)

    def test_parts_loaded_once(self):
        self._repair_with_parts(1)
        self.claim.action_load_stock_costs()
        with self.assertRaisesRegex(UserError, "No new consumed part"):
            self.claim.action_load_stock_costs()
        self.assertEqual(len(self.claim.cost_line_ids), 1)
