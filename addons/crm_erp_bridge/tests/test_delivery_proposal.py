import threading
from datetime import timedelta
from unittest.mock import patch

from odoo import fields, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged, users

from .common_followup import CrmErpBridgeFollowupCommon


class DeliveryProposalCommon(CrmErpBridgeFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.country = cls.env.ref("base.it")
        cls.customer.write({"street": "Via Roma 1", "zip": "20100", "city": "Milano", "country_id": cls.country.id})
        cls.incoterm = cls.env["account.incoterms"].search([], limit=1)

    @classmethod
    def _proposal(cls, address=None, days=10, incoterm=True, **order_values):
        order = cls._create_order(**order_values)
        order.action_confirm()
        order._bridge_record_delivery_answer(
            False,
            address=address if address is not None else {"street": "Via Po 7", "zip": "10100", "city": "Torino"},
            date=fields.Date.today() + timedelta(days=days),
            incoterm=cls.incoterm if incoterm else False,
        )
        return order


@tagged("post_install", "-at_install")
class TestDeliveryProposal(DeliveryProposalCommon):
    """The salesperson applies or declines the delivery changes the customer proposed."""

    @users("bridge_salesman")
    def test_salesman_applies_proposal_new_delivery_contact(self):
        order = self._proposal().with_user(self.env.user)
        self.assertEqual(order.bridge_delivery_answer_address, "Via Po 7, 10100 Torino, Italy")
        order.action_bridge_apply_delivery_proposal()
        address = order.partner_shipping_id
        self.assertEqual(order.bridge_delivery_state, "applied")
        self.assertEqual((address.type, address.parent_id), ("delivery", self.customer))
        self.assertEqual((address.street, address.zip, address.city, address.country_id), (
            "Via Po 7", "10100", "Torino", self.country))
        self.assertEqual(order.commitment_date.date(), fields.Date.today() + timedelta(days=10))
        summary = "Delivery changes requested by the customer"
        self.assertFalse(order.activity_ids.filtered(lambda a: a.summary == summary))
        events = self.env["crm.erp.timeline"].get_timeline(self.customer.id, event_types=["delivery_change"])["events"]
        self.assertEqual([(e["res_model"], e["res_id"]) for e in events], [("sale.order", order.id)])

    def test_identical_address_reused_never_duplicated(self):
        existing = self.env["res.partner"].create({
            "type": "delivery", "parent_id": self.customer.id, "street": "Via Po 7", "zip": "10100",
            "city": "Torino", "country_id": self.country.id,
        })
        first = self._proposal(address={"street": "  via po   7 ", "zip": "10100", "city": "TORINO"})
        first.with_user(self.salesman).action_bridge_apply_delivery_proposal()
        self.assertEqual(first.partner_shipping_id, existing)
        second = self._proposal(address={"street": "Via Dora 3", "zip": "10100", "city": "Torino"})
        third = self._proposal(address={"street": "Via Dora 3", "zip": "10100", "city": "Torino"})
        (second | third).with_user(self.salesman).action_bridge_apply_delivery_proposal()
        self.assertEqual(second.partner_shipping_id, third.partner_shipping_id)
        self.assertEqual(self.env["res.partner"].search_count(
            [("parent_id", "=", self.customer.id), ("street", "=", "Via Dora 3")]), 1)

    def test_current_address_kept_when_only_date_changes(self):
        order = self._proposal(address={})
        shipping = order.partner_shipping_id
        order.with_user(self.salesman).action_bridge_apply_delivery_proposal()
        self.assertEqual(order.partner_shipping_id, shipping)
        self.assertEqual(order.commitment_date.date(), fields.Date.today() + timedelta(days=10))

    def test_applied_once_only(self):
        order = self._proposal().with_user(self.salesman)
        order.action_bridge_apply_delivery_proposal()
        with self.assertRaisesRegex(UserError, "no delivery change proposed"):
            order.action_bridge_apply_delivery_proposal()
        with self.assertRaisesRegex(UserError, "no delivery change proposed"):
            order.action_bridge_decline_delivery_proposal()

    @users("bridge_salesman")
    def test_salesman_declines_with_message_to_customer(self):
        order = self._proposal().with_user(self.env.user)
        shipping = order.partner_shipping_id
        order.bridge_delivery_reply = "We cannot deliver in Torino this month."
        order.action_bridge_decline_delivery_proposal()
        self.assertEqual(order.bridge_delivery_state, "declined")
        self.assertEqual(order.partner_shipping_id, shipping)
        message = order.message_ids[0]
        self.assertIn("cannot deliver in Torino", message.body)
        self.assertIn(self.customer, message.notified_partner_ids | message.partner_ids)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))

    def test_decline_needs_a_message(self):
        order = self._proposal().with_user(self.salesman)
        with self.assertRaisesRegex(UserError, "Write the message"):
            order.action_bridge_decline_delivery_proposal()
        self.assertEqual(order.bridge_delivery_state, "changed")

    def test_other_salesman_and_internal_user_refused(self):
        order = self._proposal()
        for user in (self.other_salesman, self.internal_user):
            with self.assertRaises(AccessError):
                order.with_user(user).action_bridge_apply_delivery_proposal()
            with self.assertRaises(AccessError):
                order.with_user(user).action_bridge_decline_delivery_proposal()
        self.assertEqual(order.bridge_delivery_state, "changed")

    def test_expired_or_cancelled_request_refused(self):
        order = self._create_order(commitment_date=fields.Datetime.now() + timedelta(days=2))
        order.action_confirm()
        order.commitment_date = fields.Datetime.now() - timedelta(hours=1)
        with self.assertRaisesRegex(UserError, "expired"):
            order._bridge_record_delivery_answer(True)
        other = self._create_order()
        other.action_confirm()
        other._action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled"):
            other._bridge_record_delivery_answer(True)

    def test_change_without_any_change_refused(self):
        order = self._create_order()
        order.action_confirm()
        with self.assertRaisesRegex(UserError, "what to change"):
            order._bridge_record_delivery_answer(False, address={"street": "  "})
        self.assertEqual(order.bridge_delivery_state, "requested")


