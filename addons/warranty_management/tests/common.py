from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class WarrantyCommon(TransactionCase):
    """Policies, a serial-tracked and a non-tracked product, a consumer and a business
    customer, users of each warranty group, and helpers to sell and deliver units."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # one calendar for every user of these tests, UTC like date.today(): with demo data the
        # superuser is in Brussels and the test users in no zone, whose dates differ an hour a day
        # (users in other zones: test_local_dates)
        cls.env.user.tz = False
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.policy = cls.env["warranty.policy"].create({
            "name": "Core test 1 year",
            "duration": 1,
            "duration_unit": "year",
            "start_trigger": "delivery",
            "consumer_legal_months": 24,
            "coverage_parts_pct": 100.0,
            "coverage_labor_pct": 50.0,
            "coverage_travel_pct": 0.0,
            "renewal_days_before": 30,
            "sla_response_days": 2,
            "sla_resolution_days": 10,
        })
        cls.category = cls.env["product.category"].create({"name": "Core test appliances"})
        cls.serial_product = cls.env["product.product"].create({
            "name": "Core test coffee machine",
            "is_storable": True,
            "tracking": "serial",
            "list_price": 500.0,
            "categ_id": cls.category.id,
            "warranty_policy_id": cls.policy.id,
        })
        cls.plain_product = cls.env["product.product"].create({
            "name": "Core test grinder",
            "is_storable": True,
            "list_price": 80.0,
            "warranty_policy_id": cls.policy.id,
        })
        cls.consumer = cls.env["res.partner"].create({"name": "Core test Maria Rossi", "is_company": False})
        cls.business = cls.env["res.partner"].create({"name": "Core test Bar Centrale", "is_company": True})
        cls.other_customer = cls.env["res.partner"].create({"name": "Core test Other Ltd", "is_company": True})
        cls.warranty_user = new_test_user(
            cls.env, "wcore_user", groups="warranty_management.group_warranty_user", name="Core warranty user")
        cls.warranty_manager = new_test_user(
            cls.env, "wcore_manager", groups="warranty_management.group_warranty_manager",
            name="Core warranty manager")
        cls.plain_employee = new_test_user(cls.env, "wcore_employee", groups="base.group_user",
                                           name="Core plain employee")

    @classmethod
    def _make_serials(cls, product, names):
        lots = cls.env["stock.lot"].create([
            {"name": name, "product_id": product.id, "company_id": cls.company.id} for name in names])
        for lot in lots:
            cls.env["stock.quant"]._update_available_quantity(product, cls.stock_location, 1.0, lot_id=lot)
        return lots

    @classmethod
    def _sell(cls, partner, product, quantity, date_order=None, extra_lines=()):
        order = cls.env["sale.order"].create({
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": quantity})]
            + [Command.create({"product_id": p.id, "product_uom_qty": q}) for p, q in extra_lines],
        })
        order.action_confirm()
        if date_order:  # confirmation stamps today: backdate the sale afterwards
            order.date_order = date_order
        return order

    @classmethod
    def _deliver(cls, order, lots=None):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for move in picking.move_ids:
            if move.product_id.tracking == "serial":
                move.move_line_ids.unlink()
                move_lots = lots.filtered(lambda lot, product=move.product_id: lot.product_id == product)
                move.move_line_ids = [Command.create({
                    "product_id": move.product_id.id,
                    "lot_id": lot.id,
                    "quantity": 1.0,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picking_id": picking.id,
                }) for lot in move_lots]
            else:
                move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        return picking

    @classmethod
    def _register(cls, partner, product, lot=None, start=None, **vals):
        return cls.env["warranty.registration"].create({
            "partner_id": partner.id,
            "product_id": product.id,
            "lot_id": lot and lot.id,
            "start_date": start or fields.Date.context_today(cls.env["warranty.registration"]),
            **vals,
        })
