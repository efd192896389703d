from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmErpFollowupCadence(models.Model):
    """An ordered list of follow-up steps applied to sent quotations."""

    _name = "crm.erp.followup.cadence"
    _description = "Quotation Follow-up Cadence"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Leave empty to share the cadence between companies.")
    step_ids = fields.One2many("crm.erp.followup.step", "cadence_id", string="Steps", copy=True)
    step_count = fields.Integer(compute="_compute_step_count")
    team_ids = fields.One2many("crm.team", "bridge_followup_cadence_id", string="Default for Sales Teams")

    @api.depends("step_ids")
    def _compute_step_count(self):
        for cadence in self:
            cadence.step_count = len(cadence.step_ids)

    @api.constrains("step_ids", "active")
    def _check_has_steps(self):
        for cadence in self.filtered("active"):
            if not cadence.step_ids:
                raise ValidationError(
                    self.env._('The follow-up cadence "%(name)s" has no step: add at least one.', name=cadence.name)
                )
