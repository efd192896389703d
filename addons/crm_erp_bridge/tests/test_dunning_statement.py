"""Payment reminders as statements: one per customer and level, listing the invoices due at that
level; disputed invoices excluded; late fees drafted; the accountant's worklist."""
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged, users

from .common_followup import CrmErpBridgeFollowupCommon


class DunningStatementCommon(CrmErpBridgeFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.erp.dunning.level"].search([("company_id", "=", cls.company.id)]).action_archive()
        cls.level_1 = cls.env["crm.erp.dunning.level"].create(
            {"name": "Statement 1", "days_overdue": 7, "mail_template_id": cls.invoice_template.id}
        )
        cls.level_2 = cls.env["crm.erp.dunning.level"].create(
            {"name": "Statement 2", "days_overdue": 21, "mail_template_id": cls.invoice_template.id,
             "activity_type_id": cls.activity_type.id}
        )
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Statement Customer B", "is_company": True, "email": "b@example.com"}
        )
        # the accountant of the worklist: invoicing rights and the bridge (to log calls)
        cls.accountant = new_test_user(
            cls.env, login="bridge_statement_accountant", name="Bridge Statement Accountant",
            groups="account.group_account_invoice,crm_erp_bridge.group_crm_erp_bridge_user",
        )

    def _run(self, invoices=None, **kwargs):
        return self.env["crm.erp.cadence.engine"]._run(
            "account.move", record_ids=invoices.ids if invoices else None, **kwargs)[0]


