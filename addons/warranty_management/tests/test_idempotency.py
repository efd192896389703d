from datetime import date

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import WarrantyCommon
from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestRegistrationOnce(WarrantyCommon):
    """A trigger firing again (re-posted invoice, re-confirmed order) never registers twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.extension = cls.env["product.product"].create({
            "name": "Core test idempotent +12 months", "type": "service",
            "warranty_extension": True, "warranty_extension_months": 12,
        })

    def _registrations(self, order):
        return self.env["warranty.registration"].search([("sale_order_id", "=", order.id)])

    def test_reposted_invoice_registers_once(self):
        self.policy.start_trigger = "invoice"
        self.env["stock.quant"]._update_available_quantity(self.plain_product, self.stock_location, 5.0)
        order = self._sell(self.business, self.plain_product, 2)
        self._deliver(order)
        invoice = order._create_invoices()
        invoice.invoice_date = date(2025, 6, 1)
        invoice.action_post()
        invoice.button_draft()
        invoice.action_post()
        registrations = self._registrations(order)
        self.assertEqual(len(registrations), 1)
        self.assertEqual(registrations.quantity, 2.0)

    def test_reposted_invoice_registers_serial_once(self):
        self.policy.start_trigger = "invoice"
        lots = self._make_serials(self.serial_product, ["CT-ID-001"])
        order = self._sell(self.business, self.serial_product, 1)
        self._deliver(order, lots)
        invoice = order._create_invoices()
        invoice.action_post()
        self._registrations(order).state = "expired"  # the warranty ran out meanwhile
        invoice.button_draft()
        invoice.action_post()
        self.assertEqual(len(self._registrations(order)), 1)

    def test_cancel_closes_registrations_and_revokes_extension(self):
        self.policy.start_trigger = "order"
        order = self._sell(self.business, self.plain_product, 3, extra_lines=[(self.extension, 1)])
        registration = self._registrations(order)
        self.assertEqual(len(registration.extension_ids), 1)
        order._action_cancel()
        self.assertEqual(registration.state, "closed")
        self.assertIn(order.name, registration.close_reason)
        self.assertFalse(registration.extension_ids)
        self.assertEqual(registration.end_date, registration.base_end_date)

    def test_reconfirmed_order_restores_once(self):
        self.policy.start_trigger = "order"
        order = self._sell(self.business, self.plain_product, 3, extra_lines=[(self.extension, 1)])
        registration = self._registrations(order)
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(self._registrations(order), registration, "no second registration")
        self.assertEqual(registration.state, "active")
        self.assertEqual(registration.quantity, 3.0)
        self.assertEqual(len(registration.extension_ids), 1, "the extension is applied again, once")
        self.assertEqual(registration.extension_ids.months, 12)

    def test_salesperson_cancels_and_reconfirms(self):
        salesman = new_test_user(self.env, "wcore_idem_sales", groups="sales_team.group_sale_salesman")
        self.policy.start_trigger = "order"
        order = self._sell(self.business, self.plain_product, 2, extra_lines=[(self.extension, 1)])
        order.user_id = salesman
        registration = self._registrations(order)
        order.with_user(salesman)._action_cancel()
        self.assertEqual(registration.state, "closed")
        order.with_user(salesman).action_draft()
        order.with_user(salesman).action_confirm()
        self.assertEqual(self._registrations(order), registration)
        self.assertEqual((registration.state, len(registration.extension_ids)), ("active", 1))

    def test_cancel_revokes_extension_sold_later(self):
        extension = self.env["product.product"].create({
            "name": "Core test later +6 months", "type": "service",
            "warranty_extension": True, "warranty_extension_months": 6,
        })
        lot = self._make_serials(self.serial_product, ["CT-ID-010"])
        registration = self._register(self.business, self.serial_product, lot, start=date(2025, 1, 10))
        order = self._sell(self.business, extension, 1)
        self.assertEqual(registration.end_date, date(2026, 7, 10))
        order._action_cancel()
        self.assertEqual(registration.end_date, date(2026, 1, 10))
        self.assertEqual(registration.state, "active", "a registration of another order stays active")


@tagged("post_install", "-at_install")
class TestProvisionSigns(WarrantyCostCommon):
    """5% provision policy; amounts in company currency."""

    def _provisions(self, invoice):
        return self.env["warranty.provision"].search([("invoice_id", "=", invoice.id)])

    def _post_move(self, move_type, lines, reversed_entry=None):
        move = self.env["account.move"].create({
            "move_type": move_type,
            "partner_id": self.customer.id,
            "invoice_date": fields.Date.today(),
            "reversed_entry_id": reversed_entry and reversed_entry.id,
            "invoice_line_ids": [Command.create({
                "product_id": self.unit_product.id, "quantity": qty, "price_unit": price, "tax_ids": [],
            }) for qty, price in lines],
        })
        move.action_post()
        return move

    def test_negative_line_reduces_provision(self):
        invoice = self._post_move("out_invoice", [(1, 1000.0), (1, -200.0)])
        self.assertEqual(sum(self._provisions(invoice).mapped("amount_accrued")), 40.0)

    def test_negative_line_alone_accrues_nothing(self):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": self.customer.id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [
                Command.create({"product_id": self.part_product.id, "quantity": 10, "price_unit": 30.0,
                                "tax_ids": []}),
                Command.create({"product_id": self.unit_product.id, "quantity": 1, "price_unit": -200.0,
                                "tax_ids": []}),
            ],
        })
        invoice.action_post()
        self.assertFalse(self._provisions(invoice))
        self.assertFalse(invoice.warranty_provision_move_id)

    def test_credit_note_negative_line_reduces_reversal(self):
        invoice = self._post_move("out_invoice", [(2, 1000.0)])  # 100.00
        refund = self._post_move("out_refund", [(1, 1000.0), (1, -400.0)], reversed_entry=invoice)  # 30.00
        self.assertEqual(self._provisions(invoice).amount_remaining, 70.0)
        self.assertTrue(refund.warranty_provision_move_id)

    def test_credit_note_reset_to_draft_restores_provision(self):
        invoice = self._post_move("out_invoice", [(2, 1000.0)])
        provision = self._provisions(invoice)
        refund = self._post_move("out_refund", [(1, 1000.0)], reversed_entry=invoice)
        entry = refund.warranty_provision_move_id
        self.assertEqual(provision.amount_remaining, 50.0)
        refund.button_draft()
        self.assertEqual((provision.amount_accrued, provision.amount_remaining), (100.0, 100.0))
        self.assertFalse(refund.warranty_provision_move_id)
        self.assertEqual(entry.reversal_move_ids.state, "posted", "the reversal entry is itself reversed")
        refund.action_post()
        self.assertEqual(provision.amount_remaining, 50.0, "posted again: reduced once, not twice")

    def test_cancelled_credit_note_restores_provision(self):
        invoice = self._post_move("out_invoice", [(2, 1000.0)])
        provision = self._provisions(invoice)
        refund = self._post_move("out_refund", [(1, 1000.0)], reversed_entry=invoice)
        refund.button_cancel()
        self.assertEqual(refund.state, "cancel")
        self.assertEqual(provision.amount_remaining, 100.0)
