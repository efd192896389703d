from odoo import api, fields, models
from odoo.tools import SQL


class CrmErpCustomerReport(models.Model):
    """Covered warranty costs in the customer relationship report of ``crm_erp_bridge``.

    Added through the report's seams: the ``warranty_cost`` measure (:meth:`_report_measures`),
    the ``warranty`` branch (:meth:`_report_branches`) and source; its list and pivot fields by
    XML inheritance (``crm_erp_customer_report_views.xml``); the XLSX export follows the
    measure registry.
    """

    _inherit = "crm.erp.customer.report"

    source = fields.Selection(
        selection_add=[("warranty", "Warranty Cost")], ondelete={"warranty": lambda records: None})
    warranty_cost = fields.Monetary(readonly=True)

    @api.model
    def _report_measures(self):
        # fed by the warranty branch only
        return {**super()._report_measures(), "warranty_cost": {}}

    @api.model
    def _report_branches(self):
        return {**super()._report_branches(), "warranty": self._branch_warranty_costs}

    @api.model
    def _branch_warranty_costs(self):
        """One row per posted claim cost line with a covered part: the cost the company bore
        for the customer, dated by the cost date, drilling down to the claim.

        Seam. Salesperson and team come from the claim's original sale, else from the
        customer, so that salespeople see the warranty cost of their customers. Aliases:
        ``cost`` = warranty_claim_cost_line, ``claim``, ``c`` = its company, ``partner`` = the
        customer, ``so`` = the claim's original sale.
        """
        return {
            "id": SQL("cost.id"),
            "source": SQL("'warranty'"),
            "res_model": SQL("'warranty.claim'"),
            "res_id": SQL("claim.id"),
            "name": SQL("claim.name"),
            "date": SQL("cost.date"),
            "partner_id": SQL("claim.commercial_partner_id"),
            "company_id": SQL("cost.company_id"),
            "currency_id": SQL("c.currency_id"),
            "team_id": SQL("COALESCE(so.team_id, salesperson.sale_team_id)"),
            "user_id": SQL("COALESCE(so.user_id, partner.user_id)"),
            "warranty_cost": SQL("cost.covered_amount"),
        }, SQL("""
              FROM warranty_claim_cost_line cost
              JOIN warranty_claim claim ON claim.id = cost.claim_id
         LEFT JOIN res_company c ON c.id = cost.company_id
              JOIN res_partner partner ON partner.id = claim.commercial_partner_id
         LEFT JOIN sale_order so ON so.id = claim.sale_order_id
         LEFT JOIN res_users salesperson ON salesperson.id = partner.user_id
             WHERE cost.state = 'posted' AND cost.covered_amount != 0
        """)
