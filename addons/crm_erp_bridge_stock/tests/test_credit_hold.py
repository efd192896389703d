from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged, users

from odoo.addons.crm_erp_bridge.tests.common import CrmErpBridgeCommon


class BridgeStockCommon(CrmErpBridgeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.goods = cls.env["product.product"].create({
            "name": "Bridge Credit Goods", "type": "consu", "list_price": 100.0,
            "invoice_policy": "delivery", "taxes_id": False,
        })
        cls.stock_user = new_test_user(
            cls.env, login="bridge_stock_user", name="Bridge Stock User", groups="stock.group_stock_user"
        )
        cls.credit_manager.write({"groups_id": [Command.link(cls.env.ref("stock.group_stock_user").id)]})

    @classmethod
    def _order(cls, qty=2, price=100.0, partner=None, user=None):
        order = cls.env["sale.order"].create({
            "partner_id": (partner or cls.customer).id,
            "user_id": (user or cls.salesman).id,
            "order_line": [Command.create({"product_id": cls.goods.id, "product_uom_qty": qty, "price_unit": price})],
        })
        order.action_confirm()
        return order

    @staticmethod
    def _deliver(picking, qty):
        picking.move_ids.quantity = qty
        picking.move_ids.picked = True
        return picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids).button_validate()


@tagged("post_install", "-at_install")
class TestDeliveryExposure(BridgeStockCommon):
    """The deliveries part of the credit exposure: delivered and not invoiced, never counted twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "bridge_exposure_receivables": True, "bridge_exposure_orders": True,
            "bridge_exposure_deliveries": True, "bridge_credit_hold_deliveries": False,
        })

    def _parts(self):
        Partner = self.env["res.partner"]
        ids = (self.customer.id,)
        self.env.flush_all()  # the parts read SQL; their sum flushes first
        return (
            Partner._bridge_credit_exposure_orders(ids, self.company).get(self.customer.id, 0.0),
            Partner._bridge_credit_exposure_deliveries(ids, self.company).get(self.customer.id, 0.0),
            Partner._bridge_get_credit_exposures(ids)[self.customer.id],
        )

    def test_delivered_not_invoiced_moves_from_orders_to_deliveries(self):
        order = self._order(qty=5)
        self.assertEqual(self._parts(), (500.0, 0.0, 500.0))
        self._deliver(order.picking_ids, 2)
        self.assertEqual(order.order_line.qty_delivered, 2)
        self.assertEqual(self._parts(), (300.0, 200.0, 500.0))
        invoice = order._create_invoices()
        invoice.action_post()
        # the 2 invoiced are receivables now: 300 ordered + 200 due
        self.assertEqual(self._parts(), (300.0, 0.0, 500.0))

    def test_deliveries_part_switched_off(self):
        order = self._order(qty=5)
        self._deliver(order.picking_ids, 2)
        self.company.bridge_exposure_deliveries = False
        self.assertEqual(self._parts()[2], 300.0)


@tagged("post_install", "-at_install")
class TestDeliveryCreditHold(BridgeStockCommon):
    """A delivery to an over-limit customer is held, logged, and released by a credit manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "bridge_credit_block": False, "bridge_credit_hold_deliveries": True, "account_use_credit_limit": True,
        })
        cls.customer.credit_limit = 1000.0

    def _held_delivery(self):
        order = self._order(qty=2)  # 200 ordered: within the limit
        self._create_invoice(price=900.0)  # 1,100 now: over the limit
        picking = order.picking_ids
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        return picking

    def test_delivery_within_limit_validated(self):
        order = self._order(qty=2)
        self._deliver(order.picking_ids.with_user(self.stock_user), 2)
        self.assertEqual(order.picking_ids.state, "done")

    @users("bridge_stock_user")
    def test_held_delivery_shows_warning_and_is_logged_once(self):
        picking = self._held_delivery().with_user(self.env.user)
        action = picking.button_validate()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("credit limit", action["params"]["message"])
        self.assertNotEqual(picking.state, "done")
        picking.button_validate()
        hold = self.env.ref("crm_erp_bridge.mt_bridge_credit_hold")
        self.assertEqual(len(picking.sudo().message_ids.filtered(lambda m: m.subtype_id == hold)), 1)

    def test_no_context_key_and_no_direct_call_validates_a_held_delivery(self):
        picking = self._held_delivery().with_user(self.stock_user)
        for context in ({"skip_backorder": True, "skip_sanity_check": True}, {"bridge_credit_override": True}):
            picking.with_context(**context).button_validate()
            self.assertNotEqual(picking.state, "done")
        with self.assertRaisesRegex(UserError, "cannot be validated"):
            picking._action_done()
        with self.assertRaises(AccessError):
            picking.write({"bridge_credit_override_user_id": self.stock_user.id})

    def test_credit_manager_overrides_and_delivery_validated(self):
        picking = self._held_delivery()
        action = picking.with_user(self.credit_manager).button_validate()
        self.assertEqual(action["res_model"], "crm.erp.credit.override")
        wizard = self.env["crm.erp.credit.override"].with_user(self.credit_manager).with_context(
            action["context"]).create({"reason": "Bank guarantee"})
        self.assertIn("credit limit", wizard.block_reason)
        wizard.action_override()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.bridge_credit_override_user_id, self.credit_manager)
        events = self.env["crm.erp.timeline"].with_user(self.salesman).get_timeline(
            self.customer.id, event_types=["credit_hold", "credit_override"]
        )["events"]
        self.assertEqual(
            sorted((e["event_type"], e["res_model"]) for e in events),
            [("credit_hold", "stock.picking"), ("credit_override", "stock.picking")],
        )

    def test_stock_user_may_not_override(self):
        picking = self._held_delivery()
        with self.assertRaises(AccessError):
            self.env["crm.erp.credit.override"].with_user(self.stock_user).create(
                {"picking_id": picking.id, "reason": "Trust me"})
        with self.assertRaises(AccessError):
            picking.with_user(self.stock_user)._bridge_override_credit_block("Trust me")
        self.assertNotEqual(picking.state, "done")

    def test_hold_setting_off(self):
        self.company.bridge_credit_hold_deliveries = False
        picking = self._held_delivery()
        self._deliver(picking, 2)
        self.assertEqual(picking.state, "done")


@tagged("post_install", "-at_install")
class TestDeliveryProposalPickings(BridgeStockCommon):
    """Applying the customer's proposal updates the open deliveries and the incoterm."""

    def test_apply_updates_open_deliveries_and_incoterm(self):
        incoterm = self.env["account.incoterms"].search([], limit=1)
        order = self._order(qty=2)
        order._bridge_record_delivery_answer(
            False, address={"street": "Via Po 7", "city": "Torino"},
            date=fields.Date.today() + timedelta(days=8), incoterm=incoterm,
        )
        order.with_user(self.salesman).action_bridge_apply_delivery_proposal()
        picking = order.picking_ids
        self.assertEqual(order.incoterm, incoterm)
        self.assertEqual(picking.partner_id, order.partner_shipping_id)
        self.assertEqual(picking.partner_id.street, "Via Po 7")
        self.assertEqual(picking.scheduled_date.date(), fields.Date.today() + timedelta(days=8))
        # no "you should update the delivery address" warning: it was updated
        self.assertFalse(picking.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_warning")))

    def test_request_expires_once_everything_delivered(self):
        order = self._order(qty=2)
        self._deliver(order.picking_ids, 2)
        with self.assertRaisesRegex(UserError, "expired"):
            order._bridge_record_delivery_answer(True)
