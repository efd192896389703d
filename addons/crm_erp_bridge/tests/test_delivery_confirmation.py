from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common_followup import CrmErpBridgeFollowupCommon


@tagged("post_install", "-at_install")
class TestDeliveryConfirmation(CrmErpBridgeFollowupCommon):
    def _requests(self, order):
        return order.message_ids.filtered(lambda m: "please confirm the delivery" in (m.subject or ""))

    def test_confirmation_asks_customer_to_confirm_delivery(self):
        order = self._create_order()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.bridge_delivery_state, "requested")
        self.assertTrue(self._requests(order))

    def test_nothing_asked_when_disabled(self):
        self.company.bridge_delivery_confirm_mode = "none"
        order = self._create_order()
        order.action_confirm()
        self.assertFalse(order.bridge_delivery_state)

    def test_do_not_contact_customer_not_asked(self):
        self.customer.bridge_do_not_contact = True
        order = self._create_order()
        order.action_confirm()
        self.assertFalse(order.bridge_delivery_state)

    def test_asked_days_before_commitment_date(self):
        self.company.write({"bridge_delivery_confirm_mode": "before_commitment", "bridge_delivery_confirm_days": 7})
        soon = self._create_order(commitment_date=fields.Datetime.now() + timedelta(days=5))
        later = self._create_order(commitment_date=fields.Datetime.now() + timedelta(days=20))
        (soon | later).action_confirm()
        self.assertFalse(soon.bridge_delivery_state)
        self.env["sale.order"]._cron_bridge_delivery_confirmation()
        self.assertEqual(soon.bridge_delivery_state, "requested")
        self.assertFalse(later.bridge_delivery_state)

    def test_no_answer_schedules_activity_for_salesperson(self):
        order = self._create_order()
        order.action_confirm()
        order.bridge_delivery_requested_on = fields.Datetime.now() - timedelta(days=4)
        self.env["sale.order"]._cron_bridge_delivery_confirmation()
        self.assertEqual(order.bridge_delivery_state, "no_answer")
        self.assertEqual(order.activity_ids.user_id, self.salesman)

    def test_changes_requested_recorded_with_activity(self):
        order = self._create_order()
        order.action_confirm()
        incoterm = self.env["account.incoterms"].search([], limit=1)
        order._bridge_record_delivery_answer(False, address="Dock 4", incoterm=incoterm)
        self.assertEqual(order.bridge_delivery_state, "changed")
        self.assertEqual(order.bridge_delivery_answer_address, "Dock 4")
        self.assertEqual(order.activity_ids.user_id, self.salesman)

    def test_salesman_may_not_ask_on_quotation(self):
        order = self._create_order()
        with self.assertRaisesRegex(UserError, "Only confirmed orders"):
            order.with_user(self.salesman).action_bridge_request_delivery_confirmation()

    def test_timeline_shows_answer(self):
        order = self._create_order()
        order.action_confirm()
        order._bridge_record_delivery_answer(True)
        timeline = self.env["crm.erp.timeline"]
        query = timeline._timeline_query(self.customer.ids, limit=5)
        events = timeline._get_event_sources()["delivery_confirmation"](query)
        self.assertEqual([(e["res_id"], e["event_type"]) for e in events], [(order.id, "delivery_confirmation")])

    def test_negative_delays_refused(self):
        with self.assertRaises(ValidationError):
            self.company.bridge_delivery_confirm_timeout_days = -1


@tagged("post_install", "-at_install")
class TestDeliveryConfirmationPortal(HttpCase, CrmErpBridgeFollowupCommon):
    def setUp(self):
        super().setUp()
        self.authenticate(None, None)
        self.order = self._create_order()
        self.order.action_confirm()
        self.url = f"/my/orders/{self.order.id}/delivery-confirm"
        self.token = self.order._portal_ensure_token()

    def test_customer_opens_page_with_token(self):
        response = self.url_open(f"{self.url}?access_token={self.token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.order.name, response.text)

    def test_customer_confirms_delivery(self):
        response = self.url_open(
            self.url,
            data={"access_token": self.token, "answer": "confirm", "csrf_token": self._csrf()},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.order.bridge_delivery_state, "confirmed")

    def test_wrong_token_refused(self):
        self.url_open(self.url, data={"access_token": "wrong", "answer": "confirm", "csrf_token": self._csrf()})
        self.assertEqual(self.order.bridge_delivery_state, "requested")

    def _answer(self, answer="confirm", token=None, **values):
        return self.url_open(
            self.url,
            data={"access_token": token or self.token, "answer": answer, "csrf_token": self._csrf(), **values},
        )

    def test_second_answer_refused(self):
        self.assertEqual(self._answer("confirm").status_code, 200)
        answered_on = self.order.bridge_delivery_answered_on
        messages = len(self.order.message_ids)
        response = self._answer("change", address="Somewhere else")
        self.assertEqual(response.status_code, 409)
        self.assertIn("no delivery confirmation waiting", response.text)
        self.assertEqual(self.order.bridge_delivery_state, "confirmed")
        self.assertEqual(self.order.bridge_delivery_answered_on, answered_on)
        self.assertFalse(self.order.bridge_delivery_answer_address)
        self.assertEqual(len(self.order.message_ids), messages)

    def test_answer_without_request_refused(self):
        order = self._create_order(partner=self.env["res.partner"].create({"name": "No Mail Customer"}))
        order.action_confirm()
        self.assertFalse(order.bridge_delivery_state)
        self.url = f"/my/orders/{order.id}/delivery-confirm"
        response = self._answer("confirm", token=order._portal_ensure_token())
        self.assertEqual(response.status_code, 409)
        self.assertFalse(order.bridge_delivery_state)
        self.assertFalse(order.bridge_delivery_answered_on)

    def test_late_answer_after_timeout_accepted_once(self):
        self.order.bridge_delivery_state = "no_answer"
        self.assertEqual(self._answer("confirm").status_code, 200)
        self.assertEqual(self.order.bridge_delivery_state, "confirmed")
        self.assertEqual(self._answer("confirm").status_code, 409)

    def test_portal_user_of_other_customer_refused(self):
        intruder = new_test_user(self.env, login="bridge_portal_intruder", groups="base.group_portal")
        self.authenticate("bridge_portal_intruder", "bridge_portal_intruder")
        self.assertNotEqual(intruder.partner_id.commercial_partner_id, self.order.partner_id.commercial_partner_id)
        response = self.url_open(self.url, data={"answer": "confirm", "csrf_token": self._csrf()})
        self.assertNotIn(self.order.name, response.text)
        self.assertEqual(self.order.bridge_delivery_state, "requested")
        response = self.url_open(self.url)
        self.assertNotIn(self.order.name, response.text)

    def test_model_refuses_answer_when_not_pending(self):
        self.order._bridge_record_delivery_answer(True)
        with self.assertRaisesRegex(UserError, "no delivery confirmation waiting"):
            self.order._bridge_record_delivery_answer(False, address="Elsewhere")
        self.assertEqual(self.order.bridge_delivery_state, "confirmed")

    def _csrf(self):
        return http.Request.csrf_token(self)
