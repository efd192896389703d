from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL


class AccountMove(models.Model):
    _inherit = "account.move"

    bridge_dunning_log_ids = fields.One2many("crm.erp.cadence.log", "move_id", string="Payment Reminders")
    bridge_dunning_level_id = fields.Many2one(
        "crm.erp.dunning.level",
        string="Last Reminder Level",
        compute="_compute_bridge_dunning_level_id",
        help="Highest payment reminder level already run on this invoice.",
    )

    bridge_dunning_excluded = fields.Boolean(
        string="Excluded from Reminders",
        tracking=True,
        copy=False,
        help="Disputed invoice: not listed in payment reminder statements and not counted for the "
        "customer's reminder level; the customer's other invoices are still chased.",
    )
    bridge_dunning_exclusion_reason = fields.Char(string="Dispute Reason", tracking=True, copy=False)
    bridge_dunning_statement_ids = fields.Many2many(
        "crm.erp.dunning.statement", "crm_erp_dunning_statement_move_rel", "move_id", "statement_id",
        string="Reminder Statements", readonly=True, copy=False,
    )

    @api.constrains("bridge_dunning_excluded", "bridge_dunning_exclusion_reason")
    def _check_bridge_dunning_exclusion_reason(self):
        for move in self:
            if move.bridge_dunning_excluded and not (move.bridge_dunning_exclusion_reason or "").strip():
                raise ValidationError(
                    self.env._("Give the reason why invoice %(invoice)s is excluded from payment reminders.",
                               invoice=move.display_name)
                )

    @api.depends("bridge_dunning_log_ids")
    def _compute_bridge_dunning_level_id(self):
        logs = self.env["crm.erp.cadence.log"].search(
            [
                ("move_id", "in", self.ids),
                ("dunning_level_id", "!=", False),
                ("skipped_reason", "not in", ("missed", "error")),
            ],
            order="date desc, id desc",
        )
        latest = {}
        for log in logs:
            latest.setdefault(log.move_id.id, log.dunning_level_id)
        for move in self:
            move.bridge_dunning_level_id = latest.get(move.id, False)

    # ------------------------------------------------------------------
    # Cadence consumer (see crm.erp.cadence.engine)
    # ------------------------------------------------------------------
    @api.model
    def _cadence_spec(self):
        return {
            "kind": "dunning",
            "step_model": "crm.erp.dunning.level",
            "log_record_field": "move_id",
            "log_step_field": "dunning_level_id",
            "log_field": "bridge_dunning_log_ids",
            "user_field": "invoice_user_id",
            # one statement per customer and level
            "group_by": "commercial_partner_id",
        }

    @api.model
    def _cadence_enabled(self):
        """Step aside when Odoo Enterprise's payment follow-ups (``account_followup``) are installed."""
        return (
            not self.env["ir.module.module"]
            .sudo()
            .search_count([("name", "=", "account_followup"), ("state", "in", ("installed", "to upgrade"))])
        )

    @api.model
    def _cadence_eligible_domain(self, today):
        """THE rule of which invoices a reminder may run on: unpaid posted customer invoices not
        excluded (disputed), unless their customer is marked do-not-chase or promised to pay on or
        after ``today``. Which level is due then is each level's ``_cadence_due_domain``; the
        scheduled job, the manual sending and the follow-up worklist are all built from both."""
        return [
            ("move_type", "=", "out_invoice"),
            ("bridge_dunning_excluded", "=", False),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("commercial_partner_id.bridge_do_not_chase", "=", False),
            "|", ("commercial_partner_id.bridge_promise_to_pay_date", "=", False),
            ("commercial_partner_id.bridge_promise_to_pay_date", "<", today),
        ]

    @api.model
    def _cadence_due_pairs(self, today, record_ids=None):
        """Return the ``(invoice id, level id)`` pairs due on ``today`` and not sent yet (one query,
        built by the engine from :meth:`_cadence_eligible_domain` and the levels' due domains)."""
        return self.env["crm.erp.cadence.engine"]._due_pairs(self, today, record_ids)

    def _cadence_after_run(self, logs):
        """Hook called on the invoices a reminder just ran on."""
        return True

    @api.model
    def _cron_bridge_dunning(self, batch_size=200):
        """Scheduled job: send the due payment reminders, ``batch_size`` invoices at a time."""
        return self.env["crm.erp.cadence.engine"]._run_cron("account.move", batch_size=batch_size)

    def _bridge_ensure_portal_tokens(self):
        """Give every invoice of ``self`` a portal access token in one query, so that rendering the
        statements' payment links does not write the invoices one by one."""
        missing = self.filtered(lambda move: not move.access_token)
        if not missing:
            return
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "UPDATE account_move SET access_token = gen_random_uuid()::text WHERE id IN %s AND access_token IS NULL",
            tuple(missing.ids),
        ))
        missing.invalidate_recordset(["access_token"])

    def action_bridge_send_reminder(self):
        """Send now the due payment reminder level of these invoices: one statement per customer
        and level, listing the invoices of ``self`` due at that level."""
        self.check_access("write")
        if not self._cadence_enabled():
            raise UserError(self.env._("Payment reminders are handled by the Follow-up Reports (account_followup)."))
        logs, _remaining = self.env["crm.erp.cadence.engine"]._run("account.move", record_ids=self.ids)
        if not logs:
            raise UserError(
                self.env._(
                    "No reminder is due: the invoices are not overdue enough for the next level, their customer "
                    "is not to be chased or promised to pay later, or every level was already sent."
                )
            )
        logs.write({"manual": True})
        statements = logs.statement_id
        statements.write({"manual": True})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s statement(s) sent, listing %(invoices)s invoice(s).",
                    count=len(statements.filtered("mail_sent")),
                    invoices=len(logs.filtered("statement_id")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
