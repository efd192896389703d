from odoo import api, fields, models
from odoo.exceptions import UserError
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
            "user_field": "invoice_user_id",
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
    def _cadence_due_pairs(self, today, record_ids=None):
        """Return the ``(invoice id, level id)`` pairs due on ``today`` and not sent yet, in one query.

        Unpaid posted customer invoices at least ``days_overdue`` past due, unless their customer
        is marked do-not-chase or promised to pay on or after ``today``.
        """
        self.env["crm.erp.cadence.log"].flush_model()
        self.env["crm.erp.dunning.level"].flush_model()
        self.flush_model(["move_type", "state", "payment_state", "invoice_date_due", "commercial_partner_id"])
        self.env["res.partner"].flush_model(["bridge_do_not_chase", "bridge_promise_to_pay_date"])
        query = SQL(
            """
            SELECT am.id, lvl.id
              FROM account_move am
              JOIN res_partner cp ON cp.id = am.commercial_partner_id
              JOIN crm_erp_dunning_level lvl ON lvl.company_id = am.company_id AND lvl.active
             WHERE am.move_type = 'out_invoice'
               AND am.state = 'posted'
               AND am.payment_state IN ('not_paid', 'partial')
               AND am.invoice_date_due + lvl.days_overdue <= %(today)s
               AND NOT COALESCE(cp.bridge_do_not_chase, FALSE)
               AND (cp.bridge_promise_to_pay_date IS NULL OR cp.bridge_promise_to_pay_date < %(today)s)
               AND NOT EXISTS (
                       SELECT 1 FROM crm_erp_cadence_log l
                        WHERE l.move_id = am.id AND l.dunning_level_id = lvl.id)
               %(restrict)s
             ORDER BY am.id, lvl.days_overdue, lvl.sequence, lvl.id
            """,
            today=today,
            restrict=SQL("AND am.id IN %s", tuple(record_ids)) if record_ids else SQL(""),
        )
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    def _cadence_after_run(self, logs):
        """Hook called on the invoices a reminder just ran on."""
        return True

    @api.model
    def _cron_bridge_dunning(self, batch_size=200):
        """Scheduled job: send the due payment reminders, ``batch_size`` invoices at a time."""
        return self.env["crm.erp.cadence.engine"]._run_cron("account.move", batch_size=batch_size)

    def action_bridge_send_reminder(self):
        """Send now the due payment reminder level of these invoices."""
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
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s payment reminder(s) sent.", count=len(logs.filtered("mail_sent"))),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
