from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_followup import CrmErpBridgeFollowupCommon


@tagged("post_install", "-at_install")
class TestDunning(CrmErpBridgeFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Own levels in a dedicated company would need a chart of accounts: rather, archive the
        # company's levels for the test and create known ones.
        cls.env["crm.erp.dunning.level"].search([("company_id", "=", cls.company.id)]).action_archive()
        cls.level_1 = cls.env["crm.erp.dunning.level"].create(
            {"name": "Reminder 1", "days_overdue": 7, "mail_template_id": cls.invoice_template.id}
        )
        cls.level_2 = cls.env["crm.erp.dunning.level"].create(
            {
                "name": "Reminder 2",
                "days_overdue": 21,
                "mail_template_id": cls.invoice_template.id,
                "activity_type_id": cls.activity_type.id,
                "activity_user": "accountant",
                "accountant_id": cls.billing_user.id,
            }
        )

    def _run_dunning(self, invoices):
        return self.env["crm.erp.cadence.engine"]._run("account.move", record_ids=invoices.ids)[0]

    def test_level_due_sends_reminder(self):
        invoice = self._create_overdue_invoice(days=10)
        logs = self._run_dunning(invoice)
        self.assertEqual(logs.dunning_level_id, self.level_1)
        self.assertTrue(logs.mail_sent)
        self.assertEqual(invoice.bridge_dunning_level_id, self.level_1)

    def test_not_overdue_enough_sends_nothing(self):
        invoice = self._create_overdue_invoice(days=3)
        self.assertFalse(self._run_dunning(invoice))

    def test_second_level_schedules_activity_for_accountant(self):
        invoice = self._create_overdue_invoice(days=25)
        logs = self._run_dunning(invoice).filtered(lambda log: not log.skipped_reason)
        self.assertEqual(logs.dunning_level_id, self.level_2)
        self.assertEqual(logs.activity_id.user_id, self.billing_user)

    def test_paid_invoice_not_chased(self):
        invoice = self._create_overdue_invoice(days=10)
        self._pay_invoice(invoice)
        self.assertFalse(self._run_dunning(invoice))

    def test_do_not_chase_customer_skipped(self):
        self.customer.bridge_do_not_chase = True
        invoice = self._create_overdue_invoice(days=10)
        self.assertFalse(self._run_dunning(invoice))

    def test_promise_to_pay_pauses_reminders(self):
        self.customer.bridge_promise_to_pay_date = fields.Date.today() + timedelta(days=3)
        invoice = self._create_overdue_invoice(days=10)
        self.assertFalse(self._run_dunning(invoice))

    def test_past_promise_to_pay_resumes_reminders(self):
        self.customer.bridge_promise_to_pay_date = fields.Date.today() - timedelta(days=1)
        invoice = self._create_overdue_invoice(days=10)
        self.assertTrue(self._run_dunning(invoice))

    def test_billing_user_sends_reminder_manually(self):
        invoice = self._create_overdue_invoice(days=10)
        invoice.with_user(self.billing_user).action_bridge_send_reminder()
        self.assertTrue(invoice.bridge_dunning_log_ids.manual)

    def test_billing_user_sends_reminders_from_customer(self):
        invoice = self._create_overdue_invoice(days=10)
        self.customer.with_user(self.billing_user).action_bridge_send_statement()
        self.assertEqual(invoice.bridge_dunning_log_ids.dunning_level_id, self.level_1)
        self.assertEqual(invoice.bridge_dunning_log_ids.statement_id.move_ids, invoice)

    def test_manual_reminder_without_due_level_refused(self):
        invoice = self._create_overdue_invoice(days=2)
        with self.assertRaisesRegex(UserError, "No reminder is due"):
            invoice.with_user(self.billing_user).action_bridge_send_reminder()

    def test_user_without_invoicing_rights_refused(self):
        invoice = self._create_overdue_invoice(days=10)
        with self.assertRaises(AccessError):
            invoice.with_user(self.internal_user).action_bridge_send_reminder()

    def test_billing_user_may_not_configure_levels(self):
        with self.assertRaises(AccessError):
            self.level_1.with_user(self.billing_user).days_overdue = 3

    def test_reminder_once_per_level(self):
        invoice = self._create_overdue_invoice(days=10)
        self._run_dunning(invoice)
        self.assertFalse(self._run_dunning(invoice))

    def test_steps_aside_when_enterprise_followup_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "account_followup")])
        if module:
            module.state = "installed"
        else:
            self.env["ir.module.module"].create({"name": "account_followup", "state": "installed"})
        invoice = self._create_overdue_invoice(days=10)
        self.env["account.move"]._cron_bridge_dunning()
        self.assertFalse(invoice.bridge_dunning_log_ids)

    def test_negative_days_overdue_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.level_1.days_overdue = -5

    def test_template_for_wrong_model_refused(self):
        with self.assertRaisesRegex(ValidationError, "written for"):
            self.level_1.mail_template_id = self.quote_template

    def test_timeline_shows_reminders(self):
        """One event per statement sent (not per invoice)."""
        invoices = self._create_overdue_invoice(days=10) | self._create_overdue_invoice(days=12)
        statement = self._run_dunning(invoices).statement_id
        events = self.env["crm.erp.timeline"]._get_event_sources()["reminder_sent"](
            self.env["crm.erp.timeline"]._timeline_query(self.customer.ids, limit=5))
        self.assertEqual([(e["res_model"], e["res_id"]) for e in events], [("crm.erp.dunning.statement", statement.id)])
        self.assertIn("2 overdue invoice(s)", events[0]["name"])


@tagged("post_install", "-at_install")
class TestFollowupMultiCompany(CrmErpBridgeFollowupCommon):
    def test_other_company_levels_and_cadences_hidden(self):
        other = self.env["res.company"].create({"name": "Bridge Other Company"})
        level = self.env["crm.erp.dunning.level"].create(
            {"name": "Other reminder", "company_id": other.id, "activity_type_id": self.activity_type.id}
        )
        cadence = self.cadence.copy({"name": "Other cadence", "company_id": other.id})
        Level = self.env["crm.erp.dunning.level"].with_user(self.salesman)
        Cadence = self.env["crm.erp.followup.cadence"].with_user(self.salesman)
        self.assertFalse(Level.search([("id", "=", level.id)]))
        self.assertFalse(Cadence.search([("id", "=", cadence.id)]))
        self.assertEqual(Cadence.search([("id", "=", self.cadence.id)]), self.cadence)
