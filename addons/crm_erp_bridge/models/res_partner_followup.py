from odoo import api, fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    """Follow-up settings of customers and the accountant's payment follow-up worklist."""

    _inherit = "res.partner"

    bridge_do_not_contact = fields.Boolean(
        string="Do Not Contact",
        index=True,
        help="No automatic email (quotation follow-ups, reminders, confirmations) is sent to this contact "
        "or, when set on a company, to any of its contacts.",
    )
    bridge_do_not_chase = fields.Boolean(
        string="Do Not Chase",
        help="No payment reminder is sent for the invoices of this customer.",
    )
    bridge_promise_to_pay_date = fields.Date(
        string="Promise to Pay",
        help="The customer promised to pay by this date: payment reminders are paused until then.",
    )
    bridge_promise_to_pay_note = fields.Char(
        string="Promise Note", help="What the customer promised (amount, how, who said it)."
    )
    bridge_dunning_statement_ids = fields.One2many(
        "crm.erp.dunning.statement", "partner_id", string="Reminder Statements", readonly=True
    )
    bridge_dunning_to_chase = fields.Boolean(
        string="To Chase Today",
        compute="_compute_bridge_dunning_worklist",
        search="_search_bridge_dunning_to_chase",
        help="A payment reminder level is due today on at least one of the customer's invoices.",
    )
    bridge_dunning_due_level_id = fields.Many2one(
        "crm.erp.dunning.level",
        string="Level Due",
        compute="_compute_bridge_dunning_worklist",
        help="Highest payment reminder level due today on the customer's invoices.",
    )
    bridge_dunning_due_count = fields.Integer(string="Invoices Due", compute="_compute_bridge_dunning_worklist")
    bridge_dunning_last_action_date = fields.Datetime(
        string="Last Action On", compute="_compute_bridge_dunning_last_action"
    )
    bridge_dunning_last_action = fields.Char(string="Last Action", compute="_compute_bridge_dunning_last_action")

    # ------------------------------------------------------------------
    # Worklist (built from the dunning rule: account.move._cadence_due_pairs)
    # ------------------------------------------------------------------
    @api.model
    def _bridge_dunning_due_levels(self, partner_ids=None):
        """Return ``{commercial partner id: (levels due today, invoice count)}``, from the same
        rule the scheduled job runs (:meth:`account.move._cadence_due_pairs`), restricted to
        the invoices of ``partner_ids`` (commercial partners) when given."""
        Move = self.env["account.move"].sudo()
        today = fields.Date.context_today(self)
        record_ids = None
        if partner_ids is not None:
            record_ids = list(Move._search(
                [("commercial_partner_id", "in", list(partner_ids)), *Move._cadence_eligible_domain(today)]
            ))
            if not record_ids:
                return {}
        plan = self.env["crm.erp.cadence.engine"]._select_steps_to_run(Move._cadence_due_pairs(today, record_ids))
        invoices = Move.browse(list(plan))
        invoices.fetch(["commercial_partner_id"])
        levels = self.env["crm.erp.dunning.level"].sudo()
        result = {}
        for invoice in invoices:
            pid = invoice.commercial_partner_id.id
            due_levels, count = result.get(pid, (levels, 0))
            result[pid] = (due_levels | levels.browse(plan[invoice.id][0]), count + 1)
        return result

    @api.depends_context("company", "allowed_company_ids")
    def _compute_bridge_dunning_worklist(self):
        due = self._bridge_dunning_due_levels(set(self.commercial_partner_id._origin.ids)) if self.ids else {}
        for partner in self:
            levels, count = due.get(partner.commercial_partner_id._origin.id, (False, 0))
            partner.bridge_dunning_to_chase = bool(count)
            partner.bridge_dunning_due_count = count
            partner.bridge_dunning_due_level_id = levels and levels.sorted()[-1:].sudo(False)

    def _search_bridge_dunning_to_chase(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on %(field)s.", field="To Chase Today"))
        partner_ids = list(self._bridge_dunning_due_levels())
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", partner_ids)]

    def _compute_bridge_dunning_last_action(self):
        """The newest of the statements sent and the interactions logged with the customer."""
        partner_ids = self.commercial_partner_id._origin.ids
        last = {}
        Statement = self.env["crm.erp.dunning.statement"].sudo()
        for partner, statement_id in Statement._read_group(
            [("partner_id", "in", partner_ids)], ["partner_id"], ["id:max"]
        ):
            statement = Statement.browse(statement_id)
            last[partner.id] = (statement.date, self.env._(
                "Statement sent: %(level)s", level=statement.level_id.name
            ) if statement.mail_sent else self.env._("Statement made: %(level)s", level=statement.level_id.name))
        Interaction = self.env["crm.erp.interaction"].sudo()
        types = dict(Interaction._fields["interaction_type"]._description_selection(self.env))
        outcomes = dict(Interaction._fields["outcome"]._description_selection(self.env))
        for partner, interaction_id in Interaction._read_group(
            [("partner_id", "in", partner_ids), ("company_id", "in", self.env.companies.ids)],
            ["partner_id"], ["id:max"],
        ):
            interaction = Interaction.browse(interaction_id)
            if partner.id not in last or interaction.date > last[partner.id][0]:
                last[partner.id] = (interaction.date, self.env._(
                    "%(type)s: %(outcome)s", type=types[interaction.interaction_type],
                    outcome=outcomes[interaction.outcome]))
        for partner in self:
            date, text = last.get(partner.commercial_partner_id._origin.id, (False, False))
            partner.bridge_dunning_last_action_date = date
            partner.bridge_dunning_last_action = text

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _bridge_check_may_chase(self):
        """Chasing customers needs invoicing rights (write on customer invoices)."""
        self.env["account.move"].check_access("write")

    def action_bridge_send_statement(self):
        """Send now the due payment reminder statements of these customers."""
        self._bridge_check_may_chase()
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        if not invoices:
            raise UserError(self.env._("These customers have no unpaid invoice."))
        return invoices.action_bridge_send_reminder()

    def action_bridge_print_statement(self):
        """Print the last payment reminder statement of each of these customers."""
        self._bridge_check_may_chase()
        statements = self.env["crm.erp.dunning.statement"].browse([
            statement_id for _partner, statement_id in self.env["crm.erp.dunning.statement"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["id:max"])
        ])
        if not statements:
            raise UserError(self.env._("No statement was made for these customers yet: send one first."))
        return statements.action_print()

    def action_bridge_log_call(self):
        """Log a call with the customer (the interaction wizard; refused on a customer the user cannot read)."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_erp_bridge.crm_erp_log_interaction_action")
        action["context"] = {"default_partner_id": self.id, "default_interaction_type": "call"}
        return action

    def action_bridge_promise_to_pay(self):
        """Record the customer's promise to pay (pauses reminders until the date)."""
        self.ensure_one()
        self._bridge_check_may_chase()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to Pay"),
            "res_model": "crm.erp.promise.to.pay",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_bridge_open_statements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_erp_bridge.crm_erp_dunning_statement_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action
