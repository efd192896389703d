import gc

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common_followup import CrmErpBridgeFollowupCommon

TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@tagged("post_install", "-at_install")
class TestQuoteFollowup(CrmErpBridgeFollowupCommon):
    def test_team_default_cadence_given_to_new_quotation(self):
        team = self.env["crm.team"].create({"name": "Follow-up team", "bridge_followup_cadence_id": self.cadence.id})
        order = (
            self.env["sale.order"].with_user(self.salesman).create({"partner_id": self.customer.id, "team_id": team.id})
        )
        self.assertEqual(order.bridge_cadence_id, self.cadence)

    def test_salesman_changes_cadence_of_own_quotation(self):
        other = self.cadence.copy({"name": "Other cadence"})
        order = self._create_order(user=self.salesman)
        order.with_user(self.salesman).bridge_cadence_id = other
        self.assertEqual(order.bridge_cadence_id, other)

    def test_salesman_may_not_edit_cadences(self):
        with self.assertRaises(AccessError):
            self.env["crm.erp.followup.cadence"].with_user(self.salesman).create(
                {"name": "Mine", "step_ids": [Command.create({"name": "x", "activity_type_id": self.activity_type.id})]}
            )

    def test_manager_creates_cadence(self):
        cadence = (
            self.env["crm.erp.followup.cadence"]
            .with_user(self.bridge_manager)
            .create(
                {
                    "name": "Managed",
                    "step_ids": [Command.create({"name": "Call", "activity_type_id": self.activity_type.id})],
                }
            )
        )
        self.assertEqual(cadence.step_count, 1)

    def test_step_due_after_days_sends_template(self):
        order = self._sent_quotation(days_ago=4)
        logs = self._run_followups(order)
        self.assertEqual(logs.followup_step_id, self.step_email)
        self.assertTrue(logs.mail_sent)
        self.assertIn(f"Follow-up {order.name}", order.message_ids.mapped("subject"))

    def test_step_not_due_yet_does_nothing(self):
        order = self._sent_quotation(days_ago=1)
        self.assertFalse(self._run_followups(order))

    def test_draft_quotation_is_not_followed_up(self):
        order = self._create_order(bridge_cadence_id=self.cadence.id)
        self.assertFalse(self._run_followups(order))

    def test_each_step_runs_once(self):
        order = self._sent_quotation(days_ago=4)
        self._run_followups(order)
        self._run_followups(order)
        self.assertEqual(len(self._followup_logs(order)), 1)

    def test_missed_steps_are_skipped_only_latest_runs(self):
        order = self._sent_quotation(days_ago=8)
        self._run_followups(order)
        logs = self._followup_logs(order)
        self.assertEqual(logs.filtered(lambda log: not log.skipped_reason).followup_step_id, self.step_call)
        self.assertEqual(logs.filtered(lambda log: log.skipped_reason == "missed").followup_step_id, self.step_email)

    def test_activity_step_schedules_activity_for_salesperson(self):
        order = self._sent_quotation(days_ago=8)
        logs = self._run_followups(order)
        activity = logs.activity_id
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual(activity.activity_type_id, self.activity_type)

    def test_step_before_expiry(self):
        order = self._sent_quotation(days_ago=0, validity_in=2)
        logs = self._run_followups(order)
        self.assertEqual(logs.followup_step_id, self.step_expiry)

    def test_customer_reply_stops_followup(self):
        order = self._sent_quotation(days_ago=4)
        order.message_post(body="Is the price firm?", message_type="email", author_id=self.customer.id)
        self.assertEqual(order.bridge_followup_stop_reason, "replied")
        self.assertFalse(self._run_followups(order))

    def test_internal_note_does_not_stop_followup(self):
        order = self._sent_quotation(days_ago=4)
        order.with_user(self.salesman).message_post(body="Called, no answer", message_type="comment")
        self.assertEqual(order.bridge_followup_state, "running")

    def test_online_signature_stops_followup(self):
        order = self._sent_quotation(days_ago=4)
        order.write({"signed_by": "Customer", "signature": TINY_PNG})
        self.assertEqual(order.bridge_followup_stop_reason, "signed")

    def test_confirmation_stops_followup(self):
        order = self._sent_quotation(days_ago=4)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.bridge_followup_stop_reason, "confirmed")
        self.assertFalse(self._run_followups(order))

    def test_cancellation_stops_followup(self):
        order = self._sent_quotation(days_ago=4)
        order.with_user(self.salesman)._action_cancel()
        self.assertEqual(order.bridge_followup_stop_reason, "cancelled")

    def test_online_payment_stops_followup(self):
        order = self._sent_quotation(days_ago=4)
        provider = self.env["payment.provider"].create({"name": "Test provider", "code": "none", "state": "test"})
        method = self.env.ref("payment.payment_method_unknown")
        tx = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "amount": 1.0,
                "currency_id": order.currency_id.id,
                "partner_id": self.customer.id,
                "reference": f"{order.name}-bridge-test",
                "sale_order_ids": [Command.set(order.ids)],
                "state": "done",
            }
        )
        tx._bridge_stop_paid_followups()
        self.assertEqual(order.bridge_followup_stop_reason, "paid")

    def test_do_not_contact_customer_gets_no_email(self):
        self.customer.bridge_do_not_contact = True
        order = self._sent_quotation(days_ago=4)
        logs = self._run_followups(order)
        self.assertFalse(logs.mail_sent)
        self.assertEqual(logs.skipped_reason, "do_not_contact")
        self.assertNotIn(f"Follow-up {order.name}", order.message_ids.mapped("subject"))

    def test_archived_contact_gets_no_email(self):
        order = self._sent_quotation(days_ago=4, partner_id=self.contact.id)
        self.contact.active = False
        logs = self._run_followups(order)
        self.assertFalse(logs.mail_sent)

    def test_restart_after_stop_runs_remaining_steps(self):
        order = self._sent_quotation(days_ago=4)
        order.message_post(body="Thinking", message_type="email", author_id=self.customer.id)
        order.with_user(self.salesman).action_bridge_followup_restart()
        self.assertEqual(self._run_followups(order).followup_step_id, self.step_email)

    def test_cron_runs_in_batches(self):
        orders = self._sent_quotation(days_ago=4) | self._sent_quotation(days_ago=4)
        self.env["sale.order"]._cron_bridge_followup(batch_size=1)
        self.assertEqual(len(self.env["crm.erp.cadence.log"].search([("order_id", "in", orders.ids)])), 1)

    def test_timeline_shows_followup_sent(self):
        order = self._sent_quotation(days_ago=4)
        self._run_followups(order)
        timeline = self.env["crm.erp.timeline"].with_user(self.salesman)
        query = timeline._timeline_query((self.customer | self.contact).ids, limit=10)
        events = timeline._get_event_sources()["followup_sent"](query)
        self.assertEqual([(e["res_model"], e["res_id"]) for e in events], [("sale.order", order.id)])


