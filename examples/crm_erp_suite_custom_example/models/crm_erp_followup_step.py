from odoo import models


class CrmErpFollowupStep(models.Model):
    _inherit = "crm.erp.followup.step"

    def _cadence_due_domain(self, today):
        """Rule 2: small quotations (untaxed amount under 500) get no automatic follow-up."""
        return [*super()._cadence_due_domain(today), ("amount_untaxed", ">=", 500.0)]
