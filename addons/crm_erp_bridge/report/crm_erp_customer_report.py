from odoo import api, fields, models, tools
from odoo.tools import SQL
from odoo.tools.sql import column_exists


class CrmErpCustomerReport(models.Model):
    """Customer relationship report: one row per source document of a customer.

    Group by customer (commercial partner), the pivot's default, and expand ``date:month`` to read
    the figures per customer and period; every row carries its document (``res_model``/``res_id``)
    for the drill-down.

    Measures (company currency):

    * ``pipeline_amount``: open opportunities, expected revenue x probability (``prorated_revenue``),
      dated by the expected closing date (creation date when empty);
    * ``quotation_amount``: open quotations (draft/sent), untaxed, dated by the order date;
    * ``ordered_amount``: confirmed orders, untaxed, dated by the order date;
    * ``invoiced_amount``: posted customer invoices minus credit notes, untaxed, by invoice date;
    * ``paid_amount``: part of those invoices already paid (taxes included), by invoice date;
    * ``overdue_amount``: residual of those invoices past their due date (taxes included);
    * ``warranty_cost``: 0 here; ``warranty_management`` plugs its costs in through
      :meth:`_warranty_cost_branches` (and :meth:`_select_warranty_cost`);
    * ``margin_amount``: gross margin, see :meth:`_margin_source`.
    """

    _name = "crm.erp.customer.report"
    _inherit = "crm.erp.report.mixin"
    _description = "Customer Relationship Report"
    _auto = False
    _rec_name = "name"

    source = fields.Selection(
        [
            ("opportunity", "Opportunity"),
            ("quotation", "Quotation"),
            ("order", "Sales Order"),
            ("invoice", "Invoice"),
        ],
        readonly=True,
    )
    pipeline_amount = fields.Monetary(string="Open Pipeline (weighted)", readonly=True)
    quotation_amount = fields.Monetary(string="Open Quotations", readonly=True)
    ordered_amount = fields.Monetary(string="Ordered", readonly=True)
    invoiced_amount = fields.Monetary(string="Invoiced", readonly=True)
    paid_amount = fields.Monetary(string="Paid", readonly=True)
    overdue_amount = fields.Monetary(string="Overdue", readonly=True)
    warranty_cost = fields.Monetary(readonly=True)
    margin_amount = fields.Monetary(string="Gross Margin", readonly=True)

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    @api.model
    def _margin_source(self):
        """Where the gross margin comes from.

        ``"sale_margin"`` when ``sale_margin`` is installed (``sale_order_line.purchase_price``
        exists): margin of confirmed order lines, price_subtotal - purchase_price x quantity, on the
        order rows. Otherwise ``"invoice_cost"``: on the invoice rows, invoiced untaxed revenue of
        product lines minus the product cost (``standard_price`` of the invoice's company) x
        invoiced quantity in the product's unit. Update this module after installing
        ``sale_margin`` to switch.
        """
        if column_exists(self.env.cr, "sale_order_line", "purchase_price"):
            return "sale_margin"
        return "invoice_cost"

    @api.model
    def _select_warranty_cost(self):
        """SQL expression of the warranty cost on the rows of this module's sources (0.0).

        ``warranty_management`` adds its costs as rows of its own with
        :meth:`_warranty_cost_branches`; override this one only to charge a cost on an existing
        row (order/invoice rows use alias ``so``/``am``; invoice rows are grouped by ``am.id``
        when the margin is read from the invoice lines, so use ``am`` columns only)."""
        return SQL("0.0")

    @api.model
    def _warranty_cost_branches(self):
        """Extra ``UNION ALL`` branches for warranty costs (none here).

        ``warranty_management`` overrides this to return a list of ``SQL`` SELECTs with exactly the
        columns of :meth:`_select_columns` (in that order), ``source`` set to a value it adds with
        ``selection_add`` (e.g. ``"warranty"``), ``warranty_cost`` filled and the other measures 0.
        Row ids must not clash: use ``id * 16 + 8`` (offsets 0 to 7 are taken here).
        """
        return []

    @api.model
    def _select_columns(self):
        """Column names of every branch of the view, in order."""
        return [
            "id", "source", "res_model", "res_id", "name", "date", "partner_id", "company_id",
            "currency_id", "team_id", "user_id", "pipeline_amount", "quotation_amount",
            "ordered_amount", "invoiced_amount", "paid_amount", "overdue_amount", "warranty_cost",
            "margin_amount",
        ]

    @api.model
    def _branch_opportunities(self):
        return SQL(
            """
            SELECT l.id * 16 + 1, 'opportunity', 'crm.lead', l.id, l.name,
                   COALESCE(l.date_deadline, l.create_date::date),
                   p.commercial_partner_id, l.company_id, c.currency_id, l.team_id, l.user_id,
                   COALESCE(l.prorated_revenue, 0.0), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
              FROM crm_lead l
              JOIN res_partner p ON p.id = l.partner_id
              JOIN res_company c ON c.id = l.company_id
              LEFT JOIN crm_stage stage ON stage.id = l.stage_id
             WHERE %s
            """,
            self._sql_open_opportunity_where(),
        )

    @api.model
    def _branch_orders(self):
        amount = self._sql_order_amount_in_company_currency(SQL("so.amount_untaxed"))
        if self._margin_source() == "sale_margin":
            margin = SQL(
                "CASE WHEN so.state = 'sale' THEN %s ELSE 0.0 END",
                self._sql_order_amount_in_company_currency(SQL("COALESCE(so_margin.amount, 0.0)")),
            )
            margin_join = SQL(
                """
                LEFT JOIN (
                    SELECT sol.order_id,
                           SUM(sol.price_subtotal - COALESCE(sol.purchase_price, 0.0) * sol.product_uom_qty)
                           AS amount
                      FROM sale_order_line sol
                     WHERE sol.display_type IS NULL AND sol.state = 'sale'
                     GROUP BY sol.order_id
                ) so_margin ON so_margin.order_id = so.id
                """
            )
        else:
            margin, margin_join = SQL("0.0"), SQL()
        return SQL(
            """
            SELECT so.id * 16 + 2,
                   CASE WHEN so.state = 'sale' THEN 'order' ELSE 'quotation' END,
                   'sale.order', so.id, so.name, so.date_order::date,
                   p.commercial_partner_id, so.company_id, c.currency_id, so.team_id, so.user_id,
                   0.0,
                   CASE WHEN %(open_quote)s THEN %(amount)s ELSE 0.0 END,
                   CASE WHEN so.state = 'sale' THEN %(amount)s ELSE 0.0 END,
                   0.0, 0.0, 0.0, %(warranty)s, %(margin)s
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
              JOIN res_company c ON c.id = so.company_id
              %(margin_join)s
             WHERE so.state IN ('draft', 'sent', 'sale')
            """,
            margin_join=margin_join,
            open_quote=self._sql_open_quotation_where(),
            amount=amount,
            warranty=self._select_warranty_cost(),
            margin=margin,
        )

    @api.model
    def _sql_invoice_margin_join(self):
        """LEFT JOINs giving, for invoice ``am``, its product lines ``aml`` (posted, sales
        journals), their unit ``line_uom`` and ``product_cost`` (product_id, company_id,
        unit_cost): the product cost (``standard_price`` of the company) per product unit, built
        once per product and company; used when there is no ``sale_margin`` (see
        :meth:`_margin_source` and :meth:`_sql_invoice_margin`).

        The invoice branch groups these lines back by invoice (one row per invoice): a merge on
        the partial index of :meth:`init`, no per-invoice hash table of all the lines."""
        return SQL(
            """
            LEFT JOIN account_move_line aml
                   ON aml.move_id = am.id AND aml.display_type = 'product' AND aml.parent_state = 'posted'
                  AND am.journal_id IN (SELECT id FROM account_journal WHERE type = 'sale')
            LEFT JOIN uom_uom line_uom ON line_uom.id = aml.product_uom_id
            LEFT JOIN (
                SELECT pp.id AS product_id, cost_company.id AS company_id,
                       COALESCE(product_uom.factor, 1.0)
                       * COALESCE((pp.standard_price ->> cost_company.id::text)::numeric, 0.0) AS unit_cost
                  FROM product_product pp
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  LEFT JOIN uom_uom product_uom ON product_uom.id = pt.uom_id
                 CROSS JOIN res_company cost_company
            ) product_cost ON product_cost.product_id = aml.product_id
                          AND product_cost.company_id = aml.company_id
            """
        )

    @api.model
    def _sql_invoice_margin(self):
        """Gross margin of an invoice row ``am`` (an aggregate over the lines of
        :meth:`_sql_invoice_margin_join`): untaxed revenue of its product lines minus their
        product cost (invoiced quantity in the product's unit), the cost counting back on credit
        notes."""
        return SQL(
            "COALESCE(SUM(-aml.balance) - CASE WHEN am.move_type = 'out_refund' THEN -1 ELSE 1 END "
            "* SUM(aml.quantity / COALESCE(NULLIF(line_uom.factor, 0), 1.0) "
            "* COALESCE(product_cost.unit_cost, 0.0)), 0.0)"
        )

    @api.model
    def _branch_invoices(self):
        invoice_margin = self._margin_source() == "invoice_cost"
        return SQL(
            """
            SELECT am.id * 16 + 3, 'invoice', 'account.move', am.id, am.name, am.invoice_date,
                   am.commercial_partner_id, am.company_id,
                   (SELECT c.currency_id FROM res_company c WHERE c.id = am.company_id), am.team_id,
                   am.invoice_user_id,
                   0.0, 0.0, 0.0,
                   am.amount_untaxed_signed,
                   am.amount_total_signed - am.amount_residual_signed,
                   CASE WHEN am.invoice_date_due < CURRENT_DATE
                         AND am.payment_state IN ('not_paid', 'partial')
                        THEN am.amount_residual_signed ELSE 0.0 END,
                   %(warranty)s, %(margin)s
              FROM account_move am
              %(margin_join)s
             WHERE %(where)s
             %(group_by)s
            """,
            warranty=self._select_warranty_cost(),
            margin=self._sql_invoice_margin() if invoice_margin else SQL("0.0"),
            margin_join=self._sql_invoice_margin_join() if invoice_margin else SQL(),
            where=self._sql_customer_invoice_where(),
            group_by=SQL("GROUP BY am.id") if invoice_margin else SQL(),
        )

    @api.model
    def _query_branches(self):
        """All ``UNION ALL`` branches of the view; extend to add sources."""
        return [
            self._branch_opportunities(),
            self._branch_orders(),
            self._branch_invoices(),
            *self._warranty_cost_branches(),
        ]

    def init(self):
        # posted product lines by move with all the margin reads (index-only scan, in move order)
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS account_move_line_bridge_margin_idx ON account_move_line (move_id)
            INCLUDE (product_id, product_uom_id, company_id, quantity, balance)
             WHERE display_type = 'product' AND parent_state = 'posted'
            """
        )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s (%s) AS (%s)",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(col) for col in self._select_columns()),
                SQL(" UNION ALL ").join(self._query_branches()),
            )
        )

    @api.model
    def _xlsx_report_key(self):
        return "customer"
