from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CrmErpBridgeCommon


@tagged("post_install", "-at_install")
class TestCrmErpCreditBlock(CrmErpBridgeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "bridge_credit_block": True,
            "bridge_overdue_amount_threshold": 0.0,
            "bridge_overdue_days_threshold": 30,
            "account_use_credit_limit": False,
        })
        cls.credit_manager.write({"groups_id": [(4, cls.env.ref("sales_team.group_sale_salesman_all_leads").id)]})

    def _override(self, order, user, reason="Paid by phone"):
        wizard = self.env["crm.erp.credit.override"].with_user(user).create(
            {"order_id": order.id, "reason": reason}
        )
        return wizard.action_override()

    def test_overdue_customer_quotation_blocked(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.salesman).with_user(self.salesman)
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_good_customer_not_blocked(self):
        order = self._create_order(user=self.salesman).with_user(self.salesman)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_block_disabled_by_setting(self):
        self.company.bridge_credit_block = False
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.salesman).with_user(self.salesman)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_over_credit_limit_with_this_order_blocked(self):
        self.company.account_use_credit_limit = True
        self.customer.credit_limit = 150.0
        self._create_invoice(price=100.0)
        order = self._create_order(user=self.salesman, price=100.0).with_user(self.salesman)
        reason = order._bridge_get_credit_block_reason()
        self.assertIn("credit limit", reason)
        with self.assertRaises(UserError):
            order.action_confirm()

    def test_credit_manager_overrides_with_reason(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.credit_manager)
        self._override(order, self.credit_manager, reason="Promised payment on Friday")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.bridge_credit_override_user_id, self.credit_manager)
        message = order.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("crm_erp_bridge.mt_bridge_credit_override")
        )
        self.assertIn("Promised payment on Friday", message.body)

    def test_override_on_timeline(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.credit_manager)
        self._override(order, self.credit_manager)
        events = self.env["crm.erp.timeline"].get_timeline(self.customer, event_types=["credit_override"])["events"]
        self.assertEqual([(e["res_model"], e["res_id"]) for e in events], [("sale.order", order.id)])

    def test_salesman_cannot_override(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.salesman)
        with self.assertRaises(AccessError):
            self._override(order, self.salesman)
        self.assertEqual(order.state, "draft")

    def test_override_needs_reason(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.credit_manager)
        with self.assertRaises(UserError):
            self._override(order, self.credit_manager, reason="   ")
