from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class CrmErpReportMixin(models.AbstractModel):
    """Shared pieces of the management reports (SQL views over live documents).

    Every report row stands for one source document (opportunity, quotation, order, invoice...),
    so that each figure can be drilled down to the documents behind it and reconciles to the cent.
    Amounts are always in the company currency of the row's company.
    """

    _name = "crm.erp.report.mixin"
    _description = "CRM-ERP Management Report (shared)"
    _auto = False
    _check_company_auto = True
    _order = "date desc, id desc"

    date = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document ID", model_field="res_model", readonly=True)
    name = fields.Char(string="Document", readonly=True)

    # ------------------------------------------------------------------
    # SQL seams shared by the reports
    # ------------------------------------------------------------------
    @api.model
    def _sql_order_amount_in_company_currency(self, amount_sql):
        """Convert an amount of a ``sale_order`` aliased ``so`` into the company currency.

        ``sale_order.currency_rate`` is the rate of the order currency against the company currency
        at the order date (the same conversion ``sale.report`` uses).
        """
        return SQL(
            "(%s / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0 ELSE so.currency_rate END)",
            amount_sql,
        )

    @api.model
    def _conversion_rate_period_days(self):
        """Number of days of history used to measure a team's quotation conversion rate."""
        return 365

    @api.model
    def _sql_team_conversion_rate(self):
        """CTE body giving, per company and sales team, the measured quotation-to-order rate.

        Rate = confirmed quotations / decided quotations (confirmed + cancelled) with an order date
        within :meth:`_conversion_rate_period_days`. A team without decided quotations gets the
        company-wide rate (``is_total`` = 1 row), and 0 when the company has no history either.
        Columns: company_id, team_id, is_total, rate.
        """
        return SQL(
            """
            SELECT company_id, team_id, GROUPING(team_id) AS is_total,
                   COUNT(*) FILTER (WHERE state = 'sale')::numeric
                   / NULLIF(COUNT(*) FILTER (WHERE state IN ('sale', 'cancel')), 0) AS rate
              FROM sale_order
             WHERE date_order >= CURRENT_DATE - %(days)s
             GROUP BY GROUPING SETS ((company_id, team_id), (company_id))
            """,
            days=self._conversion_rate_period_days(),
        )

    @api.model
    def _sql_conversion_rate_joins(self):
        """Joins (on CTE ``conv``) giving the rates applying to a quotation ``so``."""
        return SQL(
            """
            LEFT JOIN conv conv_team
                   ON conv_team.company_id = so.company_id AND conv_team.is_total = 0
                  AND conv_team.team_id IS NOT DISTINCT FROM so.team_id
            LEFT JOIN conv conv_company
                   ON conv_company.company_id = so.company_id AND conv_company.is_total = 1
            """
        )

    @api.model
    def _sql_conversion_rate_for_order(self):
        """Rate applying to a quotation ``so``: its team's, else its company's, else 0
        (needs :meth:`_sql_conversion_rate_joins`)."""
        return SQL("COALESCE(conv_team.rate, conv_company.rate, 0.0)")

    @api.model
    def _sql_open_opportunity_where(self):
        """Condition (on ``l`` = crm_lead, ``stage`` = crm_stage) of an open opportunity counted
        in the pipeline: active (lost ones are archived), not in a won stage, with a customer."""
        return SQL(
            "l.type = 'opportunity' AND l.active AND NOT COALESCE(stage.is_won, FALSE) "
            "AND l.partner_id IS NOT NULL"
        )

    @api.model
    def _sql_open_quotation_where(self):
        """Condition (on ``so`` = sale_order) of an open quotation: draft or sent."""
        return SQL("so.state IN ('draft', 'sent')")

    @api.model
    def _sql_customer_invoice_where(self):
        """Condition (on ``am`` = account_move) of a customer invoice or credit note counted in
        the reports: posted, of a sale type."""
        return SQL("am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')")

    # ------------------------------------------------------------------
    # Drill-down
    # ------------------------------------------------------------------
    def action_open_documents(self):
        """Open the source documents behind the selected report rows.

        One row opens its document's form; several rows open a list per model (the first
        model found when rows mix models, e.g. orders and invoices)."""
        if not self:
            raise UserError(self.env._("Select at least one report line."))
        by_model = {}
        for row in self:
            if row.res_model and row.res_id:
                by_model.setdefault(row.res_model, []).append(row.res_id)
        if not by_model:
            raise UserError(self.env._("These report lines have no document to open."))
        res_model, res_ids = next(iter(by_model.items()))
        res_ids = list(dict.fromkeys(res_ids))
        action = {
            "type": "ir.actions.act_window",
            "res_model": res_model,
            "name": self.env["ir.model"]._get(res_model).name,
            "context": {"create": False},
        }
        if len(res_ids) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=res_ids[0])
        else:
            action.update(
                view_mode="list,form",
                views=[(False, "list"), (False, "form")],
                domain=[("id", "in", res_ids)],
            )
        return action

    @api.model
    def _xlsx_report_key(self):
        """Key of this report in the XLSX export route ``/crm_erp_bridge/report/xlsx/<key>``."""
        return False

    @api.model
    def action_export_xlsx(self):
        """Download this report as XLSX (all rows the user may read), see the controller."""
        return {
            "type": "ir.actions.act_url",
            "url": f"/crm_erp_bridge/report/xlsx/{self._xlsx_report_key()}",
            "target": "download",
        }
