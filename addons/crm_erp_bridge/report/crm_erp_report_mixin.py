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
    def _sql_to_current_currency(self, amount_sql, currency_sql, date_sql):
        """Convert ``amount_sql``, in currency ``currency_sql``, into the currency of the current
        company (``self.env.company``) at the rates known on ``date_sql``.

        The rates are the current company's (else the shared ones), the latest on or before the
        date, as :meth:`res.currency._convert` reads them; a date in the future gets today's
        rate. Amounts already in the current currency are returned as they are. Callers choose
        the date: see the report's ``_sql_*_rate_date`` seams.
        """
        target = self.env.company

        def rate(currency):
            return SQL(
                """COALESCE((SELECT r.rate FROM res_currency_rate r
                              WHERE r.currency_id = %(currency)s AND r.name <= %(date)s
                                AND (r.company_id = %(company)s OR r.company_id IS NULL)
                              ORDER BY r.company_id IS NULL, r.name DESC LIMIT 1), 1.0)""",
                currency=currency, date=date_sql, company=target.root_id.id,
            )
        return SQL(
            "(CASE WHEN %(currency)s = %(target)s THEN %(amount)s "
            "ELSE %(amount)s * %(target_rate)s / NULLIF(%(source_rate)s, 0) END)",
            currency=currency_sql,
            target=target.currency_id.id,
            amount=amount_sql,
            target_rate=rate(SQL("%s", target.currency_id.id)),
            source_rate=rate(currency_sql),
        )

    @api.model
    def _sql_currency_factor_ctes(self):
        """CTE bodies ``fx_bounds`` and ``fx`` converting into the current company's currency
        once per (currency, day) instead of once per report row.

        ``fx`` (currency_id, date, factor) holds, for every currency of a company other than the
        current currency and every day from the day before its first rate to its last rate, the
        factor :meth:`_sql_to_current_currency` gives on that day (the same rule: it is built
        from it). Rates do not change outside that range, so a row dated before or after it
        reads the first or last day (see :meth:`_sql_currency_factor_join`). ``fx_bounds`` (lo,
        hi) is that range. With a single currency ``fx`` is empty and costs nothing.

        :returns: list of (CTE name, SQL body), to put in the report's ``WITH``; empty when
            every company keeps its books in the current currency (nothing to convert).
        """
        if not self._currency_factor_needed():
            return []
        target = self.env.company
        currencies = SQL(
            "SELECT DISTINCT currency_id FROM res_company WHERE currency_id != %s", target.currency_id.id
        )
        bounds = SQL(
            """
            SELECT MIN(r.name) - 1 AS lo, MAX(r.name) AS hi
              FROM res_currency_rate r
             WHERE (r.company_id = %(company)s OR r.company_id IS NULL)
               AND (r.currency_id = %(target)s OR r.currency_id IN (%(currencies)s))
            """,
            company=target.root_id.id, target=target.currency_id.id, currencies=currencies,
        )
        factors = SQL(
            """
            SELECT cur.currency_id, day::date AS date, %(factor)s AS factor
              FROM (%(currencies)s) cur
             CROSS JOIN fx_bounds
             CROSS JOIN generate_series(fx_bounds.lo, fx_bounds.hi, interval '1 day') day
            """,
            currencies=currencies,
            factor=self._sql_to_current_currency(SQL("1.0"), SQL("cur.currency_id"), SQL("day::date")),
        )
        return [("fx_bounds", bounds), ("fx", factors)]

    @api.model
    def _currency_factor_needed(self):
        """Whether a company keeps its books in another currency than the current company's
        (else amounts need no conversion, and the report reads no rates at all)."""
        currencies = self.env["res.company"].sudo()._bridge_company_currency_ids()
        return bool(currencies - {self.env.company.currency_id.id})

    @api.model
    def _sql_currency_factor_join(self, alias, currency_sql, date_sql):
        """LEFT JOIN ``alias`` on CTE ``fx`` (:meth:`_sql_currency_factor_ctes`): the factor of
        currency ``currency_sql`` on ``date_sql``, see :meth:`_sql_currency_factor_amount`."""
        if not self._currency_factor_needed():
            return SQL()
        return SQL(
            """
            LEFT JOIN fx %(alias)s ON %(alias)s.currency_id = %(currency)s
                  AND %(alias)s.date = LEAST(GREATEST(%(date)s, (SELECT lo FROM fx_bounds)),
                                             (SELECT hi FROM fx_bounds))
            """,
            alias=SQL.identifier(alias), currency=currency_sql, date=date_sql,
        )

    @api.model
    def _sql_currency_factor_amount(self, alias, amount_sql):
        """``amount_sql`` in the current currency, with the factor joined as ``alias`` by
        :meth:`_sql_currency_factor_join` (no factor: already in the current currency)."""
        if not self._currency_factor_needed():
            return amount_sql
        return SQL("(%s * COALESCE(%s, 1.0))", amount_sql, SQL.identifier(alias, "factor"))

    @api.model
    def _conversion_rate_period_days(self):
        """Number of days of history used to measure a team's quotation conversion rate."""
        return 365

    @api.model
    def _sql_quotation_expired(self):
        """Condition (on ``so`` = sale_order) of an expired quotation: draft or sent and past
        its validity date (from the day after it, whether or not the expiry job has run), or
        marked expired by that job."""
        return SQL(
            "(so.state IN ('draft', 'sent') AND (COALESCE(so.bridge_is_expired, FALSE) "
            "OR so.validity_date < CURRENT_DATE))"
        )

    @api.model
    def _sql_quotation_outcome(self):
        """Outcome of a quotation ``so``: ``won`` (confirmed), ``cancel``, ``expired`` or ``open``.

        The single definition the conversion rate rests on (:meth:`_sql_team_conversion_rate`,
        ``crm.erp.quote.conversion.report``)."""
        return SQL(
            "(CASE WHEN so.state = 'sale' THEN 'won' WHEN so.state = 'cancel' THEN 'cancel' "
            "WHEN %s THEN 'expired' ELSE 'open' END)",
            self._sql_quotation_expired(),
        )

    @api.model
    def _sql_conversion_quotation_where(self):
        """Condition (on ``so``) of the quotations a conversion rate is measured on: all but draft
        quotations never sent (nor expired)."""
        return SQL(
            "(so.state != 'draft' OR so.bridge_sent_date IS NOT NULL OR %s)",
            self._sql_quotation_expired(),
        )

    @api.model
    def _sql_team_conversion_rate(self):
        """CTE body giving, per company and sales team, the measured quotation conversion rate.

        **Conversion rate** = confirmed / (confirmed + cancelled + expired) quotations, over the
        quotations of :meth:`_sql_conversion_quotation_where` ordered within
        :meth:`_conversion_rate_period_days`; open quotations are undecided and left out. The
        quotation conversion report shows the same figure (its rate is empty on open ones).
        Columns: company_id, team_id, closed (number of decided quotations), rate.
        """
        outcome = self._sql_quotation_outcome()
        return SQL(
            """
            SELECT so.company_id, so.team_id,
                   COUNT(*) FILTER (WHERE %(outcome)s != 'open') AS closed,
                   COUNT(*) FILTER (WHERE %(outcome)s = 'won')::numeric
                   / NULLIF(COUNT(*) FILTER (WHERE %(outcome)s != 'open'), 0) AS rate
              FROM sale_order so
             WHERE so.date_order >= CURRENT_DATE - %(days)s AND %(where)s
             GROUP BY so.company_id, so.team_id
            """,
            outcome=outcome,
            days=self._conversion_rate_period_days(),
            where=self._sql_conversion_quotation_where(),
        )

    @api.model
    def _sql_conversion_rate_joins(self):
        """Joins giving what weights a quotation ``so`` of company ``c``: its open opportunity
        (``w_opp``) and its team's measured rate (``conv``, on CTE ``conv``)."""
        return SQL(
            """
            LEFT JOIN (SELECT l.id, l.probability
                         FROM crm_lead l
                         LEFT JOIN crm_stage stage ON stage.id = l.stage_id
                        WHERE %s) w_opp ON w_opp.id = so.opportunity_id
            LEFT JOIN conv ON conv.company_id = so.company_id
                  AND conv.team_id IS NOT DISTINCT FROM so.team_id
            """,
            self._sql_open_opportunity_where(),
        )

    @api.model
    def _sql_quotation_weight_source(self):
        """Which weight applies to an open quotation ``so`` of company ``c`` (needs
        :meth:`_sql_conversion_rate_joins`):

        * ``opportunity``: it belongs to an open opportunity, whose probability applies;
        * ``team``: else its team's measured conversion rate, when it rests on at least
          ``c.bridge_forecast_min_closed_quotations`` decided quotations;
        * ``default``: else the company's default rate ``c.bridge_forecast_default_rate``.
        """
        return SQL(
            "(CASE WHEN w_opp.id IS NOT NULL THEN 'opportunity' "
            "WHEN conv.closed >= GREATEST(COALESCE(c.bridge_forecast_min_closed_quotations, 0), 1) "
            "THEN 'team' ELSE 'default' END)"
        )

    @api.model
    def _sql_conversion_rate_for_order(self):
        """Weight (0..1) of an open quotation ``so``, see :meth:`_sql_quotation_weight_source`."""
        return SQL(
            """(CASE %(source)s WHEN 'opportunity' THEN COALESCE(w_opp.probability, 0.0) / 100.0
                               WHEN 'team' THEN conv.rate
                               ELSE COALESCE(c.bridge_forecast_default_rate, 0.0) / 100.0 END)::numeric""",
            source=self._sql_quotation_weight_source(),
        )

    @api.model
    def _sql_open_opportunity_where(self):
        """Condition (on ``l`` = crm_lead, ``stage`` = crm_stage) of an open opportunity counted
        in the pipeline: active (lost ones are archived), not in a won stage, with or without a
        customer."""
        return SQL("l.type = 'opportunity' AND l.active AND NOT COALESCE(stage.is_won, FALSE)")

    @api.model
    def _sql_open_quotation_where(self):
        """Condition (on ``so`` = sale_order) of an open quotation: draft or sent, not expired
        (:meth:`_sql_quotation_expired`)."""
        return SQL("(so.state IN ('draft', 'sent') AND NOT %s)", self._sql_quotation_expired())

    @api.model
    def _sql_opportunity_replaced_by_quotations(self):
        """**One deal counts once.** Condition (on ``l`` = crm_lead) true when an open opportunity's
        pipeline amount is replaced by its sales documents: as soon as it has an open quotation
        or a confirmed order, these (quotations weighted by the opportunity's probability, orders
        as backlog) stand for the deal in the months they fall in, and the opportunity's prorated
        revenue leaves the pipeline; it comes back when all its quotations are cancelled or
        expired. Override to change the rule: the forecast and the capacity input read it."""
        # "opportunity_id IS NOT NULL" lets the planner read the partial index on
        # sale_order.opportunity_id (created by sale.order)
        return SQL(
            "EXISTS (SELECT 1 FROM sale_order so WHERE so.opportunity_id = l.id "
            "AND so.opportunity_id IS NOT NULL AND (so.state = 'sale' OR %s))",
            self._sql_open_quotation_where(),
        )

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

    def action_export_xlsx(self):
        """Download this report as XLSX (all rows the user may read), see the controller.
        A list header button (called on the selected rows, if any; the export takes them all).

        Runs through the client action ``crm_erp_bridge.report_xlsx_export``: it fetches the
        workbook while a notification shows that it is being prepared (number of rows, time
        elapsed), checks that a workbook came back and hands it to the browser."""
        key = self._xlsx_report_key()
        return {
            "type": "ir.actions.client",
            "tag": "crm_erp_bridge.report_xlsx_export",
            "params": {
                "url": f"/crm_erp_bridge/report/xlsx/{key}",
                "filename": f"{key}_report.xlsx",
                "rows": self.search_count([]),
            },
        }
