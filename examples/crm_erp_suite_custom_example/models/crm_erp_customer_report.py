from odoo import api, fields, models
from odoo.tools import SQL


class CrmErpCustomerReport(models.Model):
    _inherit = "crm.erp.customer.report"

    example_to_invoice_amount = fields.Monetary("Ordered, To Invoice", readonly=True)

    @api.model
    def _report_measures(self):
        """Rule 6: a customer-report measure, what confirmed orders still have to invoice
        (untaxed, company currency), on the order rows."""
        to_invoice = self._sql_order_amount_in_company_currency(SQL(
            "COALESCE((SELECT SUM(sol.untaxed_amount_to_invoice) FROM sale_order_line sol"
            " WHERE sol.order_id = so.id AND sol.display_type IS NULL), 0.0)"))
        return {
            **super()._report_measures(),
            "example_to_invoice_amount": {"order": SQL("CASE WHEN so.state = 'sale' THEN %s ELSE 0.0 END", to_invoice)},
        }