@tagged("post_install", "-at_install")
class TestFollowupValidation(CrmErpBridgeFollowupCommon):
    def test_negative_days_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.step_email.days = -1

    def test_cadence_without_steps_refused(self):
        with self.assertRaisesRegex(ValidationError, "has no step"):
            self.env["crm.erp.followup.cadence"].create({"name": "Empty"})

    def test_template_for_wrong_model_refused(self):
        with self.assertRaisesRegex(ValidationError, "written for"):
            self.step_email.mail_template_id = self.invoice_template

    def test_step_doing_nothing_refused(self):
        with self.assertRaisesRegex(ValidationError, "does nothing"):
            self.step_call.activity_type_id = False


@tagged("post_install", "-at_install")
class TestFollowupTimelineQueries(CrmErpBridgeFollowupCommon):
    def _count_queries(self, source):
        self.env.invalidate_all()
        gc.collect()  # environments left by earlier calls keep cached records until collected
        timeline = self.env["crm.erp.timeline"].with_user(self.salesman)
        before = self.env.cr.sql_log_count
        query = timeline._timeline_query((self.customer | self.contact).ids, limit=50)
        events = timeline._get_event_sources()[source](query)
        return self.env.cr.sql_log_count - before, len(events)

    def test_followup_events_cost_constant_queries(self):
        self._run_followups(self._sent_quotation(days_ago=4))
        self._count_queries("followup_sent")  # warm the registry caches (access rights, rules)
        one = self._count_queries("followup_sent")
        orders = self._sent_quotation(days_ago=4) | self._sent_quotation(days_ago=4) | self._sent_quotation(days_ago=4)
        self._run_followups(orders)
        four = self._count_queries("followup_sent")
        self.assertEqual((one[1], four[1]), (1, 4))
        self.assertEqual(one[0], four[0])
