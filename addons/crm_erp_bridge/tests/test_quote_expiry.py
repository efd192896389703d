from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_followup import CrmErpBridgeFollowupCommon


@tagged("post_install", "-at_install")
class TestQuoteExpiry(CrmErpBridgeFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.opportunity = cls.env["crm.lead"].create(
            {"name": "Expiry deal", "type": "opportunity", "partner_id": cls.customer.id, "user_id": cls.salesman.id}
        )

    def _quotation(self, validity_days, **values):
        return self._create_order(
            opportunity_id=self.opportunity.id,
            validity_date=fields.Date.today() + timedelta(days=validity_days),
            **values,
        )

    def test_job_marks_quotation_past_validity_expired(self):
        order = self._quotation(-1)
        self.env["sale.order"]._cron_bridge_mark_expired()
        self.assertTrue(order.bridge_is_expired)

    def test_expired_quotations_are_searchable(self):
        order = self._quotation(-1)
        order._bridge_mark_expired()
        found = (
            self.env["sale.order"]
            .with_user(self.salesman)
            .search([("bridge_is_expired", "=", True), ("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(found, order)

    def test_valid_quotation_not_expired(self):
        order = self._quotation(1)
        self.env["sale.order"]._cron_bridge_mark_expired()
        self.assertFalse(order.bridge_is_expired)

    def test_expiry_loses_opportunity_with_expired_reason(self):
        self._quotation(-1)._bridge_mark_expired()
        self.assertFalse(self.opportunity.active)
        self.assertEqual(
            self.opportunity.lost_reason_id, self.env.ref("crm_erp_bridge.crm_lost_reason_quotation_expired")
        )

    def test_expiry_uses_configured_lost_reason(self):
        reason = self.env["crm.lost.reason"].create({"name": "Too slow"})
        self.company.bridge_expired_lost_reason_id = reason
        self._quotation(-1)._bridge_mark_expired()
        self.assertEqual(self.opportunity.lost_reason_id, reason)

    def test_opportunity_with_live_quotation_stays_open(self):
        self._quotation(10)
        self._quotation(-1)._bridge_mark_expired()
        self.assertTrue(self.opportunity.active)

    def test_expiry_stops_followup(self):
        order = self._quotation(-1)
        order._bridge_mark_expired()
        self.assertEqual(order.bridge_followup_stop_reason, "expired")

    def test_new_validity_date_revives_quotation(self):
        order = self._quotation(-1)
        order._bridge_mark_expired()
        order.with_user(self.salesman).validity_date = fields.Date.today() + timedelta(days=5)
        self.assertFalse(order.bridge_is_expired)

    def test_confirmation_marks_opportunity_won(self):
        order = self._quotation(10)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(self.opportunity.probability, 100)
        self.assertTrue(self.opportunity.stage_id.is_won)

    def test_confirmation_leaves_opportunity_when_disabled(self):
        self.company.bridge_won_on_confirm = False
        order = self._quotation(10)
        order.with_user(self.salesman).action_confirm()
        self.assertLess(self.opportunity.probability, 100)
