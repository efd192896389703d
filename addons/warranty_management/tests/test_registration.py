from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged, users

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestAutomaticRegistration(WarrantyCommon):

    def _registrations(self, order):
        return self.env["warranty.registration"].search([("sale_order_id", "=", order.id)])

    def test_delivery_registers_one_per_serial(self):
        lots = self._make_serials(self.serial_product, ["CT-SN-001", "CT-SN-002"])
        order = self._sell(self.business, self.serial_product, 2)
        self.assertFalse(self._registrations(order), "Delivery trigger: nothing registered at confirmation")
        self._deliver(order, lots)
        registrations = self._registrations(order)
        self.assertEqual(registrations.lot_id, lots)
        self.assertEqual(set(registrations.mapped("quantity")), {1.0})
        today = fields.Date.context_today(registrations)
        self.assertEqual(set(registrations.mapped("start_date")), {today})
        self.assertEqual(set(registrations.mapped("end_date")), {today + relativedelta(years=1)})

    def test_consumer_delivery_gets_legal_minimum(self):
        lots = self._make_serials(self.serial_product, ["CT-SN-010"])
        order = self._sell(self.consumer, self.serial_product, 1)
        self._deliver(order, lots)
        registration = self._registrations(order)
        self.assertEqual(registration.end_date, registration.start_date + relativedelta(months=24))

    def test_delivery_registers_untracked_line_with_quantity(self):
        self.env["stock.quant"]._update_available_quantity(self.plain_product, self.stock_location, 5.0)
        order = self._sell(self.business, self.plain_product, 3)
        self._deliver(order)
        registration = self._registrations(order)
        self.assertEqual(len(registration), 1)
        self.assertEqual(registration.quantity, 3.0)
        self.assertEqual(registration.origin, "delivery")

    def test_order_trigger_registers_at_confirmation(self):
        self.policy.start_trigger = "order"
        order = self._sell(self.business, self.plain_product, 4)
        registration = self._registrations(order)
        self.assertEqual(registration.quantity, 4.0)
        self.assertEqual(registration.origin, "order")
        self.assertEqual(registration.start_date, fields.Date.context_today(order, order.date_order))

    def test_order_trigger_serials_registered_at_delivery_from_order_date(self):
        self.policy.start_trigger = "order"
        lots = self._make_serials(self.serial_product, ["CT-SN-020"])
        order = self._sell(self.business, self.serial_product, 1)
        order.date_order = datetime(2025, 5, 10, 12, 0)
        self._deliver(order, lots)
        registration = self._registrations(order)
        self.assertEqual(registration.lot_id, lots)
        self.assertEqual(registration.origin, "order")
        self.assertEqual(registration.start_date, date(2025, 5, 10))

    def test_invoice_trigger_registers_at_posting(self):
        self.policy.start_trigger = "invoice"
        self.env["stock.quant"]._update_available_quantity(self.plain_product, self.stock_location, 5.0)
        order = self._sell(self.business, self.plain_product, 2)
        self._deliver(order)
        self.assertFalse(self._registrations(order))
        invoice = order._create_invoices()
        invoice.invoice_date = date(2025, 6, 1)
        invoice.action_post()
        registration = self._registrations(order)
        self.assertEqual(registration.invoice_id, invoice)
        self.assertEqual(registration.start_date, date(2025, 6, 1))
        self.assertEqual(registration.quantity, 2.0)

    def test_salesperson_without_warranty_rights_confirms_and_registers(self):
        self.policy.start_trigger = "order"
        salesperson = new_test_user(self.env, "wcore_sale_only", groups="sales_team.group_sale_salesman")
        order = self.env["sale.order"].with_user(salesperson).create({
            "partner_id": self.business.id,
            "order_line": [Command.create({"product_id": self.plain_product.id, "product_uom_qty": 2})],
        })
        order.action_confirm()
        registration = self._registrations(order)
        self.assertEqual(registration.quantity, 2.0)
        self.assertEqual(registration.user_id, salesperson)
        with self.assertRaises(AccessError):
            registration.with_user(salesperson).read(["name"])

    def test_registration_trigger_registers_nothing_automatically(self):
        self.policy.start_trigger = "registration"
        lots = self._make_serials(self.serial_product, ["CT-SN-030"])
        order = self._sell(self.business, self.serial_product, 1)
        self._deliver(order, lots)
        self.assertFalse(self._registrations(order))

    def test_return_closes_registration(self):
        lots = self._make_serials(self.serial_product, ["CT-SN-040"])
        order = self._sell(self.business, self.serial_product, 1)
        picking = self._deliver(order, lots)
        registration = self._registrations(order)
        wizard = self.env["stock.return.picking"].with_context(
            active_id=picking.id, active_model="stock.picking").create({})
        wizard.product_return_moves.quantity = 1.0
        return_picking = wizard._create_return()
        return_picking.move_ids.move_line_ids.lot_id = lots
        return_picking.move_ids.picked = True
        return_picking.button_validate()
        self.assertEqual(registration.state, "closed")
        self.assertIn(return_picking.name, registration.close_reason)

    def test_extension_sold_with_unit_extends_end_and_coverage(self):
        extension = self.env["product.product"].create({
            "name": "Core test +12 months", "type": "service", "list_price": 60.0,
            "warranty_extension": True, "warranty_extension_months": 12, "warranty_extension_coverage_pct": 100.0,
        })
        lots = self._make_serials(self.serial_product, ["CT-SN-050"])
        order = self._sell(self.business, self.serial_product, 1, extra_lines=[(extension, 1)])
        self._deliver(order, lots)
        registration = self._registrations(order)
        self.assertEqual(registration.end_date, registration.start_date + relativedelta(years=2))
        self.assertEqual(registration.coverage_labor_pct, 100.0)

    def test_extension_sold_later_extends_owned_unit(self):
        extension = self.env["product.product"].create({
            "name": "Core test later +6 months", "type": "service",
            "warranty_extension": True, "warranty_extension_months": 6,
            "warranty_extension_product_ids": [Command.link(self.serial_product.product_tmpl_id.id)],
        })
        lot = self._make_serials(self.serial_product, ["CT-SN-060"])
        registration = self._register(self.business, self.serial_product, lot, start=date(2025, 1, 10))
        self._sell(self.business, extension, 1)
        self.assertEqual(registration.end_date, date(2026, 7, 10))

    @users("wcore_user")
    def test_warranty_user_registers_unit_sold_elsewhere(self):
        lot = self._make_serials(self.serial_product, ["CT-SN-070"])
        registration = self.env["warranty.registration"].create({
            "partner_id": self.business.id,
            "product_id": self.serial_product.id,
            "lot_id": lot.id,
            "start_date": date(2025, 2, 1),
        })
        self.assertEqual(registration.policy_id, self.policy)
        self.assertEqual(registration.end_date, date(2026, 2, 1))
        self.assertTrue(registration.name.startswith("WR/"))

    @users("wcore_employee")
    def test_plain_employee_cannot_register(self):
        with self.assertRaises(AccessError):
            self.env["warranty.registration"].create({
                "partner_id": self.business.id, "product_id": self.plain_product.id})

    def test_second_active_registration_for_serial_refused(self):
        lot = self._make_serials(self.serial_product, ["CT-SN-080"])
        self._register(self.business, self.serial_product, lot)
        with self.assertRaisesRegex(ValidationError, "already have an active warranty"):
            self._register(self.consumer, self.serial_product, lot)

    def test_product_without_policy_refused(self):
        product = self.env["product.product"].create({"name": "Core test no policy", "is_storable": True})
        with self.assertRaisesRegex(ValidationError, "has no warranty policy"):
            self._register(self.business, product)

    def test_negative_quantity_refused(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self._register(self.business, self.plain_product, quantity=-1)

    def test_serial_of_other_product_refused(self):
        lot = self._make_serials(self.serial_product, ["CT-SN-090"])
        with self.assertRaisesRegex(ValidationError, "is not a unit of"):
            self._register(self.business, self.plain_product, lot)


@tagged("post_install", "-at_install")
class TestRegistrationTransfer(WarrantyCommon):

    def test_warranty_user_transfers_to_new_owner(self):
        lot = self._make_serials(self.serial_product, ["CT-SN-100"])
        registration = self._register(self.business, self.serial_product, lot, start=date(2025, 1, 10))
        wizard = self.env["warranty.registration.transfer"].with_user(self.warranty_user).create({
            "registration_id": registration.id, "partner_id": self.consumer.id, "transfer_date": date(2025, 4, 1)})
        action = wizard.action_transfer()
        new = self.env["warranty.registration"].browse(action["res_id"])
        self.assertEqual(registration.state, "transferred")
        self.assertEqual(new.partner_id, self.consumer)
        self.assertEqual(new.lot_id, lot)
        self.assertEqual(new.end_date, registration.end_date, "The new owner keeps the original end date")
        self.assertEqual(new.previous_registration_id, registration)

    def test_transfer_to_same_customer_refused(self):
        registration = self._register(self.business, self.plain_product)
        with self.assertRaisesRegex(ValidationError, "another customer"):
            registration._transfer_to(self.business, registration.start_date)

    def test_plain_employee_cannot_transfer(self):
        registration = self._register(self.business, self.plain_product)
        with self.assertRaises(AccessError):
            self.env["warranty.registration.transfer"].with_user(self.plain_employee).create({
                "registration_id": registration.id, "partner_id": self.consumer.id})


@tagged("post_install", "-at_install")
class TestRegistrationByOtherDepartments(WarrantyCommon):

    def test_stock_user_validates_delivery_with_invoice_trigger(self):
        self.policy.start_trigger = "invoice"
        stock_user = new_test_user(self.env, "wcore_stock_only", groups="stock.group_stock_user")
        lots = self._make_serials(self.serial_product, ["CT-SN-200"])
        order = self._sell(self.business, self.serial_product, 1)
        invoice = order._create_invoices()
        invoice.action_post()
        picking = order.picking_ids.with_user(stock_user)
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.move_line_ids = [Command.create({
            "product_id": self.serial_product.id, "lot_id": lots.id, "quantity": 1.0,
            "location_id": picking.location_id.id, "location_dest_id": picking.location_dest_id.id,
            "picking_id": picking.id})]
        picking.move_ids.picked = True
        picking.button_validate()
        registration = self.env["warranty.registration"].search([("lot_id", "=", lots.id)])
        self.assertEqual(registration.start_date, invoice.invoice_date)
        self.assertEqual(registration.origin, "invoice")

    def test_accountant_posts_invoice_with_invoice_trigger(self):
        self.policy.start_trigger = "invoice"
        accountant = new_test_user(self.env, "wcore_invoice_only", groups="account.group_account_invoice")
        order = self._sell(self.business, self.plain_product, 2)
        invoice = order._create_invoices()
        invoice.with_user(accountant).action_post()
        registration = self.env["warranty.registration"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(registration.invoice_id, invoice)
