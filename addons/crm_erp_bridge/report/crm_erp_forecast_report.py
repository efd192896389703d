from odoo import api, fields, models, tools
from odoo.tools import SQL


class CrmErpForecastReport(models.Model):
    """Combined revenue forecast: one row per document and component, grouped by ``date:month``.

    Revenue components (summed in ``revenue_amount``), untaxed, in the currency of the current
    company (converted at the rate of the date given by :meth:`_sql_rate_date`):

    * ``pipeline``: open opportunities' prorated revenue, by expected closing date, unless their
      quotations or orders stand for them (:meth:`_sql_opportunity_replaced_by_quotations`:
      one deal counts once); opportunities without customer count too;
    * ``quotation``: open (not expired) quotations x their weight (the opportunity's probability,
      else the team's measured conversion rate, else the company's default rate, see
      :meth:`_sql_quotation_weight_source`), by commitment date, else validity date, else order
      date;
    * ``backlog``: confirmed orders' amount still to invoice, by expected delivery date
      (commitment date, else order date + shortest customer lead time of its lines);
    * ``recurring``: none in Community (no subscriptions): see :meth:`_recurring_revenue_branches`;
      the column is hidden until an addon provides a source.

    Next to it (not part of revenue): ``cash_in``, open receivables (taxes included) expected at
    invoice date + the customer's own average days to pay (due date when the customer has no
    payment history), never earlier than today.
    """

    _name = "crm.erp.forecast.report"
    _inherit = "crm.erp.report.mixin"
    _description = "Combined Revenue Forecast"
    _auto = False
    _rec_name = "name"
    _order = "date, id"

    component = fields.Selection(
        [
            ("pipeline", "Pipeline"),
            ("quotation", "Quotations"),
            ("backlog", "Backlog"),
            ("recurring", "Recurring"),
            ("cash_in", "Cash-in"),
        ],
        readonly=True,
    )
    pipeline_amount = fields.Monetary(string="Pipeline (prorated)", readonly=True)
    quotation_amount = fields.Monetary(string="Quotations (weighted)", readonly=True)
    backlog_amount = fields.Monetary(string="Backlog to Invoice", readonly=True)
    recurring_amount = fields.Monetary(string="Recurring Revenue", readonly=True)
    revenue_amount = fields.Monetary(string="Forecast Revenue", readonly=True)
    cash_in_amount = fields.Monetary(string="Expected Cash-in", readonly=True)
    conversion_rate = fields.Float(
        string="Weight", aggregator="avg", readonly=True, help="Share of a quotation's amount counted (0 to 1)."
    )
    weight_source = fields.Selection(
        [("opportunity", "Opportunity probability"), ("team", "Team conversion rate"), ("default", "Default rate")],
        string="Weight Based On",
        readonly=True,
    )
    customer_name = fields.Char(string="Customer Name", readonly=True)
    days_to_pay = fields.Float(string="Average Days to Pay", aggregator="avg", readonly=True)

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    @api.model
    def _days_to_pay_period_days(self):
        """Number of days of paid invoices used to measure a customer's average days to pay."""
        return 365

    @api.model
    def _sql_average_days_to_pay(self):
        """CTE body: per commercial partner, average days between invoice date and the date the
        invoice got fully reconciled, over customer invoices paid within
        :meth:`_days_to_pay_period_days`. Columns: partner_id, days."""
        return SQL(
            """
            SELECT inv.commercial_partner_id AS partner_id,
                   AVG(GREATEST(paid.paid_date - inv.invoice_date, 0))::numeric AS days
              FROM account_move inv
              JOIN (
                    -- the debit side of a customer invoice's reconciliation is its receivable line
                    SELECT aml.move_id, MAX(apr.max_date) AS paid_date
                      FROM account_partial_reconcile apr
                      JOIN account_move_line aml ON aml.id = apr.debit_move_id
                     WHERE apr.max_date >= CURRENT_DATE - %(days)s
                     GROUP BY aml.move_id
                   ) paid ON paid.move_id = inv.id
             WHERE inv.move_type = 'out_invoice' AND inv.state = 'posted'
               AND inv.payment_state IN ('paid', 'in_payment')
             GROUP BY inv.commercial_partner_id
            """,
            days=self._days_to_pay_period_days(),
        )

    @api.model
    def _sql_pipeline_date(self):
        """Month bucket of an open opportunity ``l``: expected closing, else today."""
        return SQL("COALESCE(l.date_deadline, CURRENT_DATE)")

    @api.model
    def _sql_quotation_date(self):
        """Expected revenue date of an open quotation ``so``."""
        return SQL("COALESCE(so.commitment_date::date, so.validity_date, so.date_order::date)")

    @api.model
    def _sql_backlog_date(self):
        """Expected delivery date of a confirmed order ``so`` (``lines`` = its line aggregate)."""
        return SQL(
            "COALESCE(so.commitment_date::date, "
            "(so.date_order + make_interval(days => COALESCE(lines.lead, 0)::int))::date)"
        )

    @api.model
    def _sql_cash_in_date(self):
        """Expected payment date of an open invoice ``am`` (``dtp`` = days to pay CTE row)."""
        return SQL(
            "GREATEST(COALESCE(am.invoice_date + ROUND(dtp.days)::int, am.invoice_date_due), "
            "CURRENT_DATE)"
        )

    @api.model
    def _recurring_revenue_branches(self):
        """Branches of recurring revenue (none: Community has no subscriptions).

        An addon providing subscriptions overrides this to return ``SQL`` SELECTs with the columns
        of :meth:`_select_columns`, component ``'recurring'``, ``recurring_amount`` and
        ``revenue_amount`` set, other amounts 0 and row ids ``id * 16 + 8`` or above. As soon as
        it returns a branch, the "Recurring" column, filter and export sheet appear."""
        return []

    @api.model
    def _has_recurring_revenue_source(self):
        """Whether an addon feeds the recurring component (else it is hidden everywhere)."""
        return bool(self._recurring_revenue_branches())

    @api.model
    def _select_columns(self):
        """Column names of every branch of the view, in order."""
        return [
            "id", "component", "res_model", "res_id", "name", "date", "partner_id", "customer_name",
            "company_id", "currency_id", "team_id", "user_id", "pipeline_amount", "quotation_amount",
            "backlog_amount", "recurring_amount", "revenue_amount", "cash_in_amount",
            "conversion_rate", "weight_source", "days_to_pay",
        ]

    @api.model
    def _sql_rate_date(self, component):
        """Date of the exchange rate converting a row of ``component`` into the current currency:
        today for the pipeline (an expected figure), the order date for quotations and backlog
        (the date their amount was converted at), the invoice date for receivables."""
        return {
            "pipeline": SQL("CURRENT_DATE"),
            "quotation": SQL("so.date_order::date"),
            "backlog": SQL("so.date_order::date"),
            "cash_in": SQL("am.invoice_date"),
        }[component]

    @api.model
    def _sql_convert(self, component, amount_sql):
        """``amount_sql`` (company currency of the row's company ``c``) in the current currency;
        needs :meth:`_sql_convert_join` of the same component in the branch."""
        return self._sql_currency_factor_amount("fx", amount_sql)

    @api.model
    def _sql_convert_join(self, component):
        """Join ``fx``: the factor converting the company currency of ``c`` into the current
        currency at :meth:`_sql_rate_date` of ``component``, read once per currency and day
        (:meth:`_sql_currency_factor_ctes`) rather than looked up on every row."""
        return self._sql_currency_factor_join("fx", SQL("c.currency_id"), self._sql_rate_date(component))

    @api.model
    def _sql_customer_name(self, partner_alias):
        """Customer label of a row: the commercial partner's name, else "No customer"."""
        return SQL(
            "COALESCE(%s, %s)", SQL.identifier(partner_alias, "complete_name"), self.env._("No customer")
        )

    @api.model
    def _branch_pipeline(self):
        amount = self._sql_convert("pipeline", SQL("COALESCE(l.prorated_revenue, 0.0)"))
        return SQL(
            """
            SELECT l.id * 16 + 1, 'pipeline', 'crm.lead', l.id, l.name, %(date)s,
                   cp.id, %(customer)s, l.company_id, %(currency)s, l.team_id, l.user_id,
                   %(amount)s, 0.0, 0.0, 0.0, %(amount)s, 0.0, NULL::float, NULL, NULL::float
              FROM crm_lead l
              LEFT JOIN res_partner p ON p.id = l.partner_id
              LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
              JOIN res_company c ON c.id = l.company_id
              LEFT JOIN crm_stage stage ON stage.id = l.stage_id
              %(fx)s
             WHERE %(where)s AND NOT %(replaced)s
            """,
            fx=self._sql_convert_join("pipeline"),
            date=self._sql_pipeline_date(),
            customer=self._sql_customer_name("cp"),
            currency=self.env.company.currency_id.id,
            amount=amount,
            where=self._sql_open_opportunity_where(),
            replaced=self._sql_opportunity_replaced_by_quotations(),
        )

    @api.model
    def _branch_quotations(self):
        amount = self._sql_convert(
            "quotation", self._sql_order_amount_in_company_currency(SQL("so.amount_untaxed"))
        )
        rate = self._sql_conversion_rate_for_order()
        return SQL(
            """
            SELECT so.id * 16 + 2, 'quotation', 'sale.order', so.id, so.name, %(date)s,
                   cp.id, %(customer)s, so.company_id, %(currency)s, so.team_id, so.user_id,
                   0.0, %(amount)s * %(rate)s, 0.0, 0.0, %(amount)s * %(rate)s, 0.0,
                   (%(rate)s)::float, %(source)s, NULL::float
              FROM sale_order so
              LEFT JOIN res_partner p ON p.id = so.partner_id
              LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
              JOIN res_company c ON c.id = so.company_id
              %(joins)s
              %(fx)s
             WHERE %(where)s
            """,
            joins=self._sql_conversion_rate_joins(),
            fx=self._sql_convert_join("quotation"),
            date=self._sql_quotation_date(),
            customer=self._sql_customer_name("cp"),
            currency=self.env.company.currency_id.id,
            amount=amount,
            rate=rate,
            source=self._sql_quotation_weight_source(),
            where=self._sql_open_quotation_where(),
        )

    @api.model
    def _branch_backlog(self):
        amount = self._sql_convert("backlog", self._sql_order_amount_in_company_currency(SQL("lines.to_invoice")))
        return SQL(
            """
            SELECT so.id * 16 + 3, 'backlog', 'sale.order', so.id, so.name, %(date)s,
                   cp.id, %(customer)s, so.company_id, %(currency)s, so.team_id, so.user_id,
                   0.0, 0.0, %(amount)s, 0.0, %(amount)s, 0.0, NULL::float, NULL, NULL::float
              FROM sale_order so
              JOIN (
                    SELECT order_id, SUM(untaxed_amount_to_invoice) AS to_invoice,
                           MIN(customer_lead) AS lead
                      FROM sale_order_line
                     WHERE state = 'sale' AND display_type IS NULL
                     GROUP BY order_id
                    HAVING SUM(untaxed_amount_to_invoice) <> 0
                   ) lines ON lines.order_id = so.id
              LEFT JOIN res_partner p ON p.id = so.partner_id
              LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
              JOIN res_company c ON c.id = so.company_id
              %(fx)s
             WHERE so.state = 'sale'
            """,
            fx=self._sql_convert_join("backlog"),
            date=self._sql_backlog_date(),
            customer=self._sql_customer_name("cp"),
            currency=self.env.company.currency_id.id,
            amount=amount,
        )

    @api.model
    def _branch_cash_in(self):
        return SQL(
            """
            SELECT am.id * 16 + 4, 'cash_in', 'account.move', am.id, am.name, %(date)s,
                   am.commercial_partner_id, %(customer)s, am.company_id, %(currency)s, am.team_id,
                   am.invoice_user_id,
                   0.0, 0.0, 0.0, 0.0, 0.0, %(amount)s, NULL::float, NULL, dtp.days::float
              FROM account_move am
              JOIN res_company c ON c.id = am.company_id
              LEFT JOIN res_partner cp ON cp.id = am.commercial_partner_id
              LEFT JOIN dtp ON dtp.partner_id = am.commercial_partner_id
              %(fx)s
             WHERE %(where)s AND am.payment_state IN ('not_paid', 'partial')
               AND am.amount_residual_signed <> 0
            """,
            date=self._sql_cash_in_date(),
            customer=self._sql_customer_name("cp"),
            currency=self.env.company.currency_id.id,
            amount=self._sql_convert("cash_in", SQL("am.amount_residual_signed")),
            fx=self._sql_convert_join("cash_in"),
            where=self._sql_customer_invoice_where(),
        )

    @api.model
    def _query_branches(self):
        """All ``UNION ALL`` branches of the view; extend to add components."""
        return [
            self._branch_pipeline(),
            self._branch_quotations(),
            self._branch_backlog(),
            *self._recurring_revenue_branches(),
            self._branch_cash_in(),
        ]

    @property
    def _table_query(self):
        # built per request: amounts are converted into the current company's currency
        return SQL(
            "WITH %s SELECT * FROM (%s) AS forecast (%s)",
            SQL(", ").join(SQL("%s AS (%s)", SQL.identifier(name), body) for name, body in self._query_ctes()),
            SQL(" UNION ALL ").join(self._query_branches()),
            SQL(", ").join(SQL.identifier(col) for col in self._select_columns()),
        )

    @api.model
    def _query_ctes(self):
        """(name, body) of the CTEs the branches read: team conversion rates (computed once),
        customers' days to pay, currency factors (once per currency and day)."""
        return [
            ("conv", self._sql_team_conversion_rate()),
            ("dtp", self._sql_average_days_to_pay()),
            *self._sql_currency_factor_ctes(),
        ]

    def init(self):
        # the report used to be a database view; it is now built per request
        tools.drop_view_if_exists(self.env.cr, self._table)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Leave out the recurring amount while no addon feeds it (pivot measures, custom groups)."""
        res = super().fields_get(allfields, attributes)
        if not self._has_recurring_revenue_source():
            res.pop("recurring_amount", None)
        return res

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if not self._has_recurring_revenue_source():
            for node in arch.xpath(
                "//field[@name='recurring_amount'] | //filter[@name='component_recurring']"
            ):
                node.getparent().remove(node)
        return arch, view

    @api.model
    def _xlsx_report_key(self):
        return "forecast"
