from odoo import api, fields, models, tools
from odoo.tools import SQL


class CrmErpCapacityReport(models.Model):
    """Capacity planning input: quantities by product, product category and month.

    One row per sales order line with a product:

    * ``backlog_qty``: confirmed lines, ordered minus delivered quantity, by expected delivery date
      (commitment date, else order date + the line's customer lead time);
    * ``pipeline_qty``: lines of open (not expired) quotations x their weight (the opportunity's
      probability, else the team's measured conversion rate, else the company's default rate),
      by commitment date, else validity date, else order date. Opportunities carry no products in
      Community, so the product pipeline is read from quotation lines only;
    * ``opportunity`` rows: the open opportunities without quotation (the rule of
      :meth:`_sql_opportunity_replaced_by_quotations`), as a prorated ``pipeline_amount`` in the
      current company's currency by sales team and expected closing month, so that planners see
      the pipeline no quantity stands for yet.

    Quantities are in the product's unit of measure.
    """

    _name = "crm.erp.capacity.report"
    _inherit = "crm.erp.report.mixin"
    _description = "Capacity Planning Input"
    _auto = False
    _rec_name = "name"
    _order = "date, id"

    component = fields.Selection(
        [
            ("backlog", "Confirmed Backlog"),
            ("pipeline", "Weighted Pipeline"),
            ("opportunity", "Pipeline without Quotation"),
        ],
        readonly=True,
    )
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    backlog_qty = fields.Float(string="Backlog Quantity", digits="Product Unit of Measure", readonly=True)
    pipeline_qty = fields.Float(
        string="Weighted Pipeline Quantity", digits="Product Unit of Measure", readonly=True,
        help="From the lines of open quotations only: opportunities carry no products. Opportunities "
        "without quotation show as an amount in \"Pipeline without Quotation\".",
    )
    total_qty = fields.Float(string="Total Quantity", digits="Product Unit of Measure", readonly=True)
    pipeline_amount = fields.Monetary(
        string="Pipeline without Quotation",
        readonly=True,
        help="Prorated revenue of open opportunities without quotation (no product known yet).",
    )

    @api.model
    def _sql_line_qty_in_product_uom(self, qty_sql):
        """Convert a quantity of the line ``sol`` (its unit ``line_uom``) to the product's unit."""
        return SQL(
            "(%s / COALESCE(NULLIF(line_uom.factor, 0), 1.0) * COALESCE(product_uom.factor, 1.0))",
            qty_sql,
        )

    @api.model
    def _sql_line_date(self):
        """Expected date of the line ``sol`` of order ``so``."""
        return SQL(
            """CASE WHEN so.state = 'sale'
                    THEN COALESCE(so.commitment_date::date,
                                  (so.date_order + make_interval(days => COALESCE(sol.customer_lead, 0)::int))::date)
                    ELSE COALESCE(so.commitment_date::date, so.validity_date, so.date_order::date)
               END"""
        )

    @api.model
    def _sql_capacity_line_where(self):
        """Lines counted: product lines of confirmed orders with something left to deliver and of
        open quotations."""
        return SQL(
            """sol.display_type IS NULL AND sol.product_id IS NOT NULL AND (
                 (so.state = 'sale' AND sol.product_uom_qty - sol.qty_delivered > 0)
                 OR %s)""",
            self._sql_open_quotation_where(),
        )

    @api.model
    def _sql_capacity_lines(self):
        """Quotation and order lines (component ``backlog`` / ``pipeline``)."""
        backlog = self._sql_line_qty_in_product_uom(SQL("(sol.product_uom_qty - sol.qty_delivered)"))
        pipeline = SQL(
            "%s * %s",
            self._sql_line_qty_in_product_uom(SQL("sol.product_uom_qty")),
            self._sql_conversion_rate_for_order(),
        )
        return SQL(
            """
            SELECT sol.id * 2 AS id,
                   CASE WHEN so.state = 'sale' THEN 'backlog' ELSE 'pipeline' END AS component,
                   'sale.order' AS res_model, so.id AS res_id, so.name AS name,
                   %(date)s AS date,
                   p.commercial_partner_id AS partner_id, so.company_id, %(currency)s AS currency_id,
                   so.team_id, so.user_id, sol.product_id, pt.categ_id, pt.uom_id,
                   CASE WHEN so.state = 'sale' THEN %(backlog)s ELSE 0.0 END AS backlog_qty,
                   CASE WHEN so.state = 'sale' THEN 0.0 ELSE %(pipeline)s END AS pipeline_qty,
                   CASE WHEN so.state = 'sale' THEN %(backlog)s ELSE %(pipeline)s END AS total_qty,
                   0.0 AS pipeline_amount
              FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id
              JOIN res_partner p ON p.id = so.partner_id
              JOIN res_company c ON c.id = so.company_id
              JOIN product_product pp ON pp.id = sol.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN uom_uom line_uom ON line_uom.id = sol.product_uom
              LEFT JOIN uom_uom product_uom ON product_uom.id = pt.uom_id
              %(joins)s
             WHERE %(where)s
            """,
            date=self._sql_line_date(),
            currency=self.env.company.currency_id.id,
            backlog=backlog,
            pipeline=pipeline,
            joins=self._sql_conversion_rate_joins(),
            where=self._sql_capacity_line_where(),
        )

    @api.model
    def _sql_capacity_opportunities(self):
        """Open opportunities without quotation (component ``opportunity``): prorated revenue in
        the current currency (today's rate), by expected closing date (else today)."""
        amount = self._sql_to_current_currency(
            SQL("COALESCE(l.prorated_revenue, 0.0)"), SQL("c.currency_id"), SQL("CURRENT_DATE")
        )
        return SQL(
            """
            SELECT l.id * 2 + 1, 'opportunity', 'crm.lead', l.id, l.name,
                   COALESCE(l.date_deadline, CURRENT_DATE), p.commercial_partner_id, l.company_id,
                   %(currency)s, l.team_id, l.user_id, NULL::int, NULL::int, NULL::int,
                   0.0, 0.0, 0.0, %(amount)s
              FROM crm_lead l
              LEFT JOIN res_partner p ON p.id = l.partner_id
              JOIN res_company c ON c.id = l.company_id
              LEFT JOIN crm_stage stage ON stage.id = l.stage_id
             WHERE %(where)s AND NOT %(replaced)s
            """,
            currency=self.env.company.currency_id.id,
            amount=amount,
            where=self._sql_open_opportunity_where(),
            replaced=self._sql_opportunity_replaced_by_quotations(),
        )

    @property
    def _table_query(self):
        # built per request: amounts are converted into the current company's currency
        return SQL(
            "WITH conv AS (%s) %s UNION ALL %s",
            self._sql_team_conversion_rate(),
            self._sql_capacity_lines(),
            self._sql_capacity_opportunities(),
        )

    def init(self):
        # the report used to be a database view; it is now built per request
        tools.drop_view_if_exists(self.env.cr, self._table)

    @api.model
    def _xlsx_report_key(self):
        return "capacity"
