from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

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

    def test_block_and_odoo_banner_count_the_same_exposure(self):
        """Receivable 100 + confirmed order to invoice 115 (taxes included) + the quotation, for a
        limit of 250: a quotation of 115 (330) gets Odoo's banner and the block with Odoo's total,
        one of 23 (238) neither."""
        self.company.account_use_credit_limit = True
        self.customer.credit_limit = 250.0
        self._create_invoice(price=100.0)
        self._create_order(user=self.salesman, price=100.0).action_confirm()
        over = self._create_order(user=self.salesman, price=100.0).with_user(self.salesman)
        under = self._create_order(user=self.salesman, price=20.0).with_user(self.salesman)
        self.env.invalidate_all()  # Odoo's banner reads non-stored figures: as in a new request
        self.assertEqual((over.amount_total, under.amount_total), (115.0, 23.0))
        self.assertIn("330.00", over.partner_credit_warning)
        self.assertIn("330.00", over._bridge_get_credit_block_reason())
        self.assertFalse(under.partner_credit_warning)
        self.assertFalse(under._bridge_get_credit_block_reason())

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

    @users("bridge_salesman", "bridge_sales_manager")
    def test_salesman_cannot_override(self):
        """Selling, even managing sales, is not the right to lift a credit block."""
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.salesman)
        with self.assertRaises(AccessError):
            self._override(order, self.env.user)
        self.assertEqual(order.state, "draft")

    def test_override_needs_reason(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.credit_manager)
        with self.assertRaises(UserError):
            self._override(order, self.credit_manager, reason="   ")

    # ------------------------------------------------------------------
    # issue 9: no context-key bypass, override only through the wizard
    # ------------------------------------------------------------------
    def test_context_key_does_not_bypass_block(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.salesman).with_user(self.salesman)
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            order.with_context(bridge_credit_override=True).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.bridge_credit_override_user_id)

    def test_salesman_cannot_write_override_fields(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.salesman).with_user(self.salesman)
        with self.assertRaises(AccessError):
            order.write({"bridge_credit_override_user_id": self.salesman.id, "bridge_credit_override_reason": "x"})
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.salesman).create({
                "partner_id": self.customer.id,
                "bridge_credit_override_user_id": self.salesman.id,
            })
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            order.action_confirm()

    def test_salesman_cannot_call_private_override(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.salesman).with_user(self.salesman)
        with self.assertRaises(AccessError):
            order._bridge_override_credit_block("trust me")
        self.assertEqual(order.state, "draft")

    def test_credit_manager_override_through_wizard_is_logged(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.credit_manager)
        self._override(order, self.credit_manager, reason="Bank guarantee received")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.bridge_credit_override_user_id, self.credit_manager)
        self.assertEqual(order.bridge_credit_override_reason, "Bank guarantee received")
        log = order.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("crm_erp_bridge.mt_bridge_credit_override")
        )
        self.assertEqual(len(log), 1)
        self.assertIn("Bridge Credit Manager", log.body)

    def test_reset_to_draft_needs_a_new_override(self):
        self._create_overdue_invoice(days=40)
        order = self._create_order(user=self.credit_manager)
        self._override(order, self.credit_manager)
        order._action_cancel()
        order.action_draft()
        self.assertFalse(order.bridge_credit_override_user_id)
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            order.with_user(self.salesman).action_confirm()


@tagged("post_install", "-at_install")
class TestCrmErpCreditBlockPayment(CrmErpBridgeCommon):
    """A paid online quotation always confirms, even for a blocked customer (issue 9)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "bridge_credit_block": True,
            "bridge_overdue_amount_threshold": 0.0,
            "bridge_overdue_days_threshold": 30,
            "account_use_credit_limit": False,
        })
        cls.payment_method = cls.env.ref("payment.payment_method_unknown")
        cls.provider = cls.env["payment.provider"].create({
            "name": "Bridge Test Provider",
            "code": "none",
            "state": "test",
            "payment_method_ids": [(6, 0, cls.payment_method.ids)],
        })
        cls.payment_method.active = True
        # the payment of a done transaction goes to the provider's journal, through a method line
        # of the provider's code (as in account_payment's own test setup)
        method_information = cls.env["account.payment.method"]._get_payment_method_information

        def with_test_code():
            return dict(method_information(), none={"mode": "electronic", "type": ("bank",)})

        with patch.object(
            cls.env.registry["account.payment.method"], "_get_payment_method_information", lambda self: with_test_code()
        ):
            cls.env["account.payment.method"].sudo().create(
                {"name": "Bridge Test Method", "code": "none", "payment_type": "inbound"}
            )
            cls.provider.journal_id = cls.env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
            )
        cls._create_overdue_invoice(days=40)

    def _transaction(self, order, amount, reference):
        return self.env["payment.transaction"].sudo().create({
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method.id,
            "reference": reference,
            "amount": amount,
            "currency_id": order.currency_id.id,
            "partner_id": order.partner_id.id,
            "operation": "online_redirect",
            "sale_order_ids": [(6, 0, order.ids)],
            "state": "done",
        })

    def test_paid_quotation_of_blocked_customer_confirms_and_is_logged(self):
        order = self._create_order(user=self.salesman, price=100.0)
        self.assertTrue(order._bridge_get_credit_block_reason())
        tx = self._transaction(order, order.amount_total, "BRIDGE-TX-PAID")
        tx._post_process()
        self.assertEqual(order.state, "sale")
        self.assertTrue(tx.is_post_processed)
        self.assertTrue(tx.payment_id, "the payment is recorded")
        self.assertEqual(tx.payment_id.amount, order.amount_total)
        self.assertTrue(order.bridge_credit_override_user_id)
        self.assertIn("BRIDGE-TX-PAID", order.bridge_credit_override_reason)
        log = order.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("crm_erp_bridge.mt_bridge_credit_override")
        )
        self.assertEqual(len(log), 1)
        self.assertIn("overridden automatically", log.body)

    def test_partial_payment_of_blocked_customer_does_not_confirm(self):
        order = self._create_order(user=self.salesman, price=100.0)
        tx = self._transaction(order, order.amount_total / 10, "BRIDGE-TX-PARTIAL")
        tx._post_process()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.bridge_credit_override_user_id)
