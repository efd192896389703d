from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from .bridge_index import BridgeIndex, create_bridge_indexes

# Written only by the override itself (as superuser, after its own checks): a client that could
# write them could confirm a blocked order.
CREDIT_OVERRIDE_FIELDS = ("bridge_credit_override_reason", "bridge_credit_override_user_id")

FOLLOWUP_STOP_REASONS = [
    ("replied", "Customer replied"),
    ("signed", "Signed online"),
    ("paid", "Paid online"),
    ("confirmed", "Order confirmed"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]


class SaleOrder(models.Model):
    """The bridge's extension of sales orders, in one place: credit block, quotation follow-up and
    expiry, delivery terms confirmation and after-sale check-in. ``action_confirm``, ``create``
    and ``write`` are overridden once each, with their steps in an explicit order."""

    _name = "sale.order"
    _inherit = ["sale.order", "crm.erp.credit.hold.mixin"]

    # ------------------------------------------------------------------
    # Indexes the bridge adds to sale_order
    # ------------------------------------------------------------------
    @api.model
    def _bridge_indexes(self):
        """The bridge's indexes on ``sale_order`` (:class:`BridgeIndex`), created by :meth:`init`
        and dropped by the bridge's ``uninstall_hook``: a customer's open quotations by validity
        and signed quotations by signature date (timeline), the sales documents of an opportunity
        ("one deal counts once" of the forecast and capacity reports)."""
        return [
            BridgeIndex(
                "sale_order_bridge_partner_open_idx", ["partner_id", "validity_date DESC"],
                where="state IN ('draft', 'sent')",
            ),
            BridgeIndex(
                "sale_order_bridge_partner_signed_idx", ["partner_id", "signed_on DESC"],
                where="signed_on IS NOT NULL",
            ),
            BridgeIndex(
                "sale_order_bridge_opportunity_idx", ["opportunity_id"], where="opportunity_id IS NOT NULL",
            ),
        ]

    def init(self):
        res = super().init()
        create_bridge_indexes(self)
        return res

    # ------------------------------------------------------------------
    # Overrides of the sales order (once each)
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(fname in vals for vals in vals_list for fname in CREDIT_OVERRIDE_FIELDS):
            raise AccessError(self.env._("A credit override can only be given through the override wizard."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and any(fname in vals for fname in CREDIT_OVERRIDE_FIELDS):
            raise AccessError(self.env._("A credit override can only be given through the override wizard."))
        res = super().write(vals)
        if vals.get("signature"):
            self._bridge_followup_stop("signed")
        if vals.get("validity_date"):
            self._bridge_reset_expiry()
        return res

    def action_confirm(self):
        # The confirm buttons of the form ask for a dialog instead of an error: presentation only,
        # a held order is never confirmed (the check below runs whatever the context says).
        if self.env.context.get("bridge_credit_hold_dialog") and len(self) == 1:
            reason = self._bridge_credit_block_reasons().get(self)
            if reason:
                self._bridge_log_credit_hold(reason)
                return self._bridge_credit_hold_action(reason)
        self._bridge_check_credit_block()
        res = super().action_confirm()
        self.filtered(lambda o: o.state == "sale")._bridge_after_confirmation()
        return res

    def _bridge_after_confirmation(self):
        """What the bridge does once orders are confirmed, in this order (seam): stop their
        follow-ups, mark their opportunities won, ask for the delivery confirmation when the
        company asks at confirmation."""
        self._bridge_followup_stop("confirmed")
        self._bridge_mark_opportunities_won()
        self.filtered(
            lambda o: o.company_id.bridge_delivery_confirm_mode == "on_confirmation"
        )._bridge_request_delivery_confirmation()

    # ------------------------------------------------------------------
    # Credit: banner, block and its override
    # ------------------------------------------------------------------
    bridge_credit_warning = fields.Boolean(
        string="Credit Warning", compute="_compute_bridge_credit_warning",
    )
    bridge_credit_warning_message = fields.Char(
        string="Credit Warning Message", compute="_compute_bridge_credit_warning",
    )
    bridge_credit_block_active = fields.Boolean(related="company_id.bridge_credit_block")
    bridge_credit_override_reason = fields.Text(
        string="Credit Override Reason", readonly=True, copy=False,
        help="Why a credit manager confirmed this order despite the credit block.",
    )
    bridge_credit_override_user_id = fields.Many2one(
        "res.users", string="Credit Override By", readonly=True, copy=False,
    )

    @api.depends("partner_id", "state")
    @api.depends_context("company", "allowed_company_ids")
    def _compute_bridge_credit_warning(self):
        quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
        (self - quotations).bridge_credit_warning = False
        (self - quotations).bridge_credit_warning_message = False
        figures = quotations.partner_id._bridge_get_receivable_figures()
        limits = self.env["res.partner"]._bridge_get_credit_limits(tuple(figures)) if figures else {}
        for order in quotations:
            pid = order.partner_id.commercial_partner_id._origin.id
            values = figures.get(pid)
            messages = [values and order.partner_id._bridge_get_overdue_warning(values)]
            if values and limits.get(pid):
                messages.append(order._bridge_get_credit_limit_warning(values["bridge_credit_exposure"], limits[pid]))
            message = " ".join(m for m in messages if m)
            order.bridge_credit_warning = bool(message)
            order.bridge_credit_warning_message = message or False

    def _bridge_get_credit_limit_warning(self, exposure, limit):
        """Return the over-limit part of the quotation's banner and block, else ``False``: the
        customer's credit ``exposure`` plus this quotation (in the company's currency) above its
        credit ``limit``."""
        self.ensure_one()
        currency = self.env.company.currency_id
        total = exposure + self.amount_total / (self.currency_rate or 1.0)
        if currency.compare_amounts(total, limit) > 0:
            return self.env._(
                "With this order the customer would owe %(exposure)s for a credit limit of %(limit)s.",
                exposure=currency.format(total),
                limit=currency.format(limit),
            )
        return False

    # ------------------------------------------------------------------
    # Credit block
    # ------------------------------------------------------------------

    def _bridge_is_credit_block_active(self):
        """Whether the company blocks confirmation of overdue / over-limit
        customers' quotations (setting "Block Confirmation of Overdue
        Customers")."""
        self.ensure_one()
        return self.company_id.bridge_credit_block

    def _bridge_get_credit_block_reason(self):
        """Return why this quotation may not be confirmed without a credit
        manager's override, or ``False``.

        Blocked when the customer is overdue beyond the company thresholds
        (:meth:`res.partner._bridge_get_overdue_warning`), or when its credit exposure
        (:meth:`res.partner._bridge_get_credit_exposures`: the parts the order's company counts,
        in its currency) plus this order exceeds its credit limit
        (``_bridge_get_credit_limits``), so that the block and the customer's banners count the
        same amounts.
        """
        self.ensure_one()
        if not self._bridge_is_credit_block_active():
            return False
        order = self.with_company(self.company_id)
        partner = order.partner_id.commercial_partner_id
        figures = partner._bridge_get_receivable_figures()[partner.id]
        reasons = [partner._bridge_get_overdue_warning(figures)]
        limit = partner._bridge_get_credit_limits((partner.id,)).get(partner.id)
        if limit:
            exposure = partner._bridge_get_credit_exposures((partner.id,))[partner.id]
            reasons.append(order._bridge_get_credit_limit_warning(exposure, limit))
        return " ".join(reason for reason in reasons if reason) or False

    def _bridge_credit_block_reasons(self):
        """Return ``{order: reason}`` for the orders of ``self`` held by the credit block and not
        overridden. An override is the stored ``bridge_credit_override_user_id``, which only
        :meth:`_bridge_record_credit_override` writes: no context key or client-written value
        lifts a hold."""
        reasons = {}
        for order in self:
            if order.bridge_credit_override_user_id:
                continue
            reason = order._bridge_get_credit_block_reason()
            if reason:
                reasons[order] = reason
        return reasons

    def _bridge_check_credit_block(self):
        """Raise when a quotation is blocked and not overridden."""
        self._bridge_raise_credit_hold()

    def _bridge_credit_hold_message(self, reason):
        return self.env._(
            "%(order)s cannot be confirmed: %(reason)s A credit manager may override the block "
            "with a reason.",
            order=", ".join(self.mapped("name")),
            reason=reason,
        )

    def action_draft(self):
        res = super().action_draft()
        # An override was given for one confirmation: a quotation reset to draft is checked again.
        self.filtered("bridge_credit_override_user_id").sudo().write(
            dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False)
        )
        return res

    def _bridge_credit_override_wizard(self):
        return self.env._("Override Credit Block"), {"default_order_id": self.id}

    def _bridge_record_credit_override(self, reason, automatic=False):
        """Record the override of the credit block on the order and log it on
        its chatter (and so on the timeline). The caller has checked that the
        override is allowed (credit manager, or a completed online payment).

        :param reason: why the block is overridden (shown on the chatter)
        :param automatic: the override was given by the system (payment), not by a person
        """
        self.ensure_one()
        self.sudo().write({
            "bridge_credit_override_reason": reason,
            "bridge_credit_override_user_id": self.env.user.id,
        })
        self._bridge_log_credit_override(reason, automatic=automatic)

    def _bridge_override_credit_block(self, reason):
        """Record the override of a credit manager and confirm the order."""
        self.ensure_one()
        if not self._bridge_can_override_credit_block():
            raise AccessError(self.env._("Only credit managers may override the credit block."))
        if self.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations can be confirmed."))
        self._bridge_record_credit_override(reason)
        return self.action_confirm()

    # ------------------------------------------------------------------
    # Quotation follow-up and expiry
    # ------------------------------------------------------------------
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

    def _action_cancel(self):
        res = super()._action_cancel()
        self._bridge_followup_stop("cancelled")
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

    # ------------------------------------------------------------------
    # Delivery terms confirmation
    # ------------------------------------------------------------------
    bridge_delivery_state = fields.Selection(
        [
            ("requested", "Awaiting answer"),
            ("confirmed", "Confirmed by customer"),
            ("changed", "Changes requested"),
            ("no_answer", "No answer"),
            ("applied", "Changes applied"),
            ("declined", "Changes declined"),
        ],
        string="Delivery Confirmation",
        copy=False,
        index="btree_not_null",
        tracking=True,
    )
    bridge_delivery_requested_on = fields.Datetime(string="Delivery Confirmation Asked On", copy=False)
    bridge_delivery_answered_on = fields.Datetime(
        string="Delivery Confirmation Answered On", copy=False, index="btree_not_null"
    )
    bridge_delivery_answer_address = fields.Text(string="Requested Delivery Address", copy=False)
    bridge_delivery_answer_date = fields.Date(string="Requested Delivery Date", copy=False)
    bridge_delivery_answer_incoterm_id = fields.Many2one("account.incoterms", string="Requested Incoterm", copy=False)
    bridge_delivery_answer_note = fields.Text(string="Customer Comment", copy=False)
    bridge_delivery_answer_street = fields.Char(string="Proposed Street", copy=False)
    bridge_delivery_answer_street2 = fields.Char(string="Proposed Street 2", copy=False)
    bridge_delivery_answer_zip = fields.Char(string="Proposed ZIP", copy=False)
    bridge_delivery_answer_city = fields.Char(string="Proposed City", copy=False)
    bridge_delivery_answer_country_id = fields.Many2one("res.country", string="Proposed Country", copy=False)
    bridge_delivery_current_incoterm_id = fields.Many2one(
        "account.incoterms", string="Current Incoterm", compute="_compute_bridge_delivery_current_incoterm_id"
    )
    bridge_delivery_reply = fields.Text(
        string="Message to the Customer", copy=False,
        help="Sent to the customer when the proposed delivery changes are declined.",
    )
    bridge_delivery_retry_on = fields.Datetime(
        string="Delivery Confirmation Retry On", copy=False, readonly=True,
        help="The scheduled job failed on this order: it tries again from this time on.",
    )

    def _compute_bridge_delivery_current_incoterm_id(self):
        for order in self:
            order.bridge_delivery_current_incoterm_id = order._bridge_delivery_incoterm()

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    def _bridge_delivery_incoterm(self):
        """Return the incoterm the customer is asked to confirm: the company's default
        (``crm_erp_bridge_stock`` puts first the order's own incoterm, which Inventory adds)."""
        self.ensure_one()
        return self.company_id.incoterm_id

    @api.model
    def _bridge_delivery_request_due_domain(self, today):
        """Domain of the confirmed orders whose delivery confirmation must be asked for on ``today``:
        companies asking N days before the commitment date, commitment date at most N days away,
        customer who may be contacted. Selected in SQL by the scheduled job, oldest first."""
        companies = self.env["res.company"].sudo().search([("bridge_delivery_confirm_mode", "=", "before_commitment")])
        per_company = [
            [
                ("company_id", "=", company.id),
                (
                    "commitment_date",
                    "<",
                    datetime.combine(today + timedelta(days=company.bridge_delivery_confirm_days + 1), time.min),
                ),
            ]
            for company in companies
        ]
        return expression.AND([
            [("state", "=", "sale"), ("bridge_delivery_state", "=", False), ("commitment_date", "!=", False)],
            expression.OR(per_company) if per_company else expression.FALSE_DOMAIN,
            self.env["crm.erp.cadence.step.mixin"]._cadence_may_contact_domain("partner_id"),
        ])

    def _bridge_delivery_request_is_due(self, today):
        """Whether the request of this order is due on ``today`` (see the domain above)."""
        self.ensure_one()
        return bool(self.filtered_domain(self._bridge_delivery_request_due_domain(today)))

    @api.model
    def _bridge_delivery_unanswered_domain(self, now):
        """Domain of the requests still unanswered after the company's timeout at ``now``."""
        per_company = [
            [
                ("company_id", "=", company.id),
                (
                    "bridge_delivery_requested_on",
                    "<=",
                    now - timedelta(days=company.bridge_delivery_confirm_timeout_days),
                ),
            ]
            for company in self.env["res.company"].sudo().search([])
        ]
        return expression.AND([
            [("bridge_delivery_state", "=", "requested"), ("bridge_delivery_requested_on", "!=", False)],
            expression.OR(per_company) if per_company else expression.FALSE_DOMAIN,
        ])

    # ------------------------------------------------------------------
    # Asking
    # ------------------------------------------------------------------
    def action_bridge_request_delivery_confirmation(self):
        """Button: (re)send the delivery confirmation request to the customer."""
        if self.filtered(lambda o: o.state != "sale"):
            raise UserError(self.env._("Only confirmed orders can ask the customer to confirm their delivery."))
        sent = self._bridge_request_delivery_confirmation(force=True)
        if not sent:
            raise UserError(self.env._("The customer may not be contacted (do-not-contact, archived or no email)."))
        return True

    def _bridge_request_delivery_confirmation(self, force=False, strict=False):
        """Email the customer a portal link to confirm the delivery address, incoterm and date.

        :param strict: raise when the request cannot be sent (the scheduled job reports it)
        :return: the orders a request was sent for
        """
        template = self.env.ref("crm_erp_bridge.mail_template_delivery_confirmation", raise_if_not_found=False)
        step_tools = self.env["crm.erp.cadence.step.mixin"]
        orders = self.filtered(
            lambda o: (force or not o.bridge_delivery_state) and step_tools._cadence_may_contact(o.partner_id)
        )
        if strict and (not template or orders != self):
            raise UserError(self.env._(
                "The delivery confirmation could not be sent (no email template, or a customer who may "
                "not be contacted)."
            ))
        if not orders or not template:
            return self.browse()
        for order in orders:
            order.with_context(mail_notify_force_send=False).message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        orders.write({
            "bridge_delivery_state": "requested",
            "bridge_delivery_requested_on": fields.Datetime.now(),
            "bridge_delivery_retry_on": False,
        })
        return orders

    # ------------------------------------------------------------------
    # Answer (portal)
    # ------------------------------------------------------------------
    def _bridge_delivery_request_expired(self):
        """Whether the request expired: the order's delivery date has passed (an answer would
        come too late to change anything). ``crm_erp_bridge_stock`` adds: nothing left to deliver."""
        self.ensure_one()
        return bool(self.commitment_date and self.commitment_date < fields.Datetime.now())

    def _bridge_delivery_answer_refusal(self):
        """Return why the customer may not answer now (a clear sentence), else ``False``. The
        customer answers once per request, while it is pending: asked and not answered yet (late
        answers after the timeout are still welcome), order confirmed, request not expired."""
        self.ensure_one()
        if self.state == "cancel":
            return self.env._("This order was cancelled: there is no delivery to confirm any more.")
        if self.bridge_delivery_answered_on:
            return self.env._(
                "There is no delivery confirmation waiting for an answer on this order: your answer was "
                "already recorded."
            )
        if self.state != "sale" or self.bridge_delivery_state not in ("requested", "no_answer"):
            return self.env._("There is no delivery confirmation waiting for an answer on this order.")
        if self._bridge_delivery_request_expired():
            return self.env._(
                "This delivery confirmation request expired: please contact us to change the delivery."
            )
        return False

    def _bridge_delivery_answer_pending(self):
        """Whether the customer may answer now (see :meth:`_bridge_delivery_answer_refusal`)."""
        self.ensure_one()
        return not self._bridge_delivery_answer_refusal()

    def _bridge_lock_delivery_confirmation(self):
        """Lock the order's row and re-read its delivery confirmation, so that two concurrent
        answers (or applies) cannot both pass their check: the second waits, then sees the first
        (or fails to serialize and is retried by the server)."""
        self.ensure_one()
        self.env.cr.execute(SQL("SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE", self.id))
        self.invalidate_recordset()

    @api.model
    def _bridge_delivery_address_fields(self):
        """The address fields a customer may propose, as ``{answer field: res.partner field}``."""
        return {
            "bridge_delivery_answer_street": "street",
            "bridge_delivery_answer_street2": "street2",
            "bridge_delivery_answer_zip": "zip",
            "bridge_delivery_answer_city": "city",
            "bridge_delivery_answer_country_id": "country_id",
        }

    @api.model
    def _bridge_normalize_delivery_address(self, address):
        """Return the proposed address as ``{res.partner field: value}`` (empty values left out)
        from a dict of partner fields or a one-line text (taken as the street)."""
        if not address:
            return {}
        if isinstance(address, str):
            address = {"street": address}
        values = {}
        for fname in self._bridge_delivery_address_fields().values():
            value = address.get(fname)
            if fname == "country_id":
                value = int(value.id if isinstance(value, models.BaseModel) else value or 0)
                if value and not self.env["res.country"].browse(value).exists():
                    raise UserError(self.env._("Choose a country from the list."))
            elif value:
                value = " ".join(str(value).split())
            if value:
                values[fname] = value
        return values

    def _bridge_format_delivery_address(self, values):
        """One line of text for an address given as partner fields (chatter, timeline)."""
        country = self.env["res.country"].browse(values.get("country_id")).exists()
        city = " ".join(v for v in (values.get("zip"), values.get("city")) if v)
        parts = (values.get("street"), values.get("street2"), city, country.name)
        return ", ".join(p for p in parts if p)

    def _bridge_record_delivery_answer(self, confirmed, address=False, date=False, incoterm=False, note=False):
        """Record the customer's answer on the order and its chatter (which feeds the timeline).

        :param address: the proposed delivery address: partner fields (``street``, ``street2``,
            ``zip``, ``city``, ``country_id``) or one line of text
        :raise UserError: when no request is waiting for an answer (never asked, already answered,
            expired, order cancelled); checked under a row lock, so exactly one answer is recorded
        """
        self.ensure_one()
        self._bridge_lock_delivery_confirmation()
        refusal = self._bridge_delivery_answer_refusal()
        if refusal:
            raise UserError(refusal)
        address_values = {} if confirmed else self._bridge_normalize_delivery_address(address)
        if address_values and "country_id" not in address_values and self.partner_shipping_id.country_id:
            # "country unchanged": the country of the current delivery address
            address_values["country_id"] = self.partner_shipping_id.country_id.id
        if not confirmed and not (address_values or date or incoterm):
            raise UserError(self.env._("Tell us what to change: the delivery address, date or incoterm."))
        if date and date < fields.Date.context_today(self):
            raise UserError(self.env._("The delivery date cannot be in the past."))
        text_address = self._bridge_format_delivery_address(address_values) if address_values else False
        values = {
            "bridge_delivery_state": "confirmed" if confirmed else "changed",
            "bridge_delivery_answered_on": fields.Datetime.now(),
            "bridge_delivery_answer_address": text_address,
            "bridge_delivery_answer_date": False if confirmed else date,
            "bridge_delivery_answer_incoterm_id": False if confirmed else incoterm.id if incoterm else False,
            "bridge_delivery_answer_note": note,
        }
        for answer_field, partner_field in self._bridge_delivery_address_fields().items():
            values[answer_field] = address_values.get(partner_field, False)
        self.write(values)
        if confirmed:
            body = self.env._("The customer confirmed the delivery address, incoterm and date.")
        else:
            body = self.env._(
                "The customer asks to change the delivery. %(changes)s",
                changes=self._bridge_describe_delivery_changes(text_address, date, incoterm),
            )
        if note:
            body = f"{body} {self.env._('Comment: %(note)s', note=note)}"
        self.message_post(body=body, author_id=self.partner_id.id, message_type="comment", subtype_xmlid="mail.mt_note")
        if not confirmed:
            self._bridge_schedule_delivery_activity(self._bridge_delivery_proposal_summary())

    def _bridge_describe_delivery_changes(self, address, date, incoterm):
        changes = [
            self.env._("Address: %(address)s", address=address) if address else "",
            self.env._("Date: %(date)s", date=date) if date else "",
            self.env._("Incoterm: %(incoterm)s", incoterm=incoterm.display_name) if incoterm else "",
        ]
        return " / ".join(c for c in changes if c)

    def _bridge_delivery_proposal_summary(self):
        return self.env._("Delivery changes requested by the customer")

    # ------------------------------------------------------------------
    # The salesperson applies or declines the customer's proposal
    # ------------------------------------------------------------------
    def action_bridge_apply_delivery_proposal(self):
        """Button: apply the customer's proposed delivery address, date and incoterm to the order
        and its open deliveries."""
        self.check_access("write")
        for order in self:
            order._bridge_apply_delivery_proposal()
        return True

    def action_bridge_decline_delivery_proposal(self):
        """Button: decline the customer's proposal, sending them the message written on the order."""
        self.check_access("write")
        for order in self:
            order._bridge_decline_delivery_proposal(order.bridge_delivery_reply)
        return True

    def _bridge_check_delivery_proposal_open(self):
        """Lock the order and raise unless a proposal waits for the salesperson (once only)."""
        self.ensure_one()
        self._bridge_lock_delivery_confirmation()
        if self.bridge_delivery_state != "changed":
            raise UserError(self.env._(
                "%(order)s has no delivery change proposed by the customer waiting for a decision.",
                order=self.name,
            ))
        if self.state != "sale":
            raise UserError(self.env._("Only confirmed orders can have their delivery changed."))

    def _bridge_delivery_proposal_address(self):
        """The proposed address as partner fields (empty when the customer kept the address)."""
        self.ensure_one()
        return {
            partner_field: self[answer_field].id if partner_field == "country_id" else self[answer_field]
            for answer_field, partner_field in self._bridge_delivery_address_fields().items()
            if self[answer_field]
        }

    def _bridge_delivery_proposal_values(self):
        """Values written on the order to apply the proposal (``crm_erp_bridge_stock`` adds the
        incoterm, an Inventory field)."""
        self.ensure_one()
        values = {}
        address = self._bridge_delivery_proposal_address()
        if address:
            values["partner_shipping_id"] = self._bridge_delivery_address_partner(address).id
        if self.bridge_delivery_answer_date:
            at = self.commitment_date.time() if self.commitment_date else time(12, 0)
            values["commitment_date"] = datetime.combine(self.bridge_delivery_answer_date, at)
        return values

    @api.model
    def _bridge_same_address(self, partner, address):
        """Whether ``partner`` has exactly the address ``address`` (partner fields), ignoring
        case and spaces."""
        def norm(value):
            return " ".join(str(value or "").split()).casefold()
        for fname in self._bridge_delivery_address_fields().values():
            mine = partner[fname].id if fname == "country_id" else partner[fname]
            if fname == "country_id":
                if (mine or False) != (address.get(fname) or False):
                    return False
            elif norm(mine) != norm(address.get(fname)):
                return False
        return True

    def _bridge_delivery_address_partner(self, address):
        """Return the customer's contact with this address, else a new delivery contact of the
        customer's commercial partner: never a duplicate. The commercial partner's row is locked
        so that two orders applying the same new address create it once."""
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        self.env.cr.execute(SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE", commercial.id))
        # the customer's contacts, whoever may read them: the address must not be created twice
        contacts = self.env["res.partner"].sudo().search(
            [("id", "child_of", commercial.id), ("type", "in", ("delivery", "contact", "other"))],
            order="type desc, id",
        )
        if self.partner_shipping_id:
            contacts = self.partner_shipping_id.sudo() | contacts
        for contact in contacts:
            if self._bridge_same_address(contact, address):
                return contact.sudo(False)
        # creating a contact is part of applying the proposal, which the salesperson may do
        return self.env["res.partner"].sudo().create(self._bridge_prepare_delivery_address(commercial, address))

    def _bridge_prepare_delivery_address(self, commercial, address):
        """Values of the delivery contact created for a proposed address."""
        return {
            "type": "delivery",
            "parent_id": commercial.id,
            "company_id": commercial.company_id.id,
            **address,
        }

    def _bridge_apply_delivery_proposal(self):
        """Apply the proposal of one order: order, then its open deliveries
        (:meth:`_bridge_apply_delivery_to_pickings`), logged on the chatter and the timeline."""
        self._bridge_check_delivery_proposal_open()
        values = self._bridge_delivery_proposal_values()
        if values:
            self.write(values)
        self._bridge_apply_delivery_to_pickings(values)
        self.write({"bridge_delivery_state": "applied"})
        self._bridge_close_delivery_activities()
        changes = self._bridge_describe_delivery_changes(
            self.bridge_delivery_answer_address,
            self.bridge_delivery_answer_date,
            self.bridge_delivery_answer_incoterm_id,
        )
        self.message_post(
            body=self.env._("Delivery changes proposed by the customer applied. %(changes)s", changes=changes),
            message_type="comment",
            subtype_xmlid="crm_erp_bridge.mt_bridge_delivery_change_applied",
        )

    def _bridge_apply_delivery_to_pickings(self, values):
        """Hook: carry the applied ``values`` (order fields) to the open deliveries of the order
        (``crm_erp_bridge_stock``; nothing to do without Inventory)."""
        return True

    def _bridge_decline_delivery_proposal(self, message):
        """Decline the proposal of one order and send ``message`` to the customer (chatter
        message, emailed to the customer)."""
        self._bridge_check_delivery_proposal_open()
        message = (message or "").strip()
        if not message:
            raise UserError(self.env._("Write the message to the customer explaining why the changes are declined."))
        self.write({"bridge_delivery_state": "declined", "bridge_delivery_reply": False})
        self._bridge_close_delivery_activities()
        self.message_post(
            body=message,
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _bridge_close_delivery_activities(self):
        """Mark done the salesperson's to-do about the customer's proposal."""
        summary = self._bridge_delivery_proposal_summary()
        self.activity_ids.filtered(lambda a: a.summary == summary).sudo().action_feedback(
            feedback=self.env._("Decided: %(state)s", state=dict(
                self._fields["bridge_delivery_state"]._description_selection(self.env)
            ).get(self.bridge_delivery_state))
        )

    def _bridge_schedule_delivery_activity(self, summary):
        """Schedule a to-do for the salesperson about the delivery confirmation."""
        for order in self:
            order.activity_schedule(
                "mail.mail_activity_data_todo", summary=summary, user_id=order.user_id.id or self.env.uid
            )

    # ------------------------------------------------------------------
    # Scheduled job
    # ------------------------------------------------------------------
    def _bridge_flag_no_answer(self):
        """Mark these requests unanswered and ask the salesperson to call the customer."""
        self.write({"bridge_delivery_state": "no_answer", "bridge_delivery_retry_on": False})
        self._bridge_schedule_delivery_activity(self.env._("No answer to the delivery confirmation"))

    @api.model
    def _bridge_delivery_retry_delay(self):
        """How long the scheduled job leaves an order it failed on before trying it again."""
        return timedelta(hours=12)

    @api.model
    def _bridge_delivery_retry_domain(self, now):
        """Orders the scheduled job may try now: never failed, or their retry time has come."""
        return ["|", ("bridge_delivery_retry_on", "=", False), ("bridge_delivery_retry_on", "<=", now)]

    @api.model
    def _bridge_delivery_cron_step(self, domain, order, process, batch_size, job_name):
        """Run ``process`` on the first ``batch_size`` orders of ``domain`` (sorted by ``order``),
        each in its own savepoint. A failing order is reported and put aside until its retry time,
        so the next chunks go on with the others. Return ``(done, remaining)``."""
        now = fields.Datetime.now()
        domain = expression.AND([domain, self._bridge_delivery_retry_domain(now)])
        orders = self.search(domain, order=order, limit=batch_size)
        if not orders:
            return 0, 0
        _done, failed = self.env["crm.erp.batch.job"]._run_isolated(orders, process, job_name)
        if failed:
            self.browse([o.id for o in failed]).sudo().write(
                {"bridge_delivery_retry_on": now + self._bridge_delivery_retry_delay()}
            )
        return len(orders), self.search_count(domain)

    @api.model
    def _cron_bridge_delivery_confirmation(self, batch_size=500):
        """Send the requests due before commitment dates; flag unanswered requests to the salesperson.

        Every due order is processed, in chunks of ``batch_size``, the oldest delivery date (or
        request) first; the cron framework re-runs the job while work remains (progress: done and
        remaining). Each order runs in its own savepoint: a failing one is rolled back, reported,
        and set aside until its retry time, so it never stalls the others. Processed orders leave
        the selection (their state changes): an interrupted run resumes where it stopped.
        """
        today = fields.Date.context_today(self)
        job_name = self.env._("Delivery confirmations")
        asked, asked_left = self._bridge_delivery_cron_step(
            self._bridge_delivery_request_due_domain(today), "commitment_date, id",
            lambda order: order._bridge_request_delivery_confirmation(strict=True), batch_size, job_name,
        )
        flagged, flagged_left = self._bridge_delivery_cron_step(
            self._bridge_delivery_unanswered_domain(fields.Datetime.now()), "bridge_delivery_requested_on, id",
            lambda order: order._bridge_flag_no_answer(), batch_size, job_name,
        )
        self.env["ir.cron"]._notify_progress(done=asked + flagged, remaining=asked_left + flagged_left)
        return asked + flagged

    # ------------------------------------------------------------------
    # After-sale check-in
    # ------------------------------------------------------------------
    bridge_checkin_scheduled = fields.Boolean(
        string="After-sale Check-in Scheduled",
        copy=False,
        help="Set once the after-sale check-in activity was scheduled for the salesperson.",
    )

    @api.model
    def _bridge_checkin_horizon_days(self):
        """Only orders confirmed within this many days get a check-in (old history is left alone)."""
        return 60

    bridge_fully_delivered = fields.Boolean(
        string="Fully Delivered", compute="_compute_bridge_fully_delivered",
        search="_search_bridge_fully_delivered",
        help="Every product line has its ordered quantity delivered.")
    bridge_fully_paid = fields.Boolean(
        string="Fully Paid", compute="_compute_bridge_fully_paid", search="_search_bridge_fully_paid",
        help="Fully invoiced, and every posted customer invoice of the order is paid.")

    @api.model
    def _bridge_fully_delivered_sql(self):
        """Subquery of the ids of orders whose product lines are all delivered in full."""
        return SQL(
            """(SELECT l.order_id FROM sale_order_line l WHERE l.display_type IS NULL
                EXCEPT
                SELECT l.order_id FROM sale_order_line l
                 WHERE l.display_type IS NULL AND l.qty_delivered < l.product_uom_qty)""")

    @api.model
    def _bridge_fully_paid_sql(self):
        """Subquery of the ids of orders fully invoiced whose posted customer invoices are all paid."""
        invoices = SQL(
            """SELECT sol.order_id, am.payment_state FROM sale_order_line sol
                 JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                 JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                 JOIN account_move am ON am.id = aml.move_id
                WHERE am.state = 'posted' AND am.move_type = 'out_invoice'""")
        return SQL(
            """(SELECT inv.order_id FROM (%(invoices)s) inv
                  JOIN sale_order so ON so.id = inv.order_id AND so.invoice_status = 'invoiced'
              GROUP BY inv.order_id
                HAVING bool_and(inv.payment_state IN ('paid', 'in_payment')))""",
            invoices=invoices)

    def _bridge_search_subquery(self, operator, value, subquery):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search this field with '=' or '!=' and True or False."))
        return [("id", "in" if (operator == "=") == value else "not in", subquery)]

    def _search_bridge_fully_delivered(self, operator, value):
        self.env["sale.order.line"].flush_model(["order_id", "display_type", "qty_delivered", "product_uom_qty"])
        return self._bridge_search_subquery(operator, value, self._bridge_fully_delivered_sql())

    def _search_bridge_fully_paid(self, operator, value):
        self.env["sale.order.line"].flush_model(["order_id", "invoice_lines"])
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["account.move"].flush_model(["state", "move_type", "payment_state"])
        self.flush_model(["invoice_status"])
        return self._bridge_search_subquery(operator, value, self._bridge_fully_paid_sql())

    def _bridge_compute_from_search(self, fname):
        # the rule lives in the search method: the field's value is read through it
        ids = set(self.search([("id", "in", self._origin.ids), (fname, "=", True)]).ids) if self._origin.ids else set()
        for order in self:
            order[fname] = order._origin.id in ids

    def _compute_bridge_fully_delivered(self):
        self._bridge_compute_from_search("bridge_fully_delivered")

    def _compute_bridge_fully_paid(self):
        self._bridge_compute_from_search("bridge_fully_paid")

    @api.model
    def _bridge_checkin_due_domain(self):
        """THE rule of when an order gets its after-sale check-in, as a domain: confirmed within the
        horizon, not scheduled yet, and delivered or paid as its company's setting says. The
        scheduled job compiles it to SQL: an override changes what the job does."""
        horizon = fields.Datetime.now() - timedelta(days=self._bridge_checkin_horizon_days())
        return [
            ("state", "=", "sale"),
            ("bridge_checkin_scheduled", "=", False),
            ("date_order", ">=", horizon),
            "|",
            "&", ("company_id.bridge_checkin_trigger", "=", "delivery"), ("bridge_fully_delivered", "=", True),
            "&", ("company_id.bridge_checkin_trigger", "=", "payment"), ("bridge_fully_paid", "=", True),
        ]

    @api.model
    def _bridge_checkin_due_order_ids(self, limit):
        """Return the ids of orders due for a check-in (:meth:`_bridge_checkin_due_domain`), in one query."""
        return list(self.sudo()._search(self._bridge_checkin_due_domain(), order="id", limit=limit))

    def _bridge_schedule_checkin(self):
        """Schedule the after-sale check-in activity for the salesperson of these orders."""
        for order in self:
            order._bridge_schedule_checkin_one()

    def _bridge_schedule_checkin_one(self):
        """Schedule the after-sale check-in of one order and mark it scheduled."""
        self.ensure_one()
        for order in self:
            company = order.company_id
            activity_type = company.bridge_checkin_activity_type_id or self.env.ref(
                "mail.mail_activity_data_call", raise_if_not_found=False
            )
            order.activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._("After-sale check-in with the customer"),
                user_id=order.user_id.id or self.env.uid,
                date_deadline=fields.Date.context_today(order) + timedelta(days=company.bridge_checkin_delay_days),
            )
        self.write({"bridge_checkin_scheduled": True})

    @api.model
    def _cron_bridge_after_sale_checkin(self, batch_size=500):
        """Scheduled job: schedule check-ins for orders just delivered or paid, in batches."""
        ids = self._bridge_checkin_due_order_ids(batch_size + 1)
        orders = self.browse(ids[:batch_size])
        # one order at a time: a failing order is rolled back, reported and retried on the next run
        scheduled, _failed = self.env["crm.erp.batch.job"]._run_isolated(
            orders, lambda order: order._bridge_schedule_checkin_one(), self.env._("After-sale check-ins")
        )
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=max(len(ids) - batch_size, 0))
        return scheduled
