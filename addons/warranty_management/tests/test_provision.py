from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestProvision(WarrantyCostCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user = new_test_user(cls.env, "wacct_billing", groups="account.group_account_invoice")

    def _provisions(self, invoice):
        return self.env["warranty.provision"].search([("invoice_id", "=", invoice.id)])

    def test_accrual_percent_of_revenue(self):
        invoice = self._post_invoice(self.unit_product, 2, 1000.0)
        provision = self._provisions(invoice)
        self.assertEqual(provision.amount_accrued, 100.0)
        move = invoice.warranty_provision_move_id
        self.assertEqual(move.state, "posted")
        debit = move.line_ids.filtered(lambda aml: aml.account_id == self.provision_expense_account)
        credit = move.line_ids.filtered(lambda aml: aml.account_id == self.provision_account)
        self.assertEqual((debit.debit, credit.credit), (100.0, 100.0))

    def test_accrual_per_unit(self):
        self.policy.write({"provision_method": "per_unit", "provision_amount": 17.5})
        invoice = self._post_invoice(self.unit_product, 3, 1000.0)
        self.assertEqual(self._provisions(invoice).amount_accrued, 52.5)

    def test_accrual_by_billing_user_without_warranty_rights(self):
        invoice = self._post_invoice(self.unit_product, 1, 999.99, user=self.billing_user)
        self.assertEqual(self._provisions(invoice).amount_accrued, 50.0)

    def test_expiry_follows_policy_duration(self):
        invoice = self._post_invoice(self.unit_product, 1, 1000.0)
        provision = self._provisions(invoice)
        self.assertEqual(provision.date_expiry, self.policy._get_end_date(invoice.invoice_date, self.customer))

    def test_no_accrual_without_provision_rate(self):
        self.policy.provision_percent = 0.0
        invoice = self._post_invoice(self.unit_product, 1, 1000.0)
        self.assertFalse(self._provisions(invoice))
        self.assertFalse(invoice.warranty_provision_move_id)

    def test_no_accrual_for_product_without_policy(self):
        invoice = self._post_invoice(self.part_product, 4, 30.0)
        self.assertFalse(self._provisions(invoice))

    def test_reset_to_draft_reverses_accrual_and_repost_accrues_once(self):
        invoice = self._post_invoice(self.unit_product, 1, 1000.0)
        accrual = invoice.warranty_provision_move_id
        invoice.button_draft()
        self.assertFalse(self._provisions(invoice))
        self.assertEqual(accrual.reversal_move_ids.state, "posted")
        invoice.action_post()
        self.assertEqual(len(self._provisions(invoice)), 1)
        self.assertEqual(self._provisions(invoice).amount_accrued, 50.0)

    def test_credit_note_reverses_provision(self):
        invoice = self._post_invoice(self.unit_product, 2, 1000.0)  # 100.00
        provision = self._provisions(invoice)
        reversal = invoice._reverse_moves([{"invoice_date": fields.Date.today()}])
        reversal.invoice_line_ids.quantity = 1
        reversal.action_post()
        self.assertEqual((provision.amount_accrued, provision.amount_remaining), (50.0, 50.0))
        entry = reversal.warranty_provision_move_id
        liability = entry.line_ids.filtered(lambda aml: aml.account_id == self.provision_account)
        self.assertEqual((entry.state, liability.debit), ("posted", 50.0))

    def test_use_is_fifo_across_layers(self):
        first = self._provisions(self._post_invoice(self.unit_product, 1, 400.0))  # 20.00
        second = self._provisions(self._post_invoice(self.unit_product, 1, 1000.0))  # 50.00
        self._add_costs()  # 67.05 covered
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.assertEqual((first.amount_used, first.state), (20.0, "consumed"))
        self.assertEqual((second.amount_used, second.amount_remaining), (47.05, 2.95))

    def test_release_expired_provision(self):
        invoice = self._post_invoice(self.unit_product, 1, 1000.0)
        provision = self._provisions(invoice)
        provision.date_expiry = fields.Date.today() - timedelta(days=1)
        self.env["warranty.provision"]._cron_release_expired()
        self.assertEqual((provision.state, provision.amount_released, provision.amount_remaining),
                         ("released", 50.0, 0.0))
        release_move = provision.line_ids.filtered(lambda aml: aml.kind == "release").account_move_id
        self.assertEqual(release_move.state, "posted")
        liability = release_move.line_ids.filtered(lambda aml: aml.account_id == self.provision_account)
        self.assertEqual(liability.debit, 50.0)

    def test_release_only_unused_part(self):
        provision = self._provisions(self._post_invoice(self.unit_product, 1, 1000.0))
        self.env["warranty.claim.cost.line"].create({
            "claim_id": self.claim.id, "cost_type": "parts", "product_id": self.part_product.id, "quantity": 1,
        })
        self.claim.with_user(self.warranty_manager).action_post_costs()
        provision.date_expiry = fields.Date.today() - timedelta(days=1)
        self.env["warranty.provision"]._cron_release_expired()
        self.assertEqual(provision.amount_released, 37.65)

    def test_release_postponed_while_registration_active(self):
        invoice = self._post_invoice(self.unit_product, 1, 1000.0)
        provision = self._provisions(invoice)
        registration = self.env["warranty.registration"].create({
            "partner_id": self.customer.id, "product_id": self.unit_product.id,
            "start_date": fields.Date.today(), "invoice_line_id": invoice.invoice_line_ids.id,
        })
        provision.date_expiry = fields.Date.today() - timedelta(days=1)
        self.env["warranty.provision"]._cron_release_expired()
        self.assertEqual((provision.state, provision.date_expiry), ("open", registration.end_date))

    def test_release_waits_for_expiry(self):
        provision = self._provisions(self._post_invoice(self.unit_product, 1, 1000.0))
        self.env["warranty.provision"]._cron_release_expired()
        self.assertEqual(provision.state, "open")

    def test_release_is_chunked(self):
        provisions = self.env["warranty.provision"]
        for _i in range(3):
            provisions |= self._provisions(self._post_invoice(self.unit_product, 1, 100.0))
        provisions.date_expiry = fields.Date.today() - timedelta(days=1)
        released = self.env["warranty.provision"]._cron_release_expired(batch_size=2)
        self.assertEqual(len(released), 2)
        self.assertEqual(len(provisions.filtered(lambda p: p.state == "open")), 1)

    def test_report_per_product(self):
        self._post_invoice(self.unit_product, 1, 1000.0)
        self._add_costs()
        self.claim.with_user(self.warranty_manager).action_post_costs()
        self.env.flush_all()
        rows = self.env["warranty.provision.report"].with_user(self.warranty_manager)._read_group(
            [("product_id", "=", self.unit_product.id)], [],
            ["amount_accrued:sum", "amount_used:sum", "amount_released:sum", "balance:sum"])
        self.assertEqual(rows[0], (50.0, 50.0, 0.0, 0.0))

    def test_warranty_user_cannot_read_provision_report(self):
        with self.assertRaises(AccessError):
            self.env["warranty.provision.report"].with_user(self.warranty_user).search([])
