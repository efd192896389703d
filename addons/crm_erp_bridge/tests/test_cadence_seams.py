"""When a cadence step is due is one domain per step (``_cadence_due_domain``) and one per
document model (``_cadence_eligible_domain``): an override of either changes what the
scheduled job does, because the job's query is compiled from them."""
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common_followup import CrmErpBridgeFollowupCommon


@tagged("post_install", "-at_install")
class TestCadenceSeams(CrmErpBridgeFollowupCommon):

    def test_step_due_domain_override_drives_the_cron(self):
        """A consultant's rule: follow up after sending only quotations above 500."""
        step_class = type(self.env["crm.erp.followup.step"])
        original = step_class._cadence_due_domain

        def due_domain(step, today):
            return [*original(step, today), ("amount_untaxed", ">", 500.0)]
        small = self._sent_quotation(days_ago=4, price=100.0)
        big = self._sent_quotation(days_ago=4, price=1000.0)
        with patch.object(step_class, "_cadence_due_domain", due_domain):
            self.env["sale.order"]._cron_bridge_followup()
        self.assertFalse(self._followup_logs(small))
        self.assertEqual(self._followup_logs(big).followup_step_id, self.step_email)

    def test_due_date_rule_orders_the_steps(self):
        """Sent 8 days ago: the 3- and 7-day steps are due, only the latest runs (7 days)."""
        order = self._sent_quotation(days_ago=8)
        pairs = self.env["sale.order"]._cadence_due_pairs(fields.Date.today(), order.ids)
        self.assertEqual(pairs, [(order.id, self.step_email.id), (order.id, self.step_call.id)])

    def test_eligible_domain_override_drives_the_dunning_cron(self):
        """A consultant's rule: invoices of customers on a watch list are never chased."""
        self.env["crm.erp.dunning.level"].search([("company_id", "=", self.company.id)]).action_archive()
        self.env["crm.erp.dunning.level"].create(
            {"name": "Seam reminder", "days_overdue": 7, "mail_template_id": self.invoice_template.id})
        watched = self._create_overdue_invoice(days=10)
        chased = self._create_overdue_invoice(days=10, partner=self.env["res.partner"].create(
            {"name": "Seam chased customer", "email": "chased@example.com"}))
        move_class = type(self.env["account.move"])
        original = move_class._cadence_eligible_domain

        def eligible(moves, today):
            return [*original(moves, today), ("commercial_partner_id", "!=", watched.commercial_partner_id.id)]
        with patch.object(move_class, "_cadence_eligible_domain", eligible):
            self.env["account.move"]._cron_bridge_dunning()
        self.assertFalse(watched.bridge_dunning_log_ids)
        self.assertTrue(chased.bridge_dunning_log_ids)

    def test_checkin_due_domain_override_drives_the_cron(self):
        """A consultant's rule: no after-sale call for orders below 500."""
        self.company.bridge_checkin_trigger = "delivery"
        small, big = self._create_order(price=100.0), self._create_order(price=1000.0)
        (small | big).action_confirm()
        (small | big).order_line.qty_delivered = 1
        self.assertEqual((small | big).mapped("bridge_fully_delivered"), [True, True])
        order_class = type(self.env["sale.order"])
        original = order_class._bridge_checkin_due_domain

        def due_domain(orders):
            return [*original(orders), ("amount_untaxed", ">=", 500.0)]
        with patch.object(order_class, "_bridge_checkin_due_domain", due_domain):
            self.env["sale.order"]._cron_bridge_after_sale_checkin()
        self.assertEqual((small.bridge_checkin_scheduled, big.bridge_checkin_scheduled), (False, True))
