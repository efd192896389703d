from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    bridge_followup_cadence_id = fields.Many2one(
        "crm.erp.followup.cadence",
        string="Quotation Follow-up Cadence",
        check_company=True,
        help="Cadence given to the quotations of this team; it can be changed on each quotation.",
    )
