from odoo import api, fields, models
from odoo.tools import SQL


class CrmErpCustomerReport(models.Model):
    """Covered warranty costs in the customer relationship report of ``crm_erp_bridge``."""

    _inherit = "crm.erp.customer.report"

    source = fields.Selection(
        selection_add=[("warranty", "Warranty Cost")], ondelete={"warranty": lambda records: None})

    @api.model
    def _warranty_cost_branches(self):
        return [*super()._warranty_cost_branches(), self._branch_warranty_costs()]

    @api.model
    def _branch_warranty_costs(self):
        """One row per posted claim cost line with a covered part: the cost the company bore
        for the customer, dated by the cost date, drilling down to the claim.

        Seam. Salesperson and team come from the claim's original sale, else from the
        customer, so that salespeople see the warranty cost of their customers.
        """
        return SQL("""
            SELECT cost.id * 16 + 8, 'warranty', 'warranty.claim', claim.id, claim.name, cost.date,
                   claim.commercial_partner_id, cost.company_id, c.currency_id,
                   COALESCE(so.team_id, salesperson.sale_team_id), COALESCE(so.user_id, partner.user_id),
                   0.0, 0.0, 0.0, 0.0, 0.0, 0.0, cost.covered_amount, 0.0
              FROM warranty_claim_cost_line cost
              JOIN warranty_claim claim ON claim.id = cost.claim_id
              JOIN res_company c ON c.id = cost.company_id
              JOIN res_partner partner ON partner.id = claim.commercial_partner_id
         LEFT JOIN sale_order so ON so.id = claim.sale_order_id
         LEFT JOIN res_users salesperson ON salesperson.id = partner.user_id
             WHERE cost.state = 'posted' AND cost.covered_amount != 0
        """)
