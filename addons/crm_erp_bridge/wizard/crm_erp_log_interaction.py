from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmErpLogInteraction(models.TransientModel):
    """Log a call, meeting or visit, with its outcome and the next step."""

    _name = "crm.erp.log.interaction"
    _description = "Log Interaction"
    _check_company_auto = True

    interaction_type = fields.Selection(
        selection=lambda self: self.env["crm.erp.interaction"]._fields["interaction_type"].selection,
        string="Type",
        required=True,
        default="call",
    )
    outcome = fields.Selection(
        selection=lambda self: self.env["crm.erp.interaction"]._fields["outcome"].selection,
        required=True,
        default="neutral",
    )
    note = fields.Text()
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, check_company=True,
        compute="_compute_partner_id", store=True, readonly=False, precompute=True,
    )
    lead_id = fields.Many2one("crm.lead", string="Opportunity", check_company=True)
    order_id = fields.Many2one("sale.order", string="Sales Order", check_company=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company,
        compute="_compute_company_id", store=True, readonly=False, precompute=True,
    )
    next_activity_type_id = fields.Many2one(
        "mail.activity.type", string="Next Step",
        help="When set, an activity is scheduled for the salesperson.",
    )
    next_date = fields.Date(string="Next Step Date")
    next_summary = fields.Char(string="Next Step Summary")
    next_user_id = fields.Many2one(
        "res.users", string="Assigned to", default=lambda self: self.env.user
    )

    @api.depends("lead_id", "order_id")
    def _compute_partner_id(self):
        for wizard in self:
            partner = wizard.order_id.partner_id or wizard.lead_id.partner_id
            if partner:
                wizard.partner_id = partner

    @api.depends("lead_id", "order_id")
    def _compute_company_id(self):
        for wizard in self:
            company = wizard.order_id.company_id or wizard.lead_id.company_id
            if company:
                wizard.company_id = company

    def _prepare_interaction_values(self):
        """Values of the ``crm.erp.interaction`` to create (seam)."""
        self.ensure_one()
        return {
            "date": self.date,
            "interaction_type": self.interaction_type,
            "outcome": self.outcome,
            "note": self.note,
            "partner_id": self.partner_id.commercial_partner_id.id,
            "contact_id": self.partner_id.id,
            "lead_id": self.lead_id.id,
            "order_id": self.order_id.id,
            "company_id": self.company_id.id,
            "user_id": self.env.user.id,
        }

    def _prepare_next_activity_values(self, document):
        """Values of the next-step activity on ``document`` (seam)."""
        self.ensure_one()
        return {
            "activity_type_id": self.next_activity_type_id.id,
            "summary": self.next_summary,
            "user_id": (self.next_user_id or self.env.user).id,
            "date_deadline": self.next_date or fields.Date.context_today(self),
            "res_model_id": self.env["ir.model"]._get_id(document._name),
            "res_id": document.id,
        }

    def _get_chatter_body(self, interaction):
        """HTML posted on the document's chatter (seam)."""
        labels = dict(self._fields["interaction_type"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        body = Markup("<p><b>%s</b> (%s): %s</p>") % (
            labels[interaction.interaction_type],
            self.partner_id.display_name,
            outcomes[interaction.outcome],
        )
        if interaction.note:
            body += Markup("<p>%s</p>") % interaction.note
        return body

    def action_log(self):
        """Create the interaction, post it on the document and schedule the
        next step."""
        self.ensure_one()
        if self.next_date and not self.next_activity_type_id:
            raise UserError(self.env._("Choose the type of the next step or clear its date."))
        interaction = self.env["crm.erp.interaction"].create(self._prepare_interaction_values())
        document = interaction._get_document()
        # reading the document is enough to log on it: a salesperson may log a
        # call on a customer whose contact card they may not edit
        document.check_access("read")
        document.sudo().message_post(
            body=self._get_chatter_body(interaction),
            message_type="comment",
            subtype_xmlid="crm_erp_bridge.mt_bridge_interaction",
            author_id=self.env.user.partner_id.id,
        )
        if self.next_activity_type_id:
            interaction.activity_id = (
                self.env["mail.activity"].sudo().create(self._prepare_next_activity_values(document))
            )
        return {"type": "ir.actions.act_window_close"}
