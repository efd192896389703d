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
    * ``margin_amount``: gross margin, see :meth:`_margin_source`.

    **Built to be inherited.** The view is the ``UNION ALL`` of named *branches*, one per kind of
    source document, each a mapping of column name to SQL value rendered by
    :meth:`_render_branch`:

    * a new **measure**: declare its ``Monetary`` field (``readonly=True``) and add it to
      :meth:`_report_measures` with, if it takes a value on existing branches, that value per
      branch key (using the aliases documented on each branch builder). The view, the measures
      offered by the pivot and graph (``fields_get``), ``read_group`` and the XLSX summary
      sheets follow; every other branch reads 0;
    * a new **source**: add a branch builder to :meth:`_report_branches` (and the ``source``
      value with ``selection_add``); it sets the columns of :meth:`_report_dimensions`, ``id``
      (unique within the branch) and the measures it feeds. Row ids are derived from the branch
      key (:meth:`_render_branch`), never written by hand.

    Views are extended by XML inheritance by the addon that adds the measure; the XLSX document
    sheet of a source lists the measures of :meth:`_report_source_measures`.
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
    margin_amount = fields.Monetary(string="Gross Margin", readonly=True)

    # ------------------------------------------------------------------
    # Seams: the shape of the view
    # ------------------------------------------------------------------
    @api.model
    def _report_dimensions(self):
        """Columns every branch sets (besides ``id``), in view order: what a row is about."""
        return [
            "source", "res_model", "res_id", "name", "date", "partner_id", "company_id",
            "currency_id", "team_id", "user_id",
        ]

    @api.model
    def _report_measures(self):
        """Measure registry: measure column name -> {branch key: SQL value on that branch}, in
        display order (XLSX columns).

        Extend with ``{**super()._report_measures(), "my_amount": {"order": SQL(...)}}`` after
        declaring the ``my_amount`` Monetary field: the value is taken on the rows of the given
        branches (keys of :meth:`_report_branches`, aliases documented on their builders), 0 on
        the others. A measure fed only by a branch of its own maps to ``{}``: the branch sets it.
        The bridge's branches set their own measures, hence the empty mappings here.
        """
        return {
            name: {}
            for name in (
                "pipeline_amount", "quotation_amount", "ordered_amount", "invoiced_amount",
                "paid_amount", "overdue_amount", "margin_amount",
            )
        }

    @api.model
    def _report_branches(self):
        """Branch registry: branch key -> builder (no argument) returning ``(columns, body)``.

        ``columns`` maps column names to ``SQL`` values: ``id`` (an integer unique within the
        branch, e.g. the document id), every column of :meth:`_report_dimensions` and the
        measures the branch feeds; ``body`` is the rest of the SELECT (``FROM ... WHERE ...``).
        Extend with ``{**super()._report_branches(), "my_key": self._branch_my_source}``.
        """
        return {
            "opportunity": self._branch_opportunities,
            "order": self._branch_orders,
            "invoice": self._branch_invoices,
        }

    @api.model
    def _report_source_measures(self):
        """Measures listed on the XLSX document sheet of each ``source`` (a source not listed
        here gets every measure of :meth:`_report_measures`)."""
        return {
            "opportunity": ["pipeline_amount"],
            "quotation": ["quotation_amount"],
            "order": ["ordered_amount", "margin_amount"],
            "invoice": ["invoiced_amount", "paid_amount", "overdue_amount", "margin_amount"],
        }

    @api.model
    def _report_columns(self):
        """Column names of the view, in order: ``id``, dimensions, measures."""
        return ["id", *self._report_dimensions(), *self._report_measures()]

    @api.model
    def _render_branch(self, key, columns, body, slot, slots):
        """The one place a branch becomes a SELECT of the view.

        Columns come in :meth:`_report_columns` order; a measure the branch does not set takes its
        value for ``key`` in :meth:`_report_measures`, else 0. Measures are summed as double
        precision, the type the ORM reads them in (a fifth faster than ``numeric`` sums on the
        pivot's 300,000 rows; exact to the cent far beyond any customer's total). The row id is
        the branch's ``id`` x ``slots`` + ``slot`` (the rank of ``key`` among the sorted branch
        keys): unique across branches, and the same on every request while the installed
        branches stay the same (the drill-down reads rows by id).
        """
        measures = self._report_measures()
        dimensions = self._report_dimensions()
        missing = {"id", *dimensions} - set(columns)
        unknown = set(columns) - {"id", *dimensions, *measures}
        twice = {name for name, values in measures.items() if name in columns and key in values}
        if missing or unknown or twice:
            raise ValueError(
                f"Customer report branch {key!r}: missing columns {sorted(missing)}, unknown "
                f"columns {sorted(unknown)}, measures set twice {sorted(twice)}"
            )
        values = [SQL("(%s)::bigint * %s + %s", columns["id"], slots, slot)]
        values += [columns[name] for name in dimensions]
        for name, by_branch in measures.items():
            value = columns[name] if name in columns else by_branch.get(key, SQL("0.0"))
            values.append(SQL("(%s)::double precision", value))
        return SQL("SELECT %s %s", SQL(", ").join(values), body)

    @api.model
    def _query_branches(self):
        """All ``UNION ALL`` branches of the view, rendered (see :meth:`_report_branches`)."""
        branches = self._report_branches()
        keys = sorted(branches)
        return [
            self._render_branch(key, *branches[key](), slot=keys.index(key), slots=len(keys))
            for key in branches
        ]

    # ------------------------------------------------------------------
    # Seams: figures
    # ------------------------------------------------------------------
    @api.model
    def _margin_source(self):
        """Where the gross margin comes from.

        ``"sale_margin"`` when ``sale_margin`` is installed (``sale_order_line.purchase_price``
        exists): margin of confirmed order lines, price_subtotal - purchase_price x quantity, on the
        order rows. Otherwise ``"invoice_cost"``: on the invoice rows, the margin stored when the
        invoice was posted (``account.move.bridge_margin_amount``: invoiced untaxed revenue of the
        product lines minus the product cost of that moment x invoiced quantity in the product's
        unit, see ``account.move._bridge_sql_line_cost``). Update this module after installing
        ``sale_margin`` to switch.
        """
        if column_exists(self.env.cr, "sale_order_line", "purchase_price"):
            return "sale_margin"
        return "invoice_cost"

    # ------------------------------------------------------------------
    # Branches
    # ------------------------------------------------------------------
    @api.model
    def _branch_opportunities(self):
        """Open opportunities: ``l`` = crm_lead, ``p`` = its partner, ``c`` = its company."""
        return {
            "id": SQL("l.id"),
            "source": SQL("'opportunity'"),
            "res_model": SQL("'crm.lead'"),
            "res_id": SQL("l.id"),
            "name": SQL("l.name"),
            "date": SQL("COALESCE(l.date_deadline, l.create_date::date)"),
            "partner_id": SQL("p.commercial_partner_id"),
            "company_id": SQL("l.company_id"),
            "currency_id": SQL("c.currency_id"),
            "team_id": SQL("l.team_id"),
            "user_id": SQL("l.user_id"),
            "pipeline_amount": SQL("COALESCE(l.prorated_revenue, 0.0)"),
        }, SQL(
            """
              FROM crm_lead l
              JOIN res_partner p ON p.id = l.partner_id
              LEFT JOIN res_company c ON c.id = l.company_id
              LEFT JOIN crm_stage stage ON stage.id = l.stage_id
             WHERE %s
            """,
            self._sql_open_opportunity_where(),
        )

    @api.model
    def _branch_orders(self):
        """Quotations and orders: ``so`` = sale_order, ``p`` = its partner, ``c`` = its company."""
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
        return {
            "id": SQL("so.id"),
            "source": SQL("CASE WHEN so.state = 'sale' THEN 'order' ELSE 'quotation' END"),
            "res_model": SQL("'sale.order'"),
            "res_id": SQL("so.id"),
            "name": SQL("so.name"),
            "date": SQL("so.date_order::date"),
            "partner_id": SQL("p.commercial_partner_id"),
            "company_id": SQL("so.company_id"),
            "currency_id": SQL("c.currency_id"),
            "team_id": SQL("so.team_id"),
            "user_id": SQL("so.user_id"),
            "quotation_amount": SQL(
                "CASE WHEN %s THEN %s ELSE 0.0 END", self._sql_open_quotation_where(), amount
            ),
            "ordered_amount": SQL("CASE WHEN so.state = 'sale' THEN %s ELSE 0.0 END", amount),
            "margin_amount": margin,
        }, SQL(
            """
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
              LEFT JOIN res_company c ON c.id = so.company_id
              %s
             WHERE so.state IN ('draft', 'sent', 'sale')
            """,
            margin_join,
        )

    @api.model
    def _branch_invoices(self):
        """Posted customer invoices and credit notes: ``am`` = account_move. Their margin is the
        one stored at posting (``account.move.bridge_margin_amount``)."""
        invoice_margin = self._margin_source() == "invoice_cost"
        return {
            "id": SQL("am.id"),
            "source": SQL("'invoice'"),
            "res_model": SQL("'account.move'"),
            "res_id": SQL("am.id"),
            "name": SQL("am.name"),
            "date": SQL("am.invoice_date"),
            "partner_id": SQL("am.commercial_partner_id"),
            "company_id": SQL("am.company_id"),
            "currency_id": SQL("c.currency_id"),
            "team_id": SQL("am.team_id"),
            "user_id": SQL("am.invoice_user_id"),
            "invoiced_amount": SQL("am.amount_untaxed_signed"),
            "paid_amount": SQL("am.amount_total_signed - am.amount_residual_signed"),
            "overdue_amount": SQL(
                "CASE WHEN am.invoice_date_due < CURRENT_DATE AND am.payment_state IN ('not_paid', 'partial') "
                "THEN am.amount_residual_signed ELSE 0.0 END"
            ),
            "margin_amount": SQL("COALESCE(am.bridge_margin_amount, 0.0)") if invoice_margin else SQL("0.0"),
        }, SQL(
            """
              FROM account_move am
              LEFT JOIN res_company c ON c.id = am.company_id
             WHERE %s
            """,
            self._sql_customer_invoice_where(),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s (%s) AS (%s)",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(col) for col in self._report_columns()),
                SQL(" UNION ALL ").join(self._query_branches()),
            )
        )

    @api.model
    def _xlsx_report_key(self):
        return "customer"
