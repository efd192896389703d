import gc
from datetime import date, datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CrmErpBridgeCommon


@tagged("post_install", "-at_install")
class TestCrmErpTimeline(CrmErpBridgeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Timeline = cls.env["crm.erp.timeline"]

    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _events(self, partner=None, **kwargs):
        result = self.Timeline.get_timeline(partner or self.customer, **kwargs)
        return result["events"]

    def _keys(self, events):
        return {(e["event_type"], e["res_model"], e["res_id"]) for e in events}

    def test_timeline_covers_child_contacts(self):
        order = self._create_order(partner=self.contact)
        events = self._events(event_types=["quotation"])
        self.assertIn(("quotation", "sale.order", order.id), self._keys(events))

    def test_timeline_ignores_other_customers(self):
        other = self.env["res.partner"].create({"name": "Someone Else"})
        order = self._create_order(partner=other)
        events = self._events(event_types=["quotation"])
        self.assertNotIn(("quotation", "sale.order", order.id), self._keys(events))

    def test_timeline_sorted_newest_first(self):
        self._create_invoice(invoice_date=fields.Date.today() - timedelta(days=10))
        self._create_invoice(invoice_date=fields.Date.today() - timedelta(days=2))
        self._create_order().action_confirm()
        events = self._events()
        dates = [e["date"] for e in events]
        self.assertTrue(dates)
        self.assertEqual(dates, sorted(dates, reverse=True))

    def test_timeline_lead_created_and_lost_with_reason(self):
        reason = self.env["crm.lost.reason"].create({"name": "Too expensive for them"})
        lead = self.env["crm.lead"].create(
            {"name": "Bridge Opportunity", "type": "opportunity", "partner_id": self.customer.id,
             "user_id": self.salesman.id}
        )
        lead.action_set_lost(lost_reason_id=reason.id)
        events = self._events(event_types=["lead", "lead_closed"])
        self.assertIn(("lead", "crm.lead", lead.id), self._keys(events))
        closed = [e for e in events if e["event_type"] == "lead_closed" and e["res_id"] == lead.id]
        self.assertEqual(len(closed), 1)
        self.assertIn("Too expensive for them", closed[0]["description"])

    def test_timeline_lead_won(self):
        lead = self.env["crm.lead"].create(
            {"name": "Bridge Won", "type": "opportunity", "partner_id": self.customer.id}
        )
        lead.action_set_won()
        closed = [e for e in self._events(event_types=["lead_closed"]) if e["res_id"] == lead.id]
        self.assertEqual(closed[0]["description"], "Won")

    def test_timeline_stage_change_from_tracking(self):
        stages = self.env["crm.stage"].search([("is_won", "=", False)], limit=2)
        lead = self.env["crm.lead"].create(
            {"name": "Bridge Staged", "type": "opportunity", "partner_id": self.customer.id,
             "stage_id": stages[0].id}
        )
        self._flush_tracking()
        lead.stage_id = stages[1]
        self._flush_tracking()
        events = [e for e in self._events(event_types=["lead_stage"]) if e["res_id"] == lead.id]
        self.assertEqual(len(events), 1)
        self.assertIn(stages[1].name, events[0]["description"])

    def test_timeline_order_invoice_payment(self):
        order = self._create_order()
        order.action_confirm()
        invoice = self._create_invoice(price=250.0)
        payment = self._pay_invoice(invoice)
        keys = self._keys(self._events(event_types=["order", "invoice", "payment"]))
        self.assertIn(("order", "sale.order", order.id), keys)
        self.assertIn(("invoice", "account.move", invoice.id), keys)
        self.assertIn(("payment", "account.payment", payment.id), keys)

    def test_timeline_expired_quotation(self):
        order = self._create_order(validity_date=fields.Date.today() - timedelta(days=3))
        keys = self._keys(self._events(event_types=["quotation_expired"]))
        self.assertIn(("quotation_expired", "sale.order", order.id), keys)

    def test_timeline_emails_in_and_out(self):
        order = self._create_order()
        order.message_post(
            body="Please send the revised offer", message_type="email",
            author_id=self.contact.id, subtype_xmlid="mail.mt_comment",
        )
        order.with_user(self.salesman).message_post(
            body="Here is the revised offer", message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        events = self._events(event_types=["email_in", "email_out"])
        incoming = [e for e in events if e["event_type"] == "email_in" and e["res_id"] == order.id]
        outgoing = [e for e in events if e["event_type"] == "email_out" and e["res_id"] == order.id]
        self.assertEqual([e["description"] for e in incoming], ["Please send the revised offer"])
        self.assertEqual([e["description"] for e in outgoing], ["Here is the revised offer"])

    def test_timeline_activity_done(self):
        lead = self.env["crm.lead"].create(
            {"name": "Bridge Activity", "type": "opportunity", "partner_id": self.customer.id}
        )
        activity = lead.activity_schedule(
            "mail.mail_activity_data_call", summary="Discuss price", user_id=self.salesman.id
        )
        activity.action_feedback(feedback="Customer agrees")
        events = [e for e in self._events(event_types=["activity"]) if e["res_id"] == lead.id]
        self.assertEqual(len(events), 1)
        self.assertIn("Customer agrees", events[0]["description"])

    def test_timeline_filter_by_type(self):
        self._create_order()
        self._create_invoice()
        events = self._events(event_types=["invoice"])
        self.assertTrue(events)
        self.assertEqual({e["event_type"] for e in events}, {"invoice"})

    def test_timeline_filter_by_period(self):
        old = self._create_invoice(invoice_date=fields.Date.today() - timedelta(days=100))
        recent = self._create_invoice(invoice_date=fields.Date.today() - timedelta(days=5))
        keys = self._keys(
            self._events(event_types=["invoice"], date_from=fields.Date.today() - timedelta(days=30))
        )
        self.assertIn(("invoice", "account.move", recent.id), keys)
        self.assertNotIn(("invoice", "account.move", old.id), keys)

    def test_every_source_follows_one_period_convention(self):
        """"From" day included, "to" day included (its next midnight excluded), for every
        registered source, extensions included: nothing dated today comes back for a period
        ending yesterday, and every event of a period starting today is from today on."""
        self._create_order().action_confirm()
        self._create_invoice(invoice_date=fields.Date.today())
        self.env.flush_all()  # as get_timeline does: some sources read the chatter in SQL
        partner_ids = self.Timeline._get_timeline_partner_ids(self.customer)
        today = fields.Date.today()
        until_yesterday = self.Timeline._timeline_query(partner_ids, date_to=today - timedelta(days=1), limit=50)
        from_today = self.Timeline._timeline_query(partner_ids, date_from=today, limit=50)
        sources = self.Timeline._get_timeline_sources()
        self.assertEqual([s.key for s in sources], [key for key, _label in self.Timeline._get_event_types()])
        seen_today = set()
        for source in sources:
            for event in source.fetch(until_yesterday):
                self.assertLess(self.Timeline._to_datetime(event["date"]).date(), today, source.key)
            for event in source.fetch(from_today):
                self.assertGreaterEqual(self.Timeline._to_datetime(event["date"]).date(), today, source.key)
                seen_today.add(source.key)
        self.assertLessEqual({"quotation", "order", "invoice"}, seen_today)

    def test_period_days_are_the_users_days(self):
        """A period is made of the user's calendar days: an order confirmed at 05:00 in Tokyo on
        10 March (20:00 UTC on 9 March) is on 10 March for a user in Tokyo, on 9 March for a user in
        UTC; a date column (the invoice date) is compared by day in both."""
        order = self._create_order(price=300.0)
        order.action_confirm()
        order.date_order = datetime(2026, 3, 9, 20, 0)
        invoice = self._create_invoice(invoice_date=date(2026, 3, 10))
        order_key, invoice_key = ("order", "sale.order", order.id), ("invoice", "account.move", invoice.id)

        def period(tz, day):
            timeline = self.Timeline.with_context(tz=tz)
            result = timeline.get_timeline(self.customer, event_types=["order", "invoice"], date_from=day, date_to=day)
            return self._keys(result["events"]), result["totals"]

        tokyo_10, totals_10 = period("Asia/Tokyo", date(2026, 3, 10))
        # the invoice's day is shown at the user's midnight: 10 March 00:00 in Tokyo, 15:00 UTC the day before
        events = self.Timeline.with_context(tz="Asia/Tokyo").get_timeline(
            self.customer, event_types=["invoice"], date_from=date(2026, 3, 10), date_to=date(2026, 3, 10))["events"]
        self.assertEqual([event["date"] for event in events], [datetime(2026, 3, 9, 15, 0)])
        tokyo_9, totals_9 = period("Asia/Tokyo", date(2026, 3, 9))
        self.assertEqual(tokyo_10, {order_key, invoice_key})
        self.assertEqual(tokyo_9, set())
        self.assertEqual(totals_10["ordered"], 300.0)
        self.assertEqual(totals_9["ordered"], 0.0)
        utc_10, _totals = period("UTC", date(2026, 3, 10))
        utc_9, _totals = period("UTC", date(2026, 3, 9))
        self.assertEqual(utc_10, {invoice_key})
        self.assertEqual(utc_9, {order_key})

    def test_salesperson_filter_is_a_parameter_not_a_context_key(self):
        theirs = self._create_order(user=self.other_salesman)
        timeline = self.Timeline.with_context(crm_erp_timeline_user_id=self.salesman.id)
        keys = self._keys(timeline.get_timeline(self.customer, event_types=["quotation"])["events"])
        self.assertIn(("quotation", "sale.order", theirs.id), keys)

    def test_timeline_filter_by_salesperson(self):
        mine = self._create_order(user=self.salesman)
        theirs = self._create_order(user=self.other_salesman)
        keys = self._keys(self._events(event_types=["quotation"], user_id=self.other_salesman.id))
        self.assertIn(("quotation", "sale.order", theirs.id), keys)
        self.assertNotIn(("quotation", "sale.order", mine.id), keys)

    def test_timeline_paging(self):
        orders = self.env["sale.order"].create(
            [{"partner_id": self.customer.id, "user_id": self.salesman.id} for _i in range(5)]
        )
        first = self.Timeline.get_timeline(self.customer, event_types=["quotation"], limit=3)
        second = self.Timeline.get_timeline(self.customer, event_types=["quotation"], offset=3, limit=3)
        self.assertTrue(first["has_more"])
        self.assertEqual(len(first["events"]), 3)
        self.assertEqual(len(second["events"]), 2)
        self.assertFalse(second["has_more"])
        self.assertEqual(self._keys(first["events"] + second["events"]),
                         {("quotation", "sale.order", order.id) for order in orders})

    def test_timeline_totals(self):
        self.env["crm.lead"].create(
            {"name": "Open Deal", "type": "opportunity", "partner_id": self.customer.id, "expected_revenue": 1000}
        )
        self._create_order(price=300.0)
        self._create_order(price=200.0).action_confirm()
        paid = self._create_invoice(price=150.0)
        self._pay_invoice(paid)
        self._create_overdue_invoice(price=400.0)
        totals = self.Timeline.get_timeline(self.customer, event_types=["invoice"])["totals"]
        self.assertEqual(totals["open_pipeline"], 1000)
        self.assertEqual(totals["open_quotes"], 300)
        self.assertEqual(totals["open_quotes_count"], 1)
        self.assertEqual(totals["ordered"], 200)
        self.assertEqual(totals["invoiced"], 550)
        self.assertEqual(totals["paid"], 150)
        self.assertEqual(totals["overdue"], 400)

    def test_totals_request_equals_the_page_totals(self):
        """The screen reads the page without totals and the totals on their own: same figures,
        same filters (a salesperson's own documents, a period)."""
        self._create_order(price=300.0, user=self.salesman)
        self._create_order(price=200.0, user=self.other_salesman).action_confirm()
        self._create_overdue_invoice(price=400.0)
        timeline = self.Timeline.with_user(self.salesman)
        for filters in ({}, {"user_id": self.salesman.id}, {"date_from": fields.Date.today()}):
            with self.subTest(filters=filters):
                page = timeline.get_timeline_data(self.contact.id, with_totals=False, **filters)
                self.assertIsNone(page["totals"])
                self.assertEqual(page["events"], timeline.get_timeline_data(self.contact.id, **filters)["events"])
                self.assertEqual(timeline.get_timeline_totals(self.contact.id, **filters),
                                 timeline.get_timeline(self.customer.id, **filters)["totals"])
        self.assertEqual(timeline.get_timeline_totals(self.customer.id)["open_quotes"], 300)

    def test_totals_refused_to_non_sales_user(self):
        with self.assertRaises(AccessError):
            self.Timeline.with_user(self.internal_user).get_timeline_totals(self.customer.id)

    def test_screen_calls_are_read_only(self):
        """Marked ``@api.readonly``: on a ``db_replica_host`` deployment the replica serves them."""
        for method in ("get_timeline", "get_timeline_data", "get_timeline_totals"):
            self.assertTrue(getattr(getattr(type(self.Timeline), method), "_readonly", False), method)

    def test_timeline_salesman_sees_own_documents_only(self):
        mine = self._create_order(user=self.salesman)
        theirs = self._create_order(user=self.other_salesman)
        events = self.Timeline.with_user(self.salesman).get_timeline(
            self.customer.id, event_types=["quotation"]
        )["events"]
        keys = self._keys(events)
        self.assertIn(("quotation", "sale.order", mine.id), keys)
        self.assertNotIn(("quotation", "sale.order", theirs.id), keys)

    def test_timeline_salesman_without_accounting_gets_no_payments(self):
        self._pay_invoice(self._create_invoice())
        result = self.Timeline.with_user(self.salesman).get_timeline(self.customer.id)
        self.assertFalse([e for e in result["events"] if e["event_type"] == "payment"])
        self.assertEqual(result["totals"]["paid"], 0)

    def test_timeline_refused_to_non_sales_user(self):
        with self.assertRaises(AccessError):
            self.Timeline.with_user(self.internal_user).get_timeline(self.customer.id)

    def test_timeline_data_for_the_screen(self):
        self._create_order(user=self.salesman)
        data = self.Timeline.with_user(self.salesman).get_timeline_data(self.contact.id)
        self.assertEqual(data["partner"]["id"], self.customer.id)
        self.assertIn([self.salesman.id, self.salesman.name], data["salespersons"])
        self.assertTrue(all(isinstance(e["date"], str) for e in data["events"]))

    def test_partner_timeline_action(self):
        action = self.contact.with_user(self.salesman).action_open_bridge_timeline()
        self.assertEqual(action["tag"], "crm_erp_bridge.timeline")
        self.assertEqual(action["params"]["partner_id"], self.customer.id)


@tagged("post_install", "-at_install", "is_query_count")
class TestCrmErpTimelineQueryCount(CrmErpBridgeCommon):
    """A timeline page costs the same number of queries whatever the
    customer's size."""

    @classmethod
    def _make_history(cls, partner, count):
        leads = cls.env["crm.lead"].create(
            [
                {"name": f"Deal {i}", "type": "opportunity", "partner_id": partner.id,
                 "user_id": cls.salesman.id, "expected_revenue": 100}
                for i in range(count)
            ]
        )
        orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": cls.salesman.id,
                    "order_line": [Command.create({"product_id": cls.product.id, "price_unit": 10})],
                }
                for _i in range(count)
            ]
        )
        orders[: count // 2].action_confirm()
        moves = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_user_id": cls.salesman.id,
                    "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [Command.create({"product_id": cls.product.id, "price_unit": 10})],
                }
                for _i in range(count)
            ]
        )
        moves.action_post()
        for lead in leads:
            lead.message_post(body="Call me", message_type="email", author_id=partner.id)
        return leads, orders, moves

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.small = cls.env["res.partner"].create({"name": "Small Customer", "is_company": True})
        cls.big = cls.env["res.partner"].create({"name": "Big Customer", "is_company": True})
        cls._make_history(cls.small, 5)
        cls._make_history(cls.big, 200)

    def _page_queries(self, partner):
        timeline = self.env["crm.erp.timeline"].with_user(self.sales_manager)
        timeline.get_timeline(partner.id)  # warm the caches
        self.env.flush_all()
        self.env.invalidate_all()
        gc.collect()  # environments left by earlier calls keep cached records until collected
        before = self.cr.sql_log_count
        result = timeline.get_timeline(partner.id)
        return self.cr.sql_log_count - before, result

    def test_page_query_count_constant(self):
        small_count, small = self._page_queries(self.small)
        self.assertLessEqual(small_count, 89)
        self.env.invalidate_all()
        timeline = self.env["crm.erp.timeline"].with_user(self.sales_manager)
        timeline.get_timeline(self.big.id)
        self.env.invalidate_all()
        with self.assertQueryCount(small_count):
            big = timeline.get_timeline(self.big.id)
        self.assertEqual(len(big["events"]), 80)
        self.assertTrue(big["has_more"])
        self.assertLess(len(small["events"]), 80)
