"""One rule, one method: overriding the documented seam changes the production paths.

Each test overrides a seam the way a consultant's addon would (a patched method on the
model class) and checks that the batch path (delivery, invoice, cron, cost posting) uses it,
not a copy of the rule.
"""
from datetime import date
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common import WarrantyCommon
from .common_costs import WarrantyCostCommon


@tagged("post_install", "-at_install")
class TestCoverageSeams(WarrantyCommon):

    def _no_labor_for_companies(self):
        """A consultant's coverage rule: business customers get no labour coverage."""
        policy_class = type(self.env["warranty.policy"])
        original = policy_class._get_registration_terms

        def terms(policy, start_date, partner=None):
            result = original(policy, start_date, partner)
            if partner and partner.commercial_partner_id.is_company:
                result["coverage_labor_pct"] = 0.0
            return result
        return patch.object(policy_class, "_get_registration_terms", terms)

    def test_registration_terms_rule_drives_delivery_and_form(self):
        lots = self._make_serials(self.serial_product, ["CT-SEAM-001"])
        with self._no_labor_for_companies():
            self._deliver(self._sell(self.business, self.serial_product, 1), lots)
            by_form = self._register(self.business, self.plain_product)
            for_consumer = self._register(self.consumer, self.plain_product)
        delivered = self.env["warranty.registration"].search([("lot_id", "=", lots.id)])
        self.assertEqual(delivered.origin, "delivery")
        self.assertEqual((delivered.coverage_parts_pct, delivered.coverage_labor_pct), (100.0, 0.0))
        self.assertEqual(by_form.coverage_labor_pct, 0.0)
        self.assertEqual(for_consumer.coverage_labor_pct, 50.0)

    def test_registration_terms_rule_drives_end_date(self):
        policy_class = type(self.env["warranty.policy"])
        original = policy_class._get_registration_terms

        def terms(policy, start_date, partner=None):
            return {**original(policy, start_date, partner), "base_end_date": start_date + relativedelta(months=6)}
        lots = self._make_serials(self.serial_product, ["CT-SEAM-002"])
        with patch.object(policy_class, "_get_registration_terms", terms):
            self._deliver(self._sell(self.business, self.serial_product, 1), lots)
        registration = self.env["warranty.registration"].search([("lot_id", "=", lots.id)])
        self.assertEqual(registration.end_date, registration.start_date + relativedelta(months=6))

    def test_transfer_keeps_terms_granted_at_sale(self):
        registration = self._register(self.business, self.plain_product, start=date(2025, 1, 10))
        self.policy.coverage_labor_pct = 10.0  # the policy changes after the sale
        new = registration._transfer_to(self.other_customer, date(2025, 6, 1))
        self.assertEqual((new.start_date, new.base_end_date), (date(2025, 1, 10), date(2026, 1, 10)))
        self.assertEqual(new.coverage_labor_pct, 50.0)

    def test_replacement_keeps_terms_granted_at_sale(self):
        old_lot, new_lot = self._make_serials(self.serial_product, ["CT-SEAM-003", "CT-SEAM-004"])
        self._deliver(self._sell(self.business, self.serial_product, 1), old_lot)
        old = self.env["warranty.registration"].search([("lot_id", "=", old_lot.id)])
        self.policy.coverage_labor_pct = 10.0  # the policy changes after the sale
        claim = self.env["warranty.claim"].with_user(self.warranty_user).create({
            "partner_id": self.business.id, "lot_id": old_lot.id, "claim_date": fields.Date.today()})
        claim.action_review()
        claim.action_approve()
        claim.action_create_replacement()
        picking = claim.sudo().replacement_picking_id
        picking.move_ids.move_line_ids.unlink()
        picking.move_ids.move_line_ids = [(0, 0, {
            "product_id": self.serial_product.id, "lot_id": new_lot.id, "quantity": 1.0,
            "location_id": picking.location_id.id, "location_dest_id": picking.location_dest_id.id,
            "picking_id": picking.id})]
        picking.move_ids.picked = True
        picking.button_validate()
        new = self.env["warranty.registration"].search([("lot_id", "=", new_lot.id)])
        self.assertEqual((new.start_date, new.end_date), (old.start_date, old.end_date))
        self.assertEqual(new.coverage_labor_pct, 50.0)

    def test_coverage_on_date_drives_entitlement_and_claim(self):
        """Labour covered during the first year only: one override of ``_get_coverage_on``."""
        registration_class = type(self.env["warranty.registration"])
        original = registration_class._get_coverage_on

        def coverage_on(registration, on_date):
            coverage = original(registration, on_date)
            if on_date > registration.start_date + relativedelta(years=1):
                coverage["labor"] = 0.0
            return coverage
        lot = self._make_serials(self.serial_product, ["CT-SEAM-005"])
        self._deliver(self._sell(self.consumer, self.serial_product, 1), lot)  # consumer: 24 months
        registration = self.env["warranty.registration"].search([("lot_id", "=", lot.id)])
        early = registration.start_date + relativedelta(months=6)
        late = registration.start_date + relativedelta(months=18)
        with patch.object(registration_class, "_get_coverage_on", coverage_on):
            answer_early = self.env["warranty.registration"]._check_entitlement(self.consumer, lot=lot, date=early)
            answer_late = self.env["warranty.registration"]._check_entitlement(self.consumer, lot=lot, date=late)
            claim = self.env["warranty.claim"].with_user(self.warranty_user).create({
                "partner_id": self.consumer.id, "lot_id": lot.id, "claim_date": late})
        self.assertEqual(answer_early["coverage"]["labor"], 50.0)
        self.assertTrue(answer_late["covered"])
        self.assertEqual(answer_late["coverage"], {"parts": 100.0, "labor": 0.0, "travel": 0.0})
        self.assertEqual((claim.coverage_parts_pct, claim.coverage_labor_pct), (100.0, 0.0))


