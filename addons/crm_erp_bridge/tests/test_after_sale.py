from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_followup import CrmErpBridgeFollowupCommon


@tagged("post_install", "-at_install")
class TestAfterSaleCheckin(CrmErpBridgeFollowupCommon):
    def _confirmed_order(self):
        order = self._create_order()
        order.action_confirm()
        return order

    def _checkin_activities(self, order):
        return order.activity_ids.filtered(lambda a: a.summary == "After-sale check-in with the customer")

    def test_checkin_after_payment(self):
        self.company.bridge_checkin_trigger = "payment"
        order = self._confirmed_order()
        invoice = order._create_invoices()
        invoice.action_post()
        self._pay_invoice(invoice)
        self.env["sale.order"]._cron_bridge_after_sale_checkin()
        self.assertEqual(self._checkin_activities(order).user_id, self.salesman)

    def test_no_checkin_while_unpaid(self):
        self.company.bridge_checkin_trigger = "payment"
        order = self._confirmed_order()
        order._create_invoices().action_post()
        self.env["sale.order"]._cron_bridge_after_sale_checkin()
        self.assertFalse(order.bridge_checkin_scheduled)

    def test_checkin_after_delivery_once(self):
        self.company.bridge_checkin_trigger = "delivery"
        order = self._confirmed_order()
        order.order_line.qty_delivered = 1
        self.env["sale.order"]._cron_bridge_after_sale_checkin()
        self.env["sale.order"]._cron_bridge_after_sale_checkin()
        self.assertEqual(len(self._checkin_activities(order)), 1)

    def test_no_checkin_when_disabled(self):
        self.company.bridge_checkin_trigger = "none"
        order = self._confirmed_order()
        order.order_line.qty_delivered = 1
        self.env["sale.order"]._cron_bridge_after_sale_checkin()
        self.assertFalse(order.bridge_checkin_scheduled)


@tagged("post_install", "-at_install")
class TestDormantCustomers(CrmErpBridgeFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.user_id = cls.salesman
        cls.company.write({"bridge_dormant_factor": 2.0, "bridge_dormant_min_orders": 3})

    def _orders_days_ago(self, partner, *days_ago):
        for days in days_ago:
            order = self._create_order(partner=partner)
            order.action_confirm()
            order.date_order = fields.Datetime.now() - timedelta(days=days)

    def _reactivations(self, partner):
        return self.env["crm.lead"].search([("partner_id", "=", partner.id), ("bridge_is_reactivation", "=", True)])

    def test_dormant_customer_gets_one_reactivation_opportunity(self):
        self._orders_days_ago(self.customer, 100, 90, 80)
        self.env["crm.lead"]._cron_bridge_dormant_customers()
        self.env["crm.lead"]._cron_bridge_dormant_customers()
        lead = self._reactivations(self.customer)
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.user_id, self.salesman)

    def test_regular_customer_not_dormant(self):
        self._orders_days_ago(self.customer, 30, 20, 10)
        self.env["crm.lead"]._cron_bridge_dormant_customers()
        self.assertFalse(self._reactivations(self.customer))

    def test_too_few_orders_ignored(self):
        self._orders_days_ago(self.customer, 100, 90)
        self.env["crm.lead"]._cron_bridge_dormant_customers()
        self.assertFalse(self._reactivations(self.customer))

    def test_new_order_after_reactivation_allows_a_new_one_later(self):
        self._orders_days_ago(self.customer, 100, 90, 80)
        self.env["crm.lead"]._cron_bridge_dormant_customers()
        self._orders_days_ago(self.customer, 70)
        self.env["crm.lead"]._cron_bridge_dormant_customers()
        self.assertEqual(len(self._reactivations(self.customer)), 1)

    def test_negative_factor_refused(self):
        with self.assertRaises(ValidationError):
            self.company.bridge_dormant_factor = -1
