from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_erp_bridge.tests.common import CrmErpBridgeCommon


@tagged("post_install", "-at_install")
class TestTimelineDelivery(CrmErpBridgeCommon):
    """The deliveries source the addon adds to the bridge's customer timeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Timeline = cls.env["crm.erp.timeline"]
        cls.goods = cls.env["product.product"].create(
            {"name": "Bridge Goods", "type": "consu", "list_price": 50.0, "invoice_policy": "order"}
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)

    def _delivery(self, partner=None, user=None, validate=True):
        """A confirmed order of goods and its outgoing delivery (validated unless told)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "user_id": (user or self.salesman).id,
                "order_line": [Command.create({"product_id": self.goods.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(picking.picking_type_code, "outgoing")
        picking.user_id = user or self.salesman
        if validate:
            picking.move_ids.quantity = 2
            picking.button_validate()
            self.assertEqual(picking.state, "done")
        return order, picking

    def _keys(self, result):
        return {(e["event_type"], e["res_model"], e["res_id"]) for e in result["events"]}

    def test_delivery_source_registered(self):
        self.assertIn(("delivery", "Delivery done"), self.Timeline._get_event_types())

    def test_done_delivery_on_the_salesman_timeline(self):
        order, done = self._delivery(partner=self.contact)
        _order, waiting = self._delivery(validate=False)
        result = self.Timeline.with_user(self.salesman).get_timeline(self.customer.id, event_types=["delivery"])
        self.assertEqual(self._keys(result), {("delivery", "stock.picking", done.id)})
        event = result["events"][0]
        self.assertEqual(event["name"], done.name)
        self.assertEqual(event["description"], order.name)
        self.assertEqual(event["date"], done.date_done)
        self.assertEqual(event["partner_id"], self.contact.id)
        self.assertNotEqual(waiting.state, "done")

    def test_receipt_is_not_a_delivery(self):
        receipt = self.env["stock.picking"].create(
            {
                "partner_id": self.customer.id,
                "picking_type_id": self.warehouse.in_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "Return",
                            "product_id": self.goods.id,
                            "product_uom_qty": 1,
                            "quantity": 1,
                            "location_id": self.warehouse.in_type_id.default_location_src_id.id,
                            "location_dest_id": self.warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        result = self.Timeline.get_timeline(self.customer, event_types=["delivery"])
        self.assertNotIn(("delivery", "stock.picking", receipt.id), self._keys(result))

    def test_delivery_follows_period_and_salesperson(self):
        _order, mine = self._delivery(user=self.salesman)
        _order, theirs = self._delivery(user=self.other_salesman)
        mine.date_done = fields.Datetime.now() - timedelta(days=10)
        today = fields.Date.today()
        recent = self.Timeline.get_timeline(self.customer, event_types=["delivery"], date_from=today)
        self.assertEqual(self._keys(recent), {("delivery", "stock.picking", theirs.id)})
        older = self.Timeline.get_timeline(
            self.customer, event_types=["delivery"], date_to=today - timedelta(days=1)
        )
        self.assertEqual(self._keys(older), {("delivery", "stock.picking", mine.id)})
        by_salesperson = self.Timeline.get_timeline(
            self.customer, event_types=["delivery"], user_id=self.other_salesman.id
        )
        self.assertEqual(self._keys(by_salesperson), {("delivery", "stock.picking", theirs.id)})

    def test_delivery_hidden_from_timeline_users_who_may_not_read_transfers(self):
        self._delivery()
        bridge_user = new_test_user(
            self.env, login="bridge_timeline_only", groups="crm_erp_bridge.group_crm_erp_bridge_user"
        )
        self.assertFalse(self.env["stock.picking"].with_user(bridge_user).has_access("read"))
        query = self.Timeline._timeline_query(self.Timeline._get_timeline_partner_ids(self.customer))
        self.assertEqual(self.Timeline.with_user(bridge_user)._events_delivery(query), [])

    def test_delivery_refused_to_non_sales_user(self):
        self._delivery()
        with self.assertRaises(AccessError):
            self.Timeline.with_user(self.internal_user).get_timeline(self.customer.id, event_types=["delivery"])


@tagged("post_install", "-at_install")
class TestDeliveryConfirmationIncoterm(CrmErpBridgeCommon):
    """The incoterm the bridge's delivery confirmation asks the customer to confirm."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_incoterm, cls.order_incoterm = cls.env["account.incoterms"].search([], limit=2)
        cls.company.incoterm_id = cls.company_incoterm

    def test_order_incoterm_first(self):
        order = self._create_order(incoterm=self.order_incoterm.id).with_user(self.salesman)
        self.assertEqual(order._bridge_delivery_incoterm(), self.order_incoterm)

    def test_company_default_without_order_incoterm(self):
        order = self._create_order().with_user(self.salesman)
        self.assertFalse(order.incoterm)
        self.assertEqual(order._bridge_delivery_incoterm(), self.company_incoterm)