@tagged("post_install", "-at_install")
class TestProvisionEntrySeam(WarrantyCostCommon):

    def test_every_provision_entry_books_through_one_method(self):
        """An override of ``_prepare_provision_move_lines`` (here: a label prefix) reaches the
        accrual, the use by warranty costs, the refund reversal and the release."""
        provision_class = type(self.env["warranty.provision"])
        original = provision_class._prepare_provision_move_lines

        def lines(provision, company, amount, common, increase=True):
            return original(provision, company, amount, {**common, "name": "[IAS37] " + common["name"]}, increase)

        def provision_items(move):
            return move.line_ids.filtered(lambda aml: aml.account_id == self.provision_account)

        with patch.object(provision_class, "_prepare_provision_move_lines", lines):
            invoice = self._post_invoice(self.unit_product, 4, 1000.0)  # accrual 200.00
            self._add_costs()
            self.claim.with_user(self.warranty_manager).action_post_costs()  # uses 67.05
            refund = invoice._reverse_moves([{"invoice_date": fields.Date.today()}])
            refund.invoice_line_ids.quantity = 1
            refund.action_post()
            provision = self.env["warranty.provision"].search([("invoice_id", "=", invoice.id)])
            provision.date_expiry = fields.Date.today() - relativedelta(days=1)
            self.env["warranty.provision"]._cron_release_expired()
        moves = provision.line_ids.account_move_id
        self.assertEqual(set(provision.line_ids.mapped("kind")), {"accrual", "use", "reversal", "release"})
        for move in moves:
            items = provision_items(move)
            self.assertTrue(items, move.ref)
            self.assertTrue(all(name.startswith("[IAS37] ") for name in items.mapped("name")), move.ref)
            self.assertEqual(sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")))
        liability = sum(provision_items(moves).mapped("balance"))
        self.assertAlmostEqual(-liability, provision.amount_remaining)
