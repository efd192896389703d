from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CrmErpBridgeCommon


@tagged("post_install", "-at_install")
class TestCrmErpLogInteraction(CrmErpBridgeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Bridge Deal", "type": "opportunity", "partner_id": cls.contact.id,
             "user_id": cls.salesman.id}
        )
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")

    def _log(self, user, **values):
        wizard = self.env["crm.erp.log.interaction"].with_user(user).create(values)
        wizard.action_log()
        return self.env["crm.erp.interaction"].search([("partner_id", "=", self.customer.id)], limit=1)

    def test_log_call_from_opportunity(self):
        interaction = self._log(
            self.salesman, lead_id=self.lead.id, interaction_type="call", outcome="positive",
            note="Wants a demo",
        )
        self.assertEqual(interaction.partner_id, self.customer)
        self.assertEqual(interaction.contact_id, self.contact)
        self.assertEqual(interaction.user_id, self.salesman)
        message = self.lead.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("crm_erp_bridge.mt_bridge_interaction")
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.salesman.partner_id)
        self.assertIn("Wants a demo", message.body)

    def test_log_visit_from_customer_schedules_next_step(self):
        deadline = fields.Date.today() + timedelta(days=7)
        interaction = self._log(
            self.salesman, partner_id=self.customer.id, interaction_type="visit",
            next_activity_type_id=self.call_type.id, next_date=deadline, next_summary="Call back",
        )
        self.assertEqual(interaction.activity_id.res_model, "res.partner")
        self.assertEqual(interaction.activity_id.res_id, self.customer.id)
        self.assertEqual(interaction.activity_id.date_deadline, deadline)
        self.assertEqual(interaction.activity_id.user_id, self.salesman)

    def test_log_meeting_from_order(self):
        order = self._create_order(user=self.salesman)
        interaction = self._log(self.salesman, order_id=order.id, interaction_type="meeting")
        self.assertEqual(interaction.order_id, order)
        self.assertEqual(interaction.partner_id, self.customer)
        self.assertTrue(
            order.message_ids.filtered(
                lambda m: m.subtype_id == self.env.ref("crm_erp_bridge.mt_bridge_interaction")
            )
        )

    def test_logged_interaction_on_timeline(self):
        interaction = self._log(self.salesman, lead_id=self.lead.id, note="Discussed terms")
        events = self.env["crm.erp.timeline"].with_user(self.salesman).get_timeline(
            self.customer.id, event_types=["interaction"]
        )["events"]
        self.assertEqual([(e["res_model"], e["res_id"]) for e in events],
                         [("crm.erp.interaction", interaction.id)])
        self.assertIn("Discussed terms", events[0]["description"])

    def test_next_date_without_type_refused(self):
        wizard = self.env["crm.erp.log.interaction"].with_user(self.salesman).create(
            {"lead_id": self.lead.id, "next_date": fields.Date.today()}
        )
        with self.assertRaises(UserError):
            wizard.action_log()

    def test_non_sales_user_cannot_log(self):
        with self.assertRaises(AccessError):
            self.env["crm.erp.log.interaction"].with_user(self.internal_user).create(
                {"partner_id": self.customer.id}
            )

    def test_salesman_cannot_read_colleague_interactions(self):
        interaction = self._log(self.other_salesman, partner_id=self.customer.id)
        with self.assertRaises(AccessError):
            interaction.with_user(self.salesman).read(["note"])

    def test_interactions_of_other_companies_hidden(self):
        other_company = self.env["res.company"].create({"name": "Bridge Other Company"})
        manager = self.env["res.users"].create({
            "name": "Bridge Two-Company Manager",
            "login": "bridge_two_company_manager",
            "company_id": self.company.id,
            "company_ids": [(6, 0, (self.company | other_company).ids)],
            "groups_id": [(6, 0, [self.env.ref("crm_erp_bridge.group_crm_erp_bridge_manager").id,
                                  self.env.ref("sales_team.group_sale_manager").id])],
        })
        foreign = self.env["crm.erp.interaction"].create({
            "partner_id": self.customer.id, "company_id": other_company.id, "user_id": manager.id,
        })
        visible = self.env["crm.erp.interaction"].with_user(manager).with_context(
            allowed_company_ids=self.company.ids
        ).search([("partner_id", "=", self.customer.id)])
        self.assertNotIn(foreign, visible)
