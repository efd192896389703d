from odoo import api, fields, models

FOLLOWUP_STOP_REASONS = [
    ("replied", "Customer replied"),
    ("signed", "Signed online"),
    ("paid", "Paid online"),
    ("confirmed", "Order confirmed"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bridge_cadence_id = fields.Many2one(
        "crm.erp.followup.cadence",
        string="Follow-up Cadence",
        compute="_compute_bridge_cadence_id",
        store=True,
        precompute=True,
        readonly=False,
        check_company=True,
        index="btree_not_null",
        help="Follow-up steps run once the quotation is sent; defaults to the sales team's cadence.",
    )
    bridge_sent_date = fields.Datetime(
        string="Quotation Sent On",
        compute="_compute_bridge_sent_date",
        store=True,
        copy=False,
        help="First time the quotation was sent: follow-up delays count from this date.",
    )
    bridge_followup_state = fields.Selection(
        [("running", "Running"), ("stopped", "Stopped")],
        string="Follow-up",
        default="running",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    bridge_followup_stop_reason = fields.Selection(
        FOLLOWUP_STOP_REASONS, string="Follow-up Stopped Because", copy=False, tracking=True
    )
    bridge_followup_step_ids = fields.One2many(related="bridge_cadence_id.step_ids", string="Follow-up Steps")
    bridge_followup_log_ids = fields.One2many("crm.erp.cadence.log", "order_id", string="Follow-up History")
    bridge_followup_count = fields.Integer(string="Follow-ups Sent", compute="_compute_bridge_followup_count")
    bridge_is_expired = fields.Boolean(
        string="Expired",
        index=True,
        copy=False,
        readonly=True,
        help="Set by a scheduled job on quotations past their expiration date.",
    )

    @api.depends("team_id")
    def _compute_bridge_cadence_id(self):
        for order in self:
            order.bridge_cadence_id = order._bridge_default_cadence()

    def _bridge_default_cadence(self):
        """Return the follow-up cadence a new quotation gets: its sales team's default cadence."""
        self.ensure_one()
        return self.team_id.bridge_followup_cadence_id

    @api.depends("state")
    def _compute_bridge_sent_date(self):
        now = fields.Datetime.now()
        for order in self:
            if not order.bridge_sent_date and order.state == "sent":
                order.bridge_sent_date = now
            else:
                order.bridge_sent_date = order.bridge_sent_date

    @api.depends("bridge_followup_log_ids.mail_sent")
    def _compute_bridge_followup_count(self):
        counts = dict(
            self.env["crm.erp.cadence.log"]._read_group(
                [("order_id", "in", self.ids), ("mail_sent", "=", True)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.bridge_followup_count = counts.get(order, 0)

    # ------------------------------------------------------------------
    # Stopping the follow-up
    # ------------------------------------------------------------------
    def _bridge_followup_stop(self, reason):
        """Stop the follow-up of the running quotations in ``self`` for ``reason``."""
        running = self.filtered(lambda o: o.bridge_followup_state == "running")
        if running:
            running.write({"bridge_followup_state": "stopped", "bridge_followup_stop_reason": reason})

    def action_bridge_followup_restart(self):
        """Restart a stopped follow-up; steps already run are not run again."""
        self.write({"bridge_followup_state": "running", "bridge_followup_stop_reason": False})
        return True

    def action_confirm(self):
        res = super().action_confirm()
        confirmed = self.filtered(lambda o: o.state == "sale")
        confirmed._bridge_followup_stop("confirmed")
        confirmed._bridge_mark_opportunities_won()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self._bridge_followup_stop("cancelled")
        return res

    def write(self, vals):
        res = super().write(vals)
        if vals.get("signature"):
            self._bridge_followup_stop("signed")
        if vals.get("validity_date"):
            self._bridge_reset_expiry()
        return res

    def _message_post_after_hook(self, message, msg_values):
        res = super()._message_post_after_hook(message, msg_values)
        if self._bridge_is_customer_reply(message):
            self._bridge_followup_stop("replied")
        return res

    def _bridge_is_customer_reply(self, message):
        """Return whether ``message`` is the customer answering (which stops the follow-up).

        A reply is an email or a portal comment written by a non-internal contact of the
        quotation's customer.
        """
        author = message.author_id
        if message.message_type not in ("email", "comment") or not author or not author.partner_share:
            return False
        return any(author.commercial_partner_id == o.partner_id.commercial_partner_id for o in self)

    # ------------------------------------------------------------------
    # Cadence consumer (see crm.erp.cadence.engine)
    # ------------------------------------------------------------------
    @api.model
    def _cadence_spec(self):
        return {
            "kind": "followup",
            "step_model": "crm.erp.followup.step",
            "log_record_field": "order_id",
            "log_step_field": "followup_step_id",
            "log_field": "bridge_followup_log_ids",
        }

    @api.model
    def _cadence_eligible_domain(self, today):
        """Quotations a follow-up may run on: sent, follow-up running, not expired (the steps'
        own ``_cadence_due_domain`` says when each is due)."""
        return [("state", "=", "sent"), ("bridge_followup_state", "=", "running"), ("bridge_is_expired", "=", False)]

    @api.model
    def _cadence_due_pairs(self, today, record_ids=None):
        """Return the ``(order id, step id)`` pairs due on ``today`` and not run yet (one query,
        built by the engine from :meth:`_cadence_eligible_domain` and the steps' due domains)."""
        return self.env["crm.erp.cadence.engine"]._due_pairs(self, today, record_ids)

    @api.model
    def _cadence_enabled(self):
        """Quotation follow-ups always run (a quotation without cadence simply has no step)."""
        return True

    def _cadence_after_run(self, logs):
        """Hook called on the documents a cadence just ran on."""
        return True

    @api.model
    def _cron_bridge_followup(self, batch_size=200):
        """Scheduled job: run the due quotation follow-up steps, ``batch_size`` quotations at a time."""
        return self.env["crm.erp.cadence.engine"]._run_cron("sale.order", batch_size=batch_size)

    # ------------------------------------------------------------------
    # Expiry and won / lost opportunities
    # ------------------------------------------------------------------
    def _bridge_expiry_domain(self, today):
        """Domain of the quotations the expiry job marks expired on ``today``."""
        return [
            ("state", "in", ("draft", "sent")),
            ("validity_date", "<", today),
            ("bridge_is_expired", "=", False),
        ]

    @api.model
    def _cron_bridge_mark_expired(self, batch_size=1000):
        """Scheduled job: mark quotations past their expiration date expired, lose their opportunities."""
        today = fields.Date.context_today(self)
        orders = self.search(self._bridge_expiry_domain(today), limit=batch_size + 1, order="id")
        remaining = max(len(orders) - batch_size, 0)
        orders = orders[:batch_size]
        orders._bridge_mark_expired()
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=remaining)
        return orders

    def _bridge_mark_expired(self):
        """Mark these quotations expired, stop their follow-up and lose opportunities left without a live quote."""
        self.write({"bridge_is_expired": True})
        self._bridge_followup_stop("expired")
        self._bridge_lose_expired_opportunities()

    def _bridge_reset_expiry(self):
        """A quotation given a new expiration date in the future is no longer expired."""
        today = fields.Date.context_today(self)
        revived = self.filtered(lambda o: o.bridge_is_expired and o.validity_date and o.validity_date >= today)
        if revived:
            revived.write({"bridge_is_expired": False})

    def _bridge_lose_expired_opportunities(self):
        """Mark lost the open opportunities of these expired quotations that have no other live quotation or order.

        The lost reason is the company's "expired" lost reason.
        """
        opportunities = self.opportunity_id.filtered(lambda lead: lead.active and lead.probability < 100)
        if not opportunities:
            return
        live_groups = self.env["sale.order"]._read_group(
            [
                ("opportunity_id", "in", opportunities.ids),
                ("bridge_is_expired", "=", False),
                ("state", "in", ("draft", "sent", "sale")),
            ],
            ["opportunity_id"],
        )
        alive = self.env["crm.lead"].union(*(lead for (lead,) in live_groups))
        to_lose = opportunities - alive
        for company, leads in to_lose.grouped("company_id").items():
            reason = (company or self.env.company)._bridge_get_expired_lost_reason()
            # Losing the opportunity is a consequence of the expiry job: not bound to the user's pipeline rights.
            leads.sudo().action_set_lost(lost_reason_id=reason.id)

    def _bridge_mark_opportunities_won(self):
        """Mark won the opportunities of these confirmed orders when their company wants it."""
        # Confirming an order is what wins the deal, whoever owns the opportunity: hence sudo.
        orders = self.sudo().filtered(lambda o: o.company_id.bridge_won_on_confirm)
        leads = orders.opportunity_id.filtered(lambda lead: lead.probability < 100 or not lead.active)
        if leads:
            leads.action_set_won()
