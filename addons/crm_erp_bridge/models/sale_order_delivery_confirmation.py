from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bridge_delivery_state = fields.Selection(
        [
            ("requested", "Awaiting answer"),
            ("confirmed", "Confirmed by customer"),
            ("changed", "Changes requested"),
            ("no_answer", "No answer"),
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

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    def _bridge_delivery_incoterm(self):
        """Return the incoterm the customer is asked to confirm.

        The order's own incoterm when Inventory's ``sale_stock`` adds one, else the company's default.
        """
        self.ensure_one()
        if "incoterm" in self._fields and self.incoterm:
            return self.incoterm
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
    def action_confirm(self):
        res = super().action_confirm()
        self.filtered(
            lambda o: o.state == "sale" and o.company_id.bridge_delivery_confirm_mode == "on_confirmation"
        )._bridge_request_delivery_confirmation()
        return res

    def action_bridge_request_delivery_confirmation(self):
        """Button: (re)send the delivery confirmation request to the customer."""
        if self.filtered(lambda o: o.state != "sale"):
            raise UserError(self.env._("Only confirmed orders can ask the customer to confirm their delivery."))
        sent = self._bridge_request_delivery_confirmation(force=True)
        if not sent:
            raise UserError(self.env._("The customer may not be contacted (do-not-contact, archived or no email)."))
        return True

    def _bridge_request_delivery_confirmation(self, force=False):
        """Email the customer a portal link to confirm the delivery address, incoterm and date.

        :return: the orders a request was sent for
        """
        template = self.env.ref("crm_erp_bridge.mail_template_delivery_confirmation", raise_if_not_found=False)
        step_tools = self.env["crm.erp.cadence.step.mixin"]
        orders = self.filtered(
            lambda o: (force or not o.bridge_delivery_state) and step_tools._cadence_may_contact(o.partner_id)
        )
        if not orders or not template:
            return self.browse()
        for order in orders:
            order.with_context(mail_notify_force_send=False).message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        orders.write({"bridge_delivery_state": "requested", "bridge_delivery_requested_on": fields.Datetime.now()})
        return orders

    # ------------------------------------------------------------------
    # Answer (portal)
    # ------------------------------------------------------------------
    def _bridge_delivery_answer_pending(self):
        """Whether the customer may answer now: a request was sent and not answered yet (late
        answers after the timeout are still welcome). One answer per request."""
        self.ensure_one()
        return self.state == "sale" and self.bridge_delivery_state in ("requested", "no_answer")

    def _bridge_record_delivery_answer(self, confirmed, address=False, date=False, incoterm=False, note=False):
        """Record the customer's answer on the order and its chatter (which feeds the timeline).

        :raise UserError: when no request is waiting for an answer
        """
        self.ensure_one()
        if not self._bridge_delivery_answer_pending():
            raise UserError(self.env._("There is no delivery confirmation waiting for an answer on this order."))
        values = {
            "bridge_delivery_state": "confirmed" if confirmed else "changed",
            "bridge_delivery_answered_on": fields.Datetime.now(),
            "bridge_delivery_answer_address": False if confirmed else address,
            "bridge_delivery_answer_date": False if confirmed else date,
            "bridge_delivery_answer_incoterm_id": False if confirmed else incoterm.id if incoterm else False,
            "bridge_delivery_answer_note": note,
        }
        self.write(values)
        if confirmed:
            body = self.env._("The customer confirmed the delivery address, incoterm and date.")
        else:
            changes = [
                self.env._("Address: %(address)s", address=address) if address else "",
                self.env._("Date: %(date)s", date=date) if date else "",
                self.env._("Incoterm: %(incoterm)s", incoterm=incoterm.display_name) if incoterm else "",
            ]
            body = self.env._(
                "The customer asks to change the delivery. %(changes)s",
                changes=" / ".join(c for c in changes if c),
            )
        if note:
            body = f"{body} {self.env._('Comment: %(note)s', note=note)}"
        self.message_post(body=body, author_id=self.partner_id.id, message_type="comment", subtype_xmlid="mail.mt_note")
        if not confirmed:
            self._bridge_schedule_delivery_activity(self.env._("Delivery changes requested by the customer"))

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
        self.write({"bridge_delivery_state": "no_answer"})
        self._bridge_schedule_delivery_activity(self.env._("No answer to the delivery confirmation"))

    @api.model
    def _cron_bridge_delivery_confirmation(self, batch_size=500):
        """Send the requests due before commitment dates; flag unanswered requests to the salesperson.

        Due orders are selected in SQL, oldest commitment (or request) first, ``batch_size`` at a
        time; the cron framework re-runs the job while work remains. Each order runs in its own
        savepoint: a failing one is rolled back, reported and retried on the next run.
        """
        today = fields.Date.context_today(self)
        job = self.env["crm.erp.batch.job"]
        job_name = self.env._("Delivery confirmations")
        due = self.search(
            self._bridge_delivery_request_due_domain(today), order="commitment_date, id", limit=batch_size + 1
        )
        job._run_isolated(due[:batch_size], lambda order: order._bridge_request_delivery_confirmation(), job_name)
        unanswered = self.search(
            self._bridge_delivery_unanswered_domain(fields.Datetime.now()),
            order="bridge_delivery_requested_on, id",
            limit=batch_size + 1,
        )
        late, _failed = job._run_isolated(
            unanswered[:batch_size], lambda order: order._bridge_flag_no_answer(), job_name
        )
        self.env["ir.cron"]._notify_progress(
            done=len(due[:batch_size]) + len(unanswered[:batch_size]),
            remaining=max(len(due) - batch_size, 0) + max(len(unanswered) - batch_size, 0),
        )
        return late
