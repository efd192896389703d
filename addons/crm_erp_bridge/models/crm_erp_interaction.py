from odoo import api, fields, models


class CrmErpInteraction(models.Model):
    """A call, meeting or visit logged by a salesperson with a customer.

    Logged from the customer, an opportunity or a sales order through the
    "Log interaction" wizard; shown on the customer timeline and in the
    chatter of the document it was logged from.
    """

    _name = "crm.erp.interaction"
    _description = "Customer Interaction"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    interaction_type = fields.Selection(
        [("call", "Call"), ("meeting", "Meeting"), ("visit", "Visit")],
        string="Type",
        required=True,
        default="call",
    )
    outcome = fields.Selection(
        [
            ("positive", "Positive"),
            ("neutral", "Neutral"),
            ("negative", "Negative"),
            ("no_answer", "No answer"),
        ],
        required=True,
        default="neutral",
    )
    note = fields.Text()
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        help="The commercial partner of the contact the interaction was with.",
    )
    contact_id = fields.Many2one("res.partner", check_company=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", index="btree_not_null", check_company=True)
    order_id = fields.Many2one("sale.order", string="Sales Order", index="btree_not_null", check_company=True)
    user_id = fields.Many2one(
        "res.users", string="Salesperson", required=True, default=lambda self: self.env.user, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    activity_id = fields.Many2one("mail.activity", string="Next Step", readonly=True)

    @api.depends("interaction_type", "partner_id")
    def _compute_display_name(self):
        labels = dict(self._fields["interaction_type"]._description_selection(self.env))
        for interaction in self:
            interaction.display_name = "%s - %s" % (
                labels.get(interaction.interaction_type, ""),
                interaction.partner_id.display_name or "",
            )

    def _get_document(self):
        """Return the record whose chatter receives the interaction: the
        order, else the opportunity, else the contact / customer."""
        self.ensure_one()
        return self.order_id or self.lead_id or self.contact_id or self.partner_id
