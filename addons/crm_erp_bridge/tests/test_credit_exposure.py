from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

from .common import CrmErpBridgeCommon


@tagged("post_install", "-at_install")
class TestCreditExposure(CrmErpBridgeCommon):
    """The credit exposure: its parts, the company's settings, currencies, batch reading, and the
    hold it drives at confirmation (logged, on the timeline, the same override)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "bridge_credit_block": True,
            "account_use_credit_limit": True,
            "bridge_overdue_amount_threshold": 1_000_000.0,
            "bridge_exposure_receivables": True,
            "bridge_exposure_orders": True,
            "bridge_exposure_deliveries": True,
        })
        cls.customer.credit_limit = 1000.0
        cls.untaxed = cls.env["product.product"].create(
            {"name": "Bridge Untaxed Service", "type": "service", "invoice_policy": "order", "taxes_id": False}
        )
        cls.other_currency = cls.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", cls.currency.id), ("name", "in", ("EUR", "CHF", "GBP"))], limit=1
        )
        cls.other_currency.active = True
        cls.env["res.currency.rate"].search([("currency_id", "=", cls.other_currency.id)]).unlink()
        cls.env["res.currency.rate"].create(
            {"name": "2000-01-01", "rate": 2.0, "currency_id": cls.other_currency.id, "company_id": cls.company.id}
        )
        cls.foreign_pricelist = cls.env["product.pricelist"].create(
            {"name": "Bridge Foreign", "currency_id": cls.other_currency.id, "company_id": cls.company.id}
        )

    @classmethod
    def _order(cls, price, partner=None, **values):
        return cls.env["sale.order"].create({
            "partner_id": (partner or cls.customer).id,
            "user_id": cls.salesman.id,
            "order_line": [Command.create({"product_id": cls.untaxed.id, "product_uom_qty": 1, "price_unit": price})],
            **values,
        })

    def _exposure(self, partner=None):
        partner = partner or self.customer
        return self.env["res.partner"]._bridge_get_credit_exposures((partner.id,))[partner.id]

    def test_exposure_sums_receivables_and_orders_not_invoiced(self):
        self._create_invoice(price=300.0)
        self._order(200.0).action_confirm()
        self._order(999.0)  # a quotation counts only in the block, when it is confirmed
        self.assertAlmostEqual(self._exposure(), 500.0)
        self.assertAlmostEqual(self.customer.bridge_credit_exposure, 500.0)
        self.assertAlmostEqual(self.customer.bridge_credit_usage, 50.0)

    def test_parts_switched_by_company_settings(self):
        self._create_invoice(price=300.0)
        self._order(200.0).action_confirm()
        self.company.bridge_exposure_orders = False
        self.assertAlmostEqual(self._exposure(), 300.0)
        self.company.write({"bridge_exposure_orders": True, "bridge_exposure_receivables": False})
        self.assertAlmostEqual(self._exposure(), 200.0)
        self.company.bridge_exposure_orders = False
        self.assertAlmostEqual(self._exposure(), 0.0)

    def test_invoiced_order_counts_once(self):
        order = self._order(200.0)
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertAlmostEqual(self._exposure(), 200.0)
        self._pay_invoice(invoice)
        self.assertAlmostEqual(self._exposure(), 0.0)

    def test_order_in_another_currency_converted(self):
        """An order of 600 in a currency worth half the company's counts 300."""
        self._order(600.0, pricelist_id=self.foreign_pricelist.id).action_confirm()
        self.assertAlmostEqual(self._exposure(), 300.0)

    def test_contacts_orders_count_for_the_customer(self):
        self._order(250.0, partner=self.contact).action_confirm()
        self.assertAlmostEqual(self._exposure(), 250.0)
        self.assertAlmostEqual(self._exposure(self.contact.commercial_partner_id), 250.0)

    def test_exposure_of_many_customers_in_constant_queries(self):
        customers = self.env["res.partner"].create([{"name": f"Bridge Batch {i}"} for i in range(6)])
        for customer in customers:
            self._order(100.0, partner=customer).action_confirm()
        self.env.flush_all()
        Partner = self.env["res.partner"]
        Partner._bridge_get_credit_exposures(tuple(customers[:1].ids))  # settings read once
        with self.assertQueryCount(3):  # one per part
            exposures = Partner._bridge_get_credit_exposures(tuple(customers[:2].ids))
        with self.assertQueryCount(3):
            exposures = Partner._bridge_get_credit_exposures(tuple(customers.ids))
        self.assertEqual(set(exposures.values()), {100.0})

    def test_one_method_per_part_drives_the_block(self):
        """Overriding one part changes the banner and the block: a guarantee of 10,000 cancels
        the receivables part."""
        self._create_invoice(price=1200.0)
        order = self._order(10.0).with_user(self.salesman)
        self.assertTrue(order._bridge_get_credit_block_reason())
        Partner = type(self.env["res.partner"])
        with patch.object(Partner, "_bridge_credit_exposure_receivables", lambda self_, ids, company: {}):
            self.assertFalse(order._bridge_get_credit_block_reason())
            order.action_confirm()
        self.assertEqual(order.state, "sale")

    # ------------------------------------------------------------------
    # The hold at confirmation, from the form
    # ------------------------------------------------------------------
    def _held_quotation(self):
        self._create_invoice(price=950.0)
        return self._order(100.0)

    @users("bridge_salesman")
    def test_form_confirm_shows_hold_and_logs_it_once(self):
        order = self._held_quotation().with_user(self.env.user)
        action = order.with_context(bridge_credit_hold_dialog=True).action_confirm()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("credit limit", action["params"]["message"])
        self.assertEqual(order.state, "draft")
        order.with_context(bridge_credit_hold_dialog=True).action_confirm()
        hold = self.env.ref("crm_erp_bridge.mt_bridge_credit_hold")
        self.assertEqual(len(order.sudo().message_ids.filtered(lambda m: m.subtype_id == hold)), 1)
        events = self.env["crm.erp.timeline"].get_timeline(self.customer.id, event_types=["credit_hold"])["events"]
        self.assertEqual([(e["res_model"], e["res_id"]) for e in events], [("sale.order", order.id)])

    @users("bridge_salesman")
    def test_context_keys_do_not_lift_the_hold(self):
        order = self._held_quotation().with_user(self.env.user)
        for context in ({"bridge_credit_hold_dialog": False}, {"bridge_credit_override": True}, {}):
            with self.assertRaisesRegex(UserError, "cannot be confirmed"):
                order.with_context(**context).action_confirm()
        self.assertEqual(order.state, "draft")

    @users("bridge_credit_manager")
    def test_credit_manager_gets_the_override_wizard_and_releases(self):
        order = self._held_quotation()
        order.user_id = self.env.user
        order = order.with_user(self.env.user)
        action = order.with_context(bridge_credit_hold_dialog=True).action_confirm()
        self.assertEqual(action["res_model"], "crm.erp.credit.override")
        wizard = self.env["crm.erp.credit.override"].with_context(action["context"]).create({"reason": "Guarantee"})
        self.assertIn("credit limit", wizard.block_reason)
        wizard.action_override()
        self.assertEqual(order.state, "sale")
        events = self.env["crm.erp.timeline"].get_timeline(
            self.customer.id, event_types=["credit_hold", "credit_override"]
        )["events"]
        self.assertEqual(sorted(e["event_type"] for e in events), ["credit_hold", "credit_override"])

    @users("bridge_salesman")
    def test_salesman_may_not_open_the_override_wizard(self):
        order = self._held_quotation().with_user(self.env.user)
        with self.assertRaises(AccessError):
            self.env["crm.erp.credit.override"].create({"order_id": order.id, "reason": "Trust me"})
        self.assertEqual(order.state, "draft")