@tagged("post_install", "-at_install")
class TestDeliveryConfirmationCronRobust(DeliveryProposalCommon):
    def test_bad_order_set_aside_others_go_on(self):
        """A failing order is put aside until its retry time: the next chunks process the others,
        oldest delivery date first, and the progress counts what is left."""
        self.company.write({"bridge_delivery_confirm_mode": "before_commitment", "bridge_delivery_confirm_days": 7})
        now = fields.Datetime.now()
        orders = self.env["sale.order"]
        for days in (1, 2, 3):
            orders |= self._create_order(commitment_date=now + timedelta(days=days))
        orders.action_confirm()
        bad = orders[0]
        SaleOrder = type(self.env["sale.order"])
        original = SaleOrder._bridge_request_delivery_confirmation

        def failing(self_, *args, **kwargs):
            if self_ == bad:
                raise UserError(self_.env._("broken order"))
            return original(self_, *args, **kwargs)

        progress = []
        with (
            patch.object(SaleOrder, "_bridge_request_delivery_confirmation", failing),
            patch.object(type(self.env["ir.cron"]), "_notify_progress",
                         lambda self_, done, remaining, deactivate=False: progress.append((done, remaining))),
            self.assertLogs("odoo.addons.crm_erp_bridge.models.crm_erp_batch_job", "ERROR"),
        ):
            self.env["sale.order"]._cron_bridge_delivery_confirmation(batch_size=1)
            self.env["sale.order"]._cron_bridge_delivery_confirmation(batch_size=1)
            self.env["sale.order"]._cron_bridge_delivery_confirmation(batch_size=1)
        self.assertEqual(orders.mapped("bridge_delivery_state"), [False, "requested", "requested"])
        self.assertTrue(bad.bridge_delivery_retry_on)
        self.assertEqual(progress, [(1, 2), (1, 1), (1, 0)])


@tagged("post_install", "-at_install")
class TestDeliveryProposalPortal(HttpCase, DeliveryProposalCommon):
    def setUp(self):
        super().setUp()
        self.order = self._create_order()
        self.order.action_confirm()
        self.url = f"/my/orders/{self.order.id}/delivery-confirm"
        self.token = self.order._portal_ensure_token()
        self.portal_user = new_test_user(
            self.env, login="bridge_portal_customer", groups="base.group_portal", partner_id=self.contact.id
        )

    def _csrf(self):
        return http.Request.csrf_token(self)

    def _propose(self, token=None, **values):
        data = {"answer": "change", "street": "Via Po 7", "zip": "10100", "city": "Torino", "csrf_token": self._csrf()}
        if token:
            data["access_token"] = token
        return self.url_open(self.url, data={**data, **values})

    def test_portal_user_proposes_changes(self):
        self.authenticate("bridge_portal_customer", "bridge_portal_customer")
        response = self.url_open(self.url)
        self.assertIn('name="street"', response.text)
        response = self._propose(date=str(fields.Date.today() + timedelta(days=9)))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.order.bridge_delivery_state, "changed")
        self.assertEqual(self.order.bridge_delivery_answer_city, "Torino")
        self.assertEqual(self.order.bridge_delivery_answer_date, fields.Date.today() + timedelta(days=9))

    def test_replayed_proposal_refused(self):
        self.authenticate(None, None)
        self.assertEqual(self._propose(token=self.token).status_code, 200)
        answered_on = self.order.bridge_delivery_answered_on
        response = self._propose(token=self.token, street="Via Dora 3")
        self.assertEqual(response.status_code, 409)
        self.assertIn("already recorded", response.text)
        self.assertEqual(self.order.bridge_delivery_answer_street, "Via Po 7")
        self.assertEqual(self.order.bridge_delivery_answered_on, answered_on)

    def test_concurrent_proposals_one_recorded(self):
        self.authenticate(None, None)
        statuses = []

        def post(street):
            statuses.append(self._propose(token=self.token, street=street).status_code)

        threads = [threading.Thread(target=post, args=(street,)) for street in ("Via A 1", "Via B 2")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(statuses), [200, 409])
        self.assertIn(self.order.bridge_delivery_answer_street, ("Via A 1", "Via B 2"))
        notes = self.order.message_ids.filtered(lambda m: "asks to change the delivery" in (m.body or ""))
        self.assertEqual(len(notes), 1)

    def test_answer_after_cancel_refused_with_message(self):
        self.order._action_cancel()
        self.authenticate(None, None)
        response = self._propose(token=self.token)
        self.assertEqual(response.status_code, 409)
        self.assertIn("cancelled", response.text)
        self.assertEqual(self.order.bridge_delivery_state, "requested")

    def test_answer_after_expiry_refused(self):
        self.order.commitment_date = fields.Datetime.now() - timedelta(days=1)
        self.authenticate(None, None)
        response = self._propose(token=self.token)
        self.assertEqual(response.status_code, 409)
        self.assertIn("expired", response.text)
        self.assertFalse(self.order.bridge_delivery_answered_on)

    def test_other_portal_user_may_not_propose(self):
        new_test_user(self.env, login="bridge_portal_other", groups="base.group_portal")
        self.authenticate("bridge_portal_other", "bridge_portal_other")
        self._propose()
        self.assertEqual(self.order.bridge_delivery_state, "requested")
