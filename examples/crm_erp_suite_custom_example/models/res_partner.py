from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _bridge_get_credit_limits(self, commercial_ids):
        """Rule 4: the credit limit counts with the company's grace amount."""
        grace = self.env.company.example_credit_grace_amount
        return {pid: limit + grace for pid, limit in super()._bridge_get_credit_limits(commercial_ids).items()}