@tagged("post_install", "-at_install")
class TestDunningStatement(DunningStatementCommon):
    def test_one_statement_per_customer_and_level(self):
        invoices = self._create_overdue_invoice(days=10) | self._create_overdue_invoice(days=12, price=300.0)
        late = self._create_overdue_invoice(days=30)
        logs = self._run(invoices | late).filtered(lambda log: not log.skipped_reason)
        statements = logs.statement_id
        self.assertEqual(len(statements), 2)
        first = statements.filtered(lambda s: s.level_id == self.level_1)
        self.assertEqual(first.move_ids, invoices)
        self.assertEqual(first.amount_residual, 800.0)
        self.assertEqual(first.partner_id, self.customer)
        self.assertEqual(statements.filtered(lambda s: s.level_id == self.level_2).move_ids, late)
        # one email per statement, listing its invoices, on the statement's chatter
        message = first.mail_message_id
        self.assertTrue(first.mail_sent)
        self.assertEqual(message.model, "crm.erp.dunning.statement")
        for invoice in invoices:
            self.assertIn(invoice.name, message.body)
        self.assertEqual(logs.filtered(lambda log: log.dunning_level_id == self.level_1).mail_message_id, message)

    def test_every_due_invoice_in_exactly_one_statement_over_cron_batches(self):
        """Conservation: small cron batches never split a customer's statement, and every due
        invoice is listed exactly once."""
        customers = self.customer | self.customer_b | self.env["res.partner"].create(
            {"name": "Statement Customer C", "is_company": True, "email": "c@example.com"})
        invoices = self.env["account.move"]
        for customer in customers:
            for days in (8, 9, 10):
                invoices |= self._create_overdue_invoice(partner=customer, days=days)
        not_due = self._create_overdue_invoice(days=2)
        remaining = []
        for _batch in range(3):
            remaining.append(self.env["crm.erp.cadence.engine"]._run(
                "account.move", record_ids=(invoices | not_due).ids, limit=2, isolate=True)[1])
        self.assertEqual(remaining, [6, 3, 0])
        statements = self.env["crm.erp.dunning.statement"].search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(statements), 3, "one statement per customer, none split over batches")
        listed = statements.move_ids
        self.assertEqual(listed, invoices)
        self.assertEqual(sum(len(s.move_ids) for s in statements), len(invoices))
        self.assertFalse(not_due.bridge_dunning_statement_ids)
        for statement in statements:
            self.assertEqual(statement.move_ids.commercial_partner_id, statement.partner_id)
            self.assertEqual(statement.log_ids.move_id, statement.move_ids)

    def test_missed_level_logged_without_statement(self):
        invoice = self._create_overdue_invoice(days=30)
        logs = self._run(invoice)
        missed = logs.filtered(lambda log: log.skipped_reason == "missed")
        self.assertEqual(missed.dunning_level_id, self.level_1)
        self.assertFalse(missed.statement_id)
        self.assertEqual(invoice.bridge_dunning_statement_ids.level_id, self.level_2)

    def test_statement_links_each_invoice_portal_page(self):
        invoice = self._create_overdue_invoice(days=10)
        template = self.env.ref("crm_erp_bridge.mail_template_dunning_statement")
        self.level_1.mail_template_id = template
        statement = self._run(invoice).statement_id
        self.assertTrue(invoice.access_token)
        body = statement.mail_message_id.body
        self.assertIn(f"access_token={invoice.access_token}", body)
        self.assertIn(invoice.name, body)
        self.assertIn("View and pay", body)

    def test_statement_in_customer_language(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.customer.lang = "it_IT"
        template = self.env.ref("crm_erp_bridge.mail_template_dunning_statement")
        self.level_1.mail_template_id = template
        statement = self._run(self._create_overdue_invoice(days=10)).statement_id
        self.assertEqual(template._render_lang(statement.ids), {statement.id: "it_IT"})
        # amounts and dates of the invoice table formatted the Italian way
        self.assertIn("500,00", statement.invoice_table_html)

    def test_statement_emails_of_a_batch_queued_in_each_customer_language(self):
        """One run renders the emails of customers of different languages in one batch: each in
        its customer's language, queued (not sent inline), kept on its statement's chatter."""
        self.env["res.lang"]._activate_lang("it_IT")
        self.customer.lang = "it_IT"
        self.customer_b.lang = "en_US"
        self.level_1.mail_template_id = self.env.ref("crm_erp_bridge.mail_template_dunning_statement")
        logs = self._run(self._create_overdue_invoice(days=10)
                         | self._create_overdue_invoice(partner=self.customer_b, days=10))
        statements = logs.statement_id
        self.assertEqual(len(statements), 2)
        for statement, amount in ((statements.filtered(lambda s: s.partner_id == self.customer), "500,00"),
                                  (statements.filtered(lambda s: s.partner_id == self.customer_b), "500.00")):
            message = statement.mail_message_id
            self.assertIn(amount, message.body)
            self.assertEqual(message.message_type, "email_outgoing")
            self.assertIn(message, statement.message_ids)
            mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
            self.assertEqual(mail.state, "outgoing")
            self.assertEqual(mail.recipient_ids, statement.recipient_id)
            self.assertTrue(mail.is_notification, "the message stays on the chatter once the mail is sent")

    def test_statement_email_to_blacklisted_address_cancelled(self):
        """As Odoo's mass-mail composer did: never queued to a blacklisted address."""
        self.env["mail.blacklist"].sudo()._add(self.customer_b.email)
        statement = self._run(self._create_overdue_invoice(partner=self.customer_b, days=10)).statement_id
        mail = self.env["mail.mail"].sudo().search(
            [("model", "=", statement._name), ("res_id", "=", statement.id)])
        self.assertEqual((mail.state, mail.failure_type), ("cancel", "mail_bl"))

    def test_statement_sent_to_invoicing_address(self):
        billing = self.env["res.partner"].create(
            {"name": "Statement Billing", "type": "invoice", "parent_id": self.customer.id, "email": "ap@example.com"})
        statement = self._run(self._create_overdue_invoice(days=10)).statement_id
        self.assertEqual(statement.recipient_id, billing)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", statement.mail_message_id.id)])
        self.assertEqual(mail.recipient_ids, billing)

    def test_do_not_contact_statement_logged_not_sent(self):
        self.customer.bridge_do_not_contact = True
        logs = self._run(self._create_overdue_invoice(days=10))
        self.assertEqual(logs.statement_id.skipped_reason, "do_not_contact")
        self.assertEqual(logs.skipped_reason, "do_not_contact")
        self.assertFalse(logs.statement_id.mail_message_id)

    def test_level_activity_scheduled_once_per_statement(self):
        invoices = self._create_overdue_invoice(days=25) | self._create_overdue_invoice(days=30)
        statement = self._run(invoices).statement_id
        self.assertEqual(len(statement), 1)
        self.assertEqual(statement.activity_id.res_id, statement.id)
        self.assertEqual(statement.activity_id.activity_type_id, self.activity_type)

    def test_group_by_seam_drives_the_statements(self):
        """A consultant's rule: one statement per invoice contact instead of per customer."""
        contact_invoice = self._create_overdue_invoice(days=10, partner=self.contact)
        company_invoice = self._create_overdue_invoice(days=10)
        move_class = type(self.env["account.move"])
        original = move_class._cadence_spec

        def spec(moves):
            return dict(original(moves), group_by="partner_id")
        with patch.object(move_class, "_cadence_spec", spec):
            self.env["account.move"]._cron_bridge_dunning()
        self.assertNotEqual(contact_invoice.bridge_dunning_statement_ids, company_invoice.bridge_dunning_statement_ids)


@tagged("post_install", "-at_install")
class TestDunningExclusion(DunningStatementCommon):
    @users("bridge_statement_accountant")
    def test_disputed_invoice_excluded_customer_still_chased(self):
        disputed = self._create_overdue_invoice(days=30).with_env(self.env)
        other = self._create_overdue_invoice(days=10).with_env(self.env)
        disputed.write({"bridge_dunning_excluded": True, "bridge_dunning_exclusion_reason": "Broken goods"})
        self.customer.with_env(self.env).action_bridge_send_statement()
        self.assertFalse(disputed.bridge_dunning_log_ids)
        statement = other.bridge_dunning_statement_ids
        self.assertEqual(statement.move_ids, other)
        # not counted for the level either: the 30-day invoice would have made it level 2
        self.assertEqual(statement.level_id, self.level_1)
        self.assertFalse(self.customer.with_env(self.env).bridge_dunning_due_level_id)

    def test_exclusion_needs_a_reason(self):
        invoice = self._create_overdue_invoice(days=10)
        with self.assertRaisesRegex(ValidationError, "Give the reason"):
            invoice.with_user(self.billing_user).bridge_dunning_excluded = True

    def test_user_without_invoicing_rights_may_not_exclude(self):
        invoice = self._create_overdue_invoice(days=10)
        with self.assertRaises(AccessError):
            invoice.with_user(self.internal_user).write(
                {"bridge_dunning_excluded": True, "bridge_dunning_exclusion_reason": "Broken"})


@tagged("post_install", "-at_install")
class TestDunningFees(DunningStatementCommon):
    def test_percent_fee_drafted_once_per_statement(self):
        self.level_1.write({"fee_type": "percent", "fee_percent": 2.0})
        invoices = self._create_overdue_invoice(days=10) | self._create_overdue_invoice(days=11, price=250.0)
        statement = self._run(invoices).statement_id
        fee = statement.fee_move_id
        self.assertEqual(fee.state, "draft")
        self.assertEqual(fee.move_type, "out_invoice")
        self.assertEqual(fee.partner_id, self.customer)
        self.assertEqual(fee.invoice_line_ids.product_id, self.env.ref("crm_erp_bridge.product_dunning_fee"))
        self.assertEqual(fee.invoice_line_ids.price_unit, 15.0)

    def test_fixed_fee_and_shipped_product(self):
        self.assertEqual(self.level_1.fee_product_id, self.env.ref("crm_erp_bridge.product_dunning_fee"))
        self.level_1.write({"fee_type": "fixed", "fee_fixed_amount": 40.0})
        statement = self._run(self._create_overdue_invoice(days=10)).statement_id
        self.assertEqual(statement.fee_move_id.amount_untaxed, 40.0)
        self.assertEqual(statement.fee_move_id.state, "draft")

    def test_fee_amount_seam_drives_the_run(self):
        self.level_1.write({"fee_type": "fixed", "fee_fixed_amount": 40.0})
        level_class = type(self.env["crm.erp.dunning.level"])
        with patch.object(level_class, "_dunning_fee_amount", lambda level, amount: 7.5):
            statement = self._run(self._create_overdue_invoice(days=10)).statement_id
        self.assertEqual(statement.fee_move_id.invoice_line_ids.price_unit, 7.5)

    def test_no_fee_no_invoice(self):
        statement = self._run(self._create_overdue_invoice(days=10)).statement_id
        self.assertFalse(statement.fee_move_id)

    def test_fee_must_be_positive(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self.level_1.write({"fee_type": "fixed", "fee_fixed_amount": 0.0})

    def test_billing_user_may_not_configure_fees(self):
        with self.assertRaises(AccessError):
            self.level_1.with_user(self.billing_user).write({"fee_type": "fixed", "fee_fixed_amount": 5.0})


@tagged("post_install", "-at_install")
class TestDunningWorklist(DunningStatementCommon):
    def _worklist(self):
        return self.env["res.partner"].search([("bridge_dunning_to_chase", "=", True)])

    @users("bridge_statement_accountant")
    def test_worklist_lists_customers_due_with_level(self):
        self._create_overdue_invoice(days=10)
        self._create_overdue_invoice(days=25)
        self._create_overdue_invoice(days=3, partner=self.customer_b)
        worklist = self._worklist()
        self.assertIn(self.customer, worklist)
        self.assertNotIn(self.customer_b, worklist)
        customer = self.customer.with_env(self.env)
        self.assertEqual(customer.bridge_dunning_due_level_id, self.level_2)
        self.assertEqual(customer.bridge_dunning_due_count, 2)

    @users("bridge_statement_accountant")
    def test_send_statement_updates_last_action_and_leaves_worklist(self):
        self._create_overdue_invoice(days=10)
        customer = self.customer.with_env(self.env)
        result = customer.action_bridge_send_statement()
        self.assertEqual(result["params"]["type"], "success")
        customer.invalidate_recordset()
        self.assertIn("Statement sent: Statement 1", customer.bridge_dunning_last_action)
        self.assertTrue(customer.bridge_dunning_last_action_date)
        self.assertNotIn(self.customer, self._worklist())
        self.assertTrue(customer.bridge_dunning_statement_ids.manual)

    @users("bridge_statement_accountant")
    def test_promise_to_pay_pauses_chasing(self):
        self._create_overdue_invoice(days=10)
        wizard = self.env["crm.erp.promise.to.pay"].with_context(default_partner_id=self.contact.id).create(
            {"promise_date": fields.Date.today() + timedelta(days=5), "note": "Bank transfer on Friday"})
        self.assertEqual(wizard.partner_id, self.customer)
        wizard.action_confirm()
        self.assertEqual(self.customer.bridge_promise_to_pay_note, "Bank transfer on Friday")
        self.assertNotIn(self.customer, self._worklist())
        with self.assertRaisesRegex(UserError, "No reminder is due"):
            self.customer.with_env(self.env).action_bridge_send_statement()

    @users("bridge_statement_accountant")
    def test_promise_in_the_past_refused(self):
        wizard = self.env["crm.erp.promise.to.pay"].create(
            {"partner_id": self.customer.id, "promise_date": fields.Date.today() - timedelta(days=1)})
        with self.assertRaisesRegex(UserError, "cannot be in the past"):
            wizard.action_confirm()

    @users("bridge_statement_accountant")
    def test_log_call_updates_last_action(self):
        action = self.customer.with_env(self.env).action_bridge_log_call()
        wizard = self.env[action["res_model"]].with_context(action["context"]).create({"outcome": "positive"})
        wizard.action_log()
        customer = self.customer.with_env(self.env)
        self.assertEqual(customer.bridge_dunning_last_action, "Call: Positive")

    @users("bridge_statement_accountant")
    def test_print_last_statement(self):
        self._create_overdue_invoice(days=10)
        customer = self.customer.with_env(self.env)
        with self.assertRaisesRegex(UserError, "No statement was made"):
            customer.action_bridge_print_statement()
        customer.action_bridge_send_statement()
        action = customer.action_bridge_print_statement()
        self.assertEqual(action["report_name"], "crm_erp_bridge.report_dunning_statement")
        statement = customer.bridge_dunning_statement_ids
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "crm_erp_bridge.report_dunning_statement", statement.ids)
        self.assertIn(statement.move_ids.name, html.decode())

    def test_user_without_invoicing_rights_refused(self):
        self._create_overdue_invoice(days=10)
        customer = self.customer.with_user(self.internal_user)
        with self.assertRaises(AccessError):
            customer.action_bridge_send_statement()
        with self.assertRaises(AccessError):
            customer.action_bridge_print_statement()
        with self.assertRaises(AccessError):
            customer.action_bridge_promise_to_pay()
        with self.assertRaises(AccessError):
            self.env["crm.erp.promise.to.pay"].with_user(self.internal_user).create(
                {"partner_id": self.customer.id, "promise_date": fields.Date.today()})

    def test_salesperson_refused_sending_and_reading_statement_pdf(self):
        """A salesperson sees statements on the timeline but may not send them."""
        self._create_overdue_invoice(days=10)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).action_bridge_send_statement()

    def test_eligible_domain_override_drives_the_worklist(self):
        self._create_overdue_invoice(days=10)
        move_class = type(self.env["account.move"])
        original = move_class._cadence_eligible_domain

        def eligible(moves, today):
            return [*original(moves, today), ("commercial_partner_id", "!=", self.customer.id)]
        with patch.object(move_class, "_cadence_eligible_domain", eligible):
            self.assertNotIn(self.customer, self._worklist())
        self.assertIn(self.customer, self._worklist())

    def test_other_company_statements_hidden(self):
        other = self.env["res.company"].create({"name": "Statement Other Company"})
        level = self.env["crm.erp.dunning.level"].create(
            {"name": "Other level", "company_id": other.id, "activity_type_id": self.activity_type.id})
        statement = self.env["crm.erp.dunning.statement"].create({
            "company_id": other.id, "partner_id": self.customer_b.id, "level_id": level.id,
            "move_ids": [Command.set([])]})
        Statement = self.env["crm.erp.dunning.statement"].with_user(self.accountant)
        self.assertFalse(Statement.search([("id", "=", statement.id)]))
