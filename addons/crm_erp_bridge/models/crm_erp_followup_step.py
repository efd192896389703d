from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmErpFollowupStep(models.Model):
    """A follow-up step: N days after sending, or N days before expiry, email and/or activity."""

    _name = "crm.erp.followup.step"
    _inherit = "crm.erp.cadence.step.mixin"
    _description = "Quotation Follow-up Step"
    _order = "cadence_id, sequence, id"
    _cadence_res_model = "sale.order"

    cadence_id = fields.Many2one("crm.erp.followup.cadence", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="cadence_id.company_id", store=True)
    trigger = fields.Selection(
        [("after_sent", "Days after sending"), ("before_expiry", "Days before expiry")],
        required=True,
        default="after_sent",
    )
    days = fields.Integer(required=True, default=3)

    @api.constrains("days")
    def _check_days(self):
        for step in self:
            if step.days < 0:
                raise ValidationError(
                    self.env._('The number of days of step "%(step)s" cannot be negative.', step=step.name)
                )

    def _cadence_due_date_rule(self):
        """N days after the quotation was sent, or N days before its expiration date."""
        self.ensure_one()
        if self.trigger == "before_expiry":
            return "validity_date", -self.days
        return "bridge_sent_date", self.days

    def _cadence_scope_domain(self):
        """The quotations following this step's cadence."""
        self.ensure_one()
        return [("bridge_cadence_id", "=", self.cadence_id.id)]

    def _compute_display_name(self):
        for step in self:
            if step.trigger == "after_sent":
                when = self.env._("%(days)s days after sending", days=step.days)
            else:
                when = self.env._("%(days)s days before expiry", days=step.days)
            step.display_name = f"{step.name} ({when})"
