from collections import defaultdict

from odoo import Command, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools.mail import email_normalize, email_split_and_format


class CrmErpDunningStatement(models.Model):
    """One payment reminder sent to one customer at one level: the statement of the customer's
    invoices due at that level, sent as one email (and printable as a PDF letter).

    Created by the cadence engine for each (customer, level) group of due invoices; every invoice
    of the run is in exactly one statement (its reminder log line points to it).
    """

    _name = "crm.erp.dunning.statement"
    _inherit = ["mail.thread"]
    _description = "Payment Reminder Statement"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True, check_company=True,
        ondelete="cascade",
    )
    recipient_id = fields.Many2one(
        "res.partner", string="Sent To", readonly=True, check_company=True,
        help="The customer's invoicing contact the statement is addressed to.",
    )
    level_id = fields.Many2one(
        "crm.erp.dunning.level", string="Reminder Level", required=True, readonly=True, check_company=True,
        ondelete="cascade",
    )
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    move_ids = fields.Many2many(
        "account.move", "crm_erp_dunning_statement_move_rel", "statement_id", "move_id",
        string="Invoices", readonly=True, check_company=True,
    )
    log_ids = fields.One2many("crm.erp.cadence.log", "statement_id", string="Reminder Log", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_residual = fields.Monetary(
        string="Amount Due", readonly=True, currency_field="currency_id",
        help="What the listed invoices still owe, in company currency, when the statement was made.",
    )
    mail_sent = fields.Boolean(string="Email Sent", readonly=True)
    mail_message_id = fields.Many2one("mail.message", string="Email", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    skipped_reason = fields.Selection(
        [("do_not_contact", "Customer may not be contacted")], string="Email Not Sent Because", readonly=True,
    )
    fee_move_id = fields.Many2one(
        "account.move", string="Late Fee Invoice", readonly=True, check_company=True, ondelete="set null",
        help="Draft invoice of the level's late fee or interest, for the accountant to check and confirm.",
    )
    manual = fields.Boolean(readonly=True, help="Sent by a user rather than by the scheduled job.")
    invoice_table_html = fields.Html(
        string="Invoice Table", compute="_compute_invoice_table_html", sanitize=False,
        help="The statement's invoices (dates, amounts, payment links) in the customer's language, "
        "for the email templates (view crm_erp_bridge.dunning_statement_invoice_table).",
    )
    amount_residual_text = fields.Char(string="Amount Due (Text)", compute="_compute_invoice_table_html")

    @api.depends("partner_id", "level_id", "date")
    def _compute_display_name(self):
        for statement in self:
            statement.display_name = self.env._(
                "%(level)s - %(customer)s (%(date)s)",
                level=statement.level_id.name or "",
                customer=statement.partner_id.display_name or "",
                date=fields.Date.to_string(fields.Date.context_today(statement, statement.date))
                if statement.date else "",
            )

    def _compute_invoice_table_html(self):
        """Rendered with a QWeb view, compiled once per process (a statement run renders thousands);
        dates and amounts are formatted once per value and language for the whole batch."""
        qweb = self.env["ir.qweb"]
        eval_context = self.env["mail.render.mixin"]._render_eval_context()
        eval_context.update(self._invoice_table_formatters())
        self.move_ids._bridge_ensure_portal_tokens()
        self.move_ids.fetch(["name", "invoice_date", "invoice_date_due", "amount_total", "amount_residual",
                             "currency_id", "access_token"])
        base_urls = {}  # the base URL depends on the company (website) at most
        for statement in self:
            if statement.company_id not in base_urls:
                base_urls[statement.company_id] = statement.get_base_url()
            lang = statement.partner_id.lang or self.env.lang
            statement_lang = statement.with_context(lang=lang)
            statement.invoice_table_html = qweb.with_context(lang=lang)._render(
                "crm_erp_bridge.dunning_statement_invoice_table",
                dict(eval_context, statement=statement_lang, invoices=statement_lang._get_report_lines(),
                     base_url=base_urls[statement.company_id], lang=lang),
            )
            statement.amount_residual_text = eval_context["format_amount"](
                statement.amount_residual, statement.currency_id, lang_code=lang)

    def _invoice_table_formatters(self):
        """``format_date`` and ``format_amount`` for the invoice table, memoised per value and
        language: a run formats the same few dates and amounts thousands of times."""
        env = self.env
        dates, amounts = {}, {}

        def format_date(value, date_format=False, lang_code=False):
            key = (value, date_format, lang_code)
            if key not in dates:
                dates[key] = tools.format_date(env, value, lang_code=lang_code, date_format=date_format)
            return dates[key]

        def format_amount(amount, currency, lang_code=False):
            key = (amount, currency.id, lang_code)
            if key not in amounts:
                amounts[key] = tools.format_amount(env, amount, currency, lang_code=lang_code)
            return amounts[key]

        return {"format_date": format_date, "format_amount": format_amount}

    def mail_allowed_qweb_expressions(self):
        """The statement templates only use these: rendered without evaluating code (fast, and
        editable by users who are not template editors)."""
        return super().mail_allowed_qweb_expressions() + (
            "object.recipient_id.name",
            "object.company_id.name",
            "object.level_id.name",
            "object.invoice_table_html",
            "object.amount_residual_text",
        )

    # ------------------------------------------------------------------
    # Creation and sending (called by the dunning level, as superuser)
    # ------------------------------------------------------------------
    @api.model
    def _prepare_statement_values(self, level, invoices, recipient):
        """Values of the statement of ``invoices`` (one customer) at ``level``, to ``recipient``."""
        partner = invoices[:1].commercial_partner_id
        return {
            "company_id": level.company_id.id,
            "partner_id": partner.id,
            "recipient_id": recipient.id,
            "level_id": level.id,
            "user_id": level._cadence_activity_user(invoices[:1]).id,
            "move_ids": [Command.set(invoices.ids)],
            "amount_residual": sum(invoices.mapped("amount_residual_signed")),
        }

    @api.model
    def _create_statements(self, level, groups):
        """Create the statements of ``groups`` (recordsets of invoices of one customer each) at
        ``level`` in one batch, send their email, schedule their activity, draft their late fee.
        :return: the statements, in the order of ``groups``"""
        Statement = self.sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        invoices = self.env["account.move"].union(*groups)
        invoices.fetch(["commercial_partner_id", "amount_residual_signed", "invoice_user_id", "partner_id"])
        recipients = level._statement_recipients(invoices.commercial_partner_id)
        statements = Statement.create([
            self._prepare_statement_values(level, group, recipients[group[:1].commercial_partner_id.id])
            for group in groups
        ])
        statements._send_statement_email()
        statements._schedule_statement_activity()
        statements._create_fee_invoices()
        return statements

    def _send_statement_email(self):
        """Send the level's email template to the statements whose recipient may be contacted.

        Per template, the whole batch is rendered at once (grouped by the customers' languages) and
        its emails are created in one batch and queued (the mail queue sends them; a batch never
        waits on SMTP); each email stays on the statement's chatter as its trace."""
        contactable = self.filtered(lambda s: s.level_id._cadence_may_contact(s.recipient_id))
        (self - contactable).write({"skipped_reason": "do_not_contact"})
        by_template = defaultdict(lambda: self.browse())
        for statement in contactable:
            if statement.level_id.mail_template_id:
                by_template[statement.level_id.mail_template_id] |= statement
        for template, statements in by_template.items():
            statements.move_ids._bridge_ensure_portal_tokens()
            rendered = statements._render_statement_email(template)
            mails = statements._create_statement_mails(rendered)
            statements.mail_sent = True
            for statement, mail in zip(statements, mails, strict=True):
                statement.mail_message_id = mail.mail_message_id

    def _render_statement_email(self, template):
        """``{statement id: values}`` of ``template`` rendered for these statements in one call
        (``mail.template._generate_template`` renders per language of the customers)."""
        return template._generate_template(
            self.ids,
            ["subject", "body_html", "email_from", "reply_to", "partner_to", "email_to", "email_cc",
             "scheduled_date", "auto_delete", "mail_server_id", "attachment_ids", "report_template_ids"],
            find_or_create_partners=True,
        )

    def _prepare_statement_mail_values(self, rendered):
        """``(message values, mail values)`` of each statement's email, in the order of ``self``,
        from the ``rendered`` template values: what Odoo's mass-mail composer writes (an outgoing
        email kept on the statement's chatter once sent, replies routed to the statement)."""
        companies = self._mail_get_companies(default=self.env.company)
        alias_domains = self._mail_get_alias_domains(default_company=self.env.company)
        reply_tos = self._notify_get_reply_to(default=False)
        author = self.env.user.partner_id
        recipients = self.env["res.partner"].browse(
            {pid for values in rendered.values() for pid in values.get("partner_ids") or []})
        blacklist = set(self.env["mail.blacklist"].sudo().search(
            [("email", "in", [email for email in recipients.mapped("email_normalized") if email])]
        ).mapped("email"))
        values_list = []
        for statement in self:
            values = rendered[statement.id]
            failure = self._statement_mail_failure(
                recipients.browse(values.get("partner_ids") or []), values.get("email_to"), blacklist)
            email_from = values.get("email_from") or author.email_formatted
            message_values = {
                "model": self._name,
                "res_id": statement.id,
                "message_type": "email_outgoing",
                "author_id": author.id,
                "record_name": False,
                "subject": values.get("subject") or "",
                "body": values.get("body_html") or "",
                "email_from": email_from,
                "reply_to": values.get("reply_to") or reply_tos.get(statement.id) or email_from,
                "attachment_ids": [Command.link(aid) for aid in values.get("attachment_ids") or []],
                "mail_server_id": values.get("mail_server_id") or False,
                "record_company_id": companies[statement.id].id,
                "record_alias_domain_id": alias_domains[statement.id].id,
            }
            mail_values = {
                # as the mass-mail composer: a blacklisted address leaves no trace on the chatter
                "is_notification": failure != "mail_bl",
                **({"state": "cancel", "failure_type": failure} if failure else {}),
                "body_html": values.get("body_html") or "",
                "recipient_ids": [Command.link(pid) for pid in values.get("partner_ids") or []],
                "email_to": values.get("email_to") or False,
                "email_cc": values.get("email_cc") or False,
                "scheduled_date": values.get("scheduled_date") or False,
                "auto_delete": values.get("auto_delete", True),
                "headers": repr(statement._notify_by_email_get_headers()),
            }
            values_list.append((message_values, mail_values))
        return values_list

    @api.model
    def _statement_mail_failure(self, partners, email_to, blacklist):
        """Why a statement email to ``partners`` (and ``email_to``) is cancelled rather than
        queued, as a mail failure type, or False (the checks of Odoo's mass-mail composer: a
        blacklisted, missing or invalid address). ``blacklist``: the blacklisted emails."""
        mail_to = [partner.email for partner in partners if partner.email] + email_split_and_format(email_to)
        normalized = {email_normalize(email, strict=False) for email in mail_to} - {False}
        if normalized & blacklist:
            return "mail_bl"
        if not mail_to:
            return "mail_email_missing"
        if not normalized:
            return "mail_email_invalid"
        return False

    def _create_statement_mails(self, rendered):
        """Queue the statement emails in one batch: their chatter messages, then the mails of
        those messages (the body is sanitised once, on the message); report attachments (if the
        template has reports) are stored on each message. :return: the mails, in the order of
        ``self``"""
        values_list = self._prepare_statement_mail_values(rendered)
        messages = self.env["mail.message"].sudo().create([message for message, _mail in values_list])
        mails = self.env["mail.mail"].sudo().create([
            dict(mail, mail_message_id=message.id)
            for message, (_message, mail) in zip(messages, values_list, strict=True)
        ])
        for statement, mail in zip(self, mails, strict=True):
            reports = rendered[statement.id].get("attachments")
            if reports:
                mail.with_context(default_type=None).write({"attachment_ids": [Command.create({
                    "name": name, "datas": datas, "type": "binary",
                    "res_model": "mail.message", "res_id": mail.mail_message_id.id,
                }) for name, datas in reports]})
        return mails

    def _schedule_statement_activity(self):
        """Schedule the level's activity on the statements, for the level's responsible user."""
        today = fields.Date.context_today(self)
        vals = []
        for statement in self:
            level = statement.level_id
            if not level.activity_type_id:
                continue
            vals.append({
                "res_model_id": self.env["ir.model"]._get_id(self._name),
                "res_id": statement.id,
                "activity_type_id": level.activity_type_id.id,
                "summary": level.activity_summary or level.name,
                "user_id": statement.user_id.id or self.env.uid,
                "date_deadline": fields.Date.add(today, days=level.activity_delay),
            })
        activities = self.env["mail.activity"].sudo().create(vals)
        for activity in activities:
            self.browse(activity.res_id).activity_id = activity

    def _create_fee_invoices(self):
        """Draft one late fee invoice per statement whose level charges a fee (never posted here:
        the accountant checks and confirms it)."""
        statements = self.filtered(lambda s: s.level_id.fee_type != "none")
        if not statements:
            return
        vals = [statement._prepare_fee_invoice_values() for statement in statements]
        fee_moves = self.env["account.move"].sudo().with_context(default_move_type="out_invoice").create(vals)
        for statement, move in zip(statements, fee_moves, strict=True):
            statement.fee_move_id = move

    def _prepare_fee_invoice_values(self):
        """Values of the draft late fee invoice of this statement (seam)."""
        self.ensure_one()
        level = self.level_id
        return {
            "move_type": "out_invoice",
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "invoice_origin": self.display_name,
            "invoice_line_ids": [Command.create({
                "product_id": level.fee_product_id.id,
                "name": self.env._(
                    "%(fee)s: %(invoices)s", fee=level.fee_product_id.name,
                    invoices=", ".join(self.move_ids.mapped("name"))),
                "quantity": 1,
                "price_unit": level._dunning_fee_amount(self.amount_residual),
            })],
        }

    def _log_values(self):
        """``{invoice id: values of its reminder log line}`` for the invoices of these statements."""
        values = {}
        for statement in self:
            for move_id in statement.move_ids.ids:
                values[move_id] = {
                    "statement_id": statement.id,
                    "mail_sent": statement.mail_sent,
                    "mail_message_id": statement.mail_message_id.id,
                    "activity_id": statement.activity_id.id,
                    "skipped_reason": statement.skipped_reason or False,
                }
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_print(self):
        """Print the statements as PDF letters (refused on a statement the user cannot read)."""
        self.check_access("read")
        return self.env.ref("crm_erp_bridge.action_report_dunning_statement").report_action(self)

    def action_open_fee_invoice(self):
        self.ensure_one()
        self.check_access("read")
        if not self.fee_move_id:
            raise UserError(self.env._("This statement has no late fee invoice."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.fee_move_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Report helpers
    # ------------------------------------------------------------------
    def _get_report_lines(self):
        """The invoices of the statement that are still unpaid, oldest due first (report seam)."""
        self.ensure_one()
        return self.move_ids.sorted(lambda m: (m.invoice_date_due or fields.Date.today(), m.id))

