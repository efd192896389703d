from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

RECEIVABLE_FIELDS = (
    "bridge_invoiced_12m",
    "bridge_open_receivable",
    "bridge_overdue_amount",
    "bridge_oldest_overdue_days",
    "bridge_credit_exposure",
    "bridge_credit_usage",
    "bridge_avg_days_to_pay",
    "bridge_last_order_date",
    "bridge_open_quotation_count",
    "bridge_credit_warning",
)


class ResPartner(models.Model):
    """The bridge's extension of partners: receivable and credit figures, follow-up settings."""

    _inherit = "res.partner"

    # Receivables where people sell. Names are prefixed: Enterprise's
    # account_followup already defines total_due / total_overdue.
    bridge_currency_id = fields.Many2one(
        "res.currency", compute="_compute_bridge_currency_id"
    )
    bridge_invoiced_12m = fields.Monetary(
        string="Invoiced (12 Months)", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
        help="Untaxed amount invoiced to the customer over the last 12 months, net of credit notes.",
    )
    bridge_open_receivable = fields.Monetary(
        string="Open Receivables", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
        help="Amount still due on the customer's posted invoices.",
    )
    bridge_overdue_amount = fields.Monetary(
        string="Overdue Amount", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
        help="Amount due on invoices past their due date.",
    )
    bridge_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (Days)", compute="_compute_bridge_receivables",
        help="Days since the due date of the oldest overdue invoice.",
    )
    bridge_credit_exposure = fields.Monetary(
        string="Credit Exposure", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
        help="What the customer owes the current company or has ordered from it, in its currency: "
        "open receivables, confirmed orders not yet invoiced and deliveries not yet invoiced, as "
        "the company's settings count them (computed when the Sales Credit Limit setting is on).",
    )
    bridge_credit_usage = fields.Float(
        string="Credit Limit Usage (%)", compute="_compute_bridge_receivables",
        help="Credit exposure as a percentage of the customer's credit limit "
        "(0 when no credit limit applies).",
    )
    bridge_avg_days_to_pay = fields.Float(
        string="Average Days to Pay", compute="_compute_bridge_receivables",
        help="Average days between invoice date and full payment, over the invoices "
        "of the last 12 months.",
    )
    bridge_last_order_date = fields.Datetime(
        string="Last Order", compute="_compute_bridge_receivables",
    )
    bridge_open_quotation_count = fields.Integer(
        string="Open Quotations", compute="_compute_bridge_receivables",
    )
    bridge_credit_warning = fields.Boolean(
        string="Credit Warning", compute="_compute_bridge_receivables",
        help="The customer is overdue beyond the company thresholds or over its credit limit.",
    )
    bridge_credit_warning_message = fields.Char(
        string="Credit Warning Message", compute="_compute_bridge_receivables",
    )

    def _compute_bridge_currency_id(self):
        self.bridge_currency_id = self.env.company.currency_id

    @api.depends_context("company", "allowed_company_ids")
    def _compute_bridge_receivables(self):
        figures = self._bridge_get_receivable_figures()
        empty = self._bridge_empty_figures()
        for partner in self:
            values = figures.get(partner.commercial_partner_id._origin.id, empty)
            for fname in RECEIVABLE_FIELDS:
                partner[fname] = values[fname]
            partner.bridge_credit_warning_message = values["bridge_credit_warning_message"]

    @api.model
    def _bridge_empty_figures(self):
        return {
            "bridge_invoiced_12m": 0.0,
            "bridge_open_receivable": 0.0,
            "bridge_overdue_amount": 0.0,
            "bridge_oldest_overdue_days": 0,
            "bridge_credit_exposure": 0.0,
            "bridge_credit_usage": 0.0,
            "bridge_avg_days_to_pay": 0.0,
            "bridge_last_order_date": False,
            "bridge_open_quotation_count": 0,
            "bridge_credit_warning": False,
            "bridge_credit_warning_message": False,
        }

    # ------------------------------------------------------------------
    # Figures (batch: a constant number of queries for any recordset)
    # ------------------------------------------------------------------

    def _bridge_get_receivable_figures(self):
        """Return ``{commercial_partner_id: {field: value}}`` for the
        commercial partners of ``self``.

        The figures are read as superuser within the allowed companies: a
        salesperson must see that a customer is overdue even on invoices
        that another salesperson issued. Amounts are in the currency of the
        current company: each company's sums (in that company's currency) are
        converted at today's rate (see :meth:`_bridge_to_company_currency`).
        """
        # records being created in a form (NewId) have no figures yet
        commercial_ids = tuple(set(self.commercial_partner_id._origin.ids))
        figures = {pid: self._bridge_empty_figures() for pid in commercial_ids}
        if not commercial_ids:
            return figures
        self.env.flush_all()
        today = fields.Date.context_today(self)
        company_ids = tuple(self.env.companies.ids)
        companies = self.env["res.company"].browse(company_ids)
        for pid, company_id, invoiced, open_amount, overdue, oldest_due in self._bridge_query_invoices(
            commercial_ids, company_ids, today
        ):
            company = companies.browse(company_id)
            values = figures[pid]
            values["bridge_invoiced_12m"] += self._bridge_to_company_currency(invoiced, company, today)
            values["bridge_open_receivable"] += self._bridge_to_company_currency(open_amount, company, today)
            values["bridge_overdue_amount"] += self._bridge_to_company_currency(overdue, company, today)
            if oldest_due:
                days = (today - oldest_due).days
                values["bridge_oldest_overdue_days"] = max(values["bridge_oldest_overdue_days"], days)
        for pid, avg_days in self._bridge_query_days_to_pay(commercial_ids, company_ids, today):
            figures[pid]["bridge_avg_days_to_pay"] = float(avg_days or 0.0)
        for pid, last_order, open_quotes in self._bridge_query_orders(commercial_ids, company_ids, today):
            figures[pid].update(
                bridge_last_order_date=last_order or False,
                bridge_open_quotation_count=open_quotes or 0,
            )
        limits = self._bridge_get_credit_limits(commercial_ids)
        exposures = self._bridge_get_credit_exposures(tuple(limits))
        for pid, values in figures.items():
            limit = limits.get(pid)
            if limit:
                values["bridge_credit_exposure"] = exposures.get(pid, 0.0)
                values["bridge_credit_usage"] = 100.0 * values["bridge_credit_exposure"] / limit
            message = self.browse(pid)._bridge_get_credit_warning(values, limit)
            values["bridge_credit_warning"] = bool(message)
            values["bridge_credit_warning_message"] = message or False
        return figures

    @api.model
    def _bridge_to_company_currency(self, amount, company, day):
        """Convert ``amount``, in the currency of ``company``, to the currency of the current
        company at the rate of ``day``.

        Receivable figures are today's exposure, so open and overdue balances (and, for one
        consistent figure, the 12-month invoiced amount) are converted at today's rate; within
        one company nothing is converted (``amount_*_signed`` is already in its currency).
        """
        if not amount:
            return 0.0
        target = self.env.company
        if company == target or company.currency_id == target.currency_id:
            return amount
        return company.currency_id._convert(amount, target.currency_id, target, day)

    def _bridge_query_invoices(self, commercial_ids, company_ids, today):
        """Per customer and company: invoiced over 12 months, open, overdue (in that company's
        currency) and oldest due date (1 query)."""
        return self.env.execute_query(SQL(
            """
            SELECT m.commercial_partner_id, m.company_id,
                   SUM(m.amount_untaxed_signed) FILTER (WHERE m.invoice_date >= %(since)s),
                   SUM(m.amount_residual_signed) FILTER (WHERE m.payment_state IN ('not_paid', 'partial')),
                   SUM(m.amount_residual_signed) FILTER (
                       WHERE m.payment_state IN ('not_paid', 'partial') AND m.invoice_date_due < %(today)s),
                   MIN(m.invoice_date_due) FILTER (
                       WHERE m.payment_state IN ('not_paid', 'partial') AND m.invoice_date_due < %(today)s
                         AND m.amount_residual_signed > 0)
              FROM account_move m
             WHERE m.commercial_partner_id IN %(partners)s
               AND m.company_id IN %(companies)s
               AND m.state = 'posted'
               AND m.move_type IN ('out_invoice', 'out_refund')
          GROUP BY m.commercial_partner_id, m.company_id
            """,
            since=today - timedelta(days=365),
            today=today,
            partners=commercial_ids,
            companies=company_ids,
        ))

    def _bridge_query_days_to_pay(self, commercial_ids, company_ids, today):
        """Average days from invoice date to the last reconciliation of the
        paid invoices of the last 12 months (1 query)."""
        return self.env.execute_query(SQL(
            """
            SELECT m.commercial_partner_id, AVG(paid.last_date - m.invoice_date)
              FROM account_move m
              JOIN LATERAL (
                    SELECT MAX(apr.max_date) AS last_date
                      FROM account_move_line aml
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                     WHERE aml.move_id = m.id
                   ) paid ON paid.last_date IS NOT NULL
             WHERE m.commercial_partner_id IN %(partners)s
               AND m.company_id IN %(companies)s
               AND m.state = 'posted'
               AND m.move_type = 'out_invoice'
               AND m.payment_state IN ('paid', 'in_payment')
               AND m.invoice_date >= %(since)s
          GROUP BY m.commercial_partner_id
            """,
            since=today - timedelta(days=365),
            partners=commercial_ids,
            companies=company_ids,
        ))

    def _bridge_query_orders(self, commercial_ids, company_ids, today):
        """Last confirmed order and open (unexpired) quotations (1 query)."""
        return self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id,
                   MAX(o.date_order) FILTER (WHERE o.state = 'sale'),
                   COUNT(*) FILTER (WHERE o.state IN ('draft', 'sent')
                                    AND (o.validity_date IS NULL OR o.validity_date >= %(today)s))
              FROM sale_order o
              JOIN res_partner p ON p.id = o.partner_id
             WHERE p.commercial_partner_id IN %(partners)s
               AND o.company_id IN %(companies)s
          GROUP BY p.commercial_partner_id
            """,
            today=today,
            partners=commercial_ids,
            companies=company_ids,
        ))

    def _bridge_get_credit_limits(self, commercial_ids):
        """Return ``{partner_id: credit limit}`` for the customers whose
        credit limit applies in the current company (Accounting setting
        "Sales Credit Limit" and a positive limit): THE limit of the block and
        the banners (override to add a grace amount, a guarantee...)."""
        if not self.env.company.account_use_credit_limit:
            return {}
        partners = self.browse(commercial_ids).sudo()
        return {p.id: p.credit_limit for p in partners if p.credit_limit > 0}

    def _bridge_get_credit_exposures(self, commercial_ids):
        """Return ``{partner_id: exposure}`` in the current company's currency: THE credit exposure
        of the suite, the sum of the parts the company counts (:meth:`_bridge_credit_exposure_parts`),
        each one method returning ``{partner_id: amount}`` for all the customers at once (one
        aggregate query per part). The banners, the block of quotations and the hold of deliveries
        (``crm_erp_bridge_stock``) all read it.
        """
        exposures = dict.fromkeys(commercial_ids, 0.0)
        if not commercial_ids:
            return exposures
        company = self.env.company
        self.env.flush_all()
        for part in self._bridge_credit_exposure_parts(company):
            for pid, amount in getattr(self, f"_bridge_credit_exposure_{part}")(commercial_ids, company).items():
                exposures[pid] += amount or 0.0
        return exposures

    @api.model
    def _bridge_credit_exposure_parts(self, company):
        """Names of the parts of the credit exposure ``company`` counts (its settings); each part
        ``name`` is computed by ``_bridge_credit_exposure_<name>(commercial_ids, company)``.
        Override to add a part (a guarantee to subtract, say)."""
        settings = {
            "receivables": company.bridge_exposure_receivables,
            "orders": company.bridge_exposure_orders,
            "deliveries": company.bridge_exposure_deliveries,
        }
        return [part for part, counted in settings.items() if counted]

    @api.model
    def _bridge_credit_exposure_receivables(self, commercial_ids, company):
        """Open receivables: the unreconciled balance of the customers' receivable journal items
        in ``company`` (posted invoices not paid, less unallocated payments and credit notes), in
        its currency (1 query)."""
        return dict(self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id, SUM(aml.amount_residual)
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE p.commercial_partner_id IN %(partners)s
               AND aml.company_id = %(company)s
               AND aml.parent_state = 'posted'
               AND acc.account_type = 'asset_receivable'
               AND aml.reconciled IS NOT TRUE
          GROUP BY p.commercial_partner_id
            """,
            partners=tuple(commercial_ids),
            company=company.id,
        )))

    @api.model
    def _bridge_credit_exposure_order_open_qty_sql(self):
        """SQL expression (on ``sale_order_line l``) of the quantity the orders part counts:
        ordered and not yet invoiced. ``crm_erp_bridge_stock`` leaves out what was delivered,
        which its deliveries part counts."""
        return SQL("GREATEST(l.product_uom_qty - l.qty_invoiced, 0)")

    @api.model
    def _bridge_credit_exposure_lines_sql(self, commercial_ids, company, quantity):
        """Sum per customer of ``quantity`` (an SQL expression on ``sale_order_line l``) at the
        lines' unit price with taxes, over the confirmed orders of ``company``, converted from
        the order's currency at the order's rate (1 query)."""
        return dict(self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id,
                   SUM(%(quantity)s * l.price_total / l.product_uom_qty / COALESCE(NULLIF(o.currency_rate, 0), 1))
              FROM sale_order_line l
              JOIN sale_order o ON o.id = l.order_id
              JOIN res_partner p ON p.id = o.partner_id
             WHERE p.commercial_partner_id IN %(partners)s
               AND o.company_id = %(company)s
               AND o.state = 'sale'
               AND l.display_type IS NULL
               AND l.product_uom_qty > 0
          GROUP BY p.commercial_partner_id
            """,
            quantity=quantity,
            partners=tuple(commercial_ids),
            company=company.id,
        )))

    @api.model
    def _bridge_credit_exposure_orders(self, commercial_ids, company):
        """Confirmed orders not yet invoiced (quantities of
        :meth:`_bridge_credit_exposure_order_open_qty_sql`), with taxes, in ``company``'s currency."""
        return self._bridge_credit_exposure_lines_sql(
            commercial_ids, company, self._bridge_credit_exposure_order_open_qty_sql()
        )

    @api.model
    def _bridge_credit_exposure_deliveries(self, commercial_ids, company):
        """Deliveries not yet invoiced: nothing without Inventory (``crm_erp_bridge_stock``
        counts the delivered quantities not invoiced)."""
        return {}

    def _bridge_get_overdue_warning(self, figures):
        """Return the overdue part of the banner (company thresholds), else ``False``: what
        Odoo's credit limit check does not cover."""
        company = self.env.company
        if (
            figures["bridge_overdue_amount"] > company.bridge_overdue_amount_threshold
            and figures["bridge_oldest_overdue_days"] >= company.bridge_overdue_days_threshold
        ):
            return self.env._(
                "%(amount)s overdue, oldest invoice %(days)s days past due.",
                amount=company.currency_id.format(figures["bridge_overdue_amount"]),
                days=figures["bridge_oldest_overdue_days"],
            )
        return False

    def _bridge_get_credit_warning(self, figures, credit_limit):
        """Return the banner text when the customer is overdue beyond the
        company thresholds or over its credit limit, else ``False``.

        :param figures: the customer's receivable figures (``bridge_credit_exposure``: see
            :meth:`_bridge_get_credit_exposures`)
        :param credit_limit: the applicable credit limit or ``None``
        """
        company = self.env.company
        messages = [self._bridge_get_overdue_warning(figures)]
        if credit_limit and figures["bridge_credit_exposure"] > credit_limit:
            messages.append(self.env._(
                "Over the credit limit: %(exposure)s due and ordered for a limit of %(limit)s.",
                exposure=company.currency_id.format(figures["bridge_credit_exposure"]),
                limit=company.currency_id.format(credit_limit),
            ))
        return " ".join(m for m in messages if m) or False

    def action_open_bridge_timeline(self):
        """Open the 360° timeline of the customer (its commercial partner)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return {
            "type": "ir.actions.client",
            "tag": "crm_erp_bridge.timeline",
            "name": self.env._("Timeline: %(partner)s", partner=partner.display_name),
            "params": {"partner_id": partner.id},
            "context": {"active_id": partner.id, "active_model": "res.partner"},
        }
