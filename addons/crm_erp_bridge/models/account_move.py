from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists


class AccountMove(models.Model):
    """The gross margin of a customer invoice, stored when it is posted.

    ``bridge_margin_amount`` (company currency) is set at posting from the product lines and the
    product cost of that moment, the way ``sale_margin`` keeps the cost on the order line: a later
    cost change leaves it as it is; reset to draft clears it, posting again sets it with the cost
    of the new posting. The customer relationship report reads it (no per-line work at read time).

    The rule is one SQL statement (:meth:`_bridge_sql_store_margin`) built from one per-line cost
    expression (:meth:`_bridge_sql_line_cost`), used by posting and by the backfill of the
    invoices posted before the field existed (:meth:`_auto_init`).
    """

    _inherit = "account.move"

    bridge_margin_amount = fields.Monetary(
        string="Gross Margin (at posting)",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        help="Untaxed revenue of the product lines minus their product cost when the invoice was "
        "posted (company currency); credit notes count negative.",
    )

    # ------------------------------------------------------------------
    # The rule
    # ------------------------------------------------------------------
    @api.model
    def _bridge_sql_line_cost(self):
        """Seam. Product cost of invoice line ``aml`` in the company currency: its quantity in the
        product's unit (line unit ``line_uom``, product unit ``product_uom``) x the product's cost
        (``standard_price`` of the line's company, product ``pp``) at the time the statement runs;
        0 without product or cost."""
        return SQL(
            "(aml.quantity / COALESCE(NULLIF(line_uom.factor, 0), 1.0) * COALESCE(product_uom.factor, 1.0)"
            " * COALESCE((pp.standard_price ->> aml.company_id::text)::numeric, 0.0))"
        )

    @api.model
    def _bridge_sql_margin_move_where(self):
        """Condition (on ``move`` = account_move) of the moves that carry a margin: posted
        customer invoices and credit notes of a sales journal."""
        return SQL(
            "move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')"
            " AND move.journal_id IN (SELECT id FROM account_journal WHERE type = 'sale')"
        )

    @api.model
    def _bridge_sql_store_margin(self, where):
        """UPDATE storing the margin of the moves ``move`` matching ``where`` and
        :meth:`_bridge_sql_margin_move_where`: untaxed revenue of the product lines (-balance)
        minus their cost (:meth:`_bridge_sql_line_cost`), the cost counting back on credit notes,
        rounded to the company currency."""
        return SQL(
            """
            UPDATE account_move am
               SET bridge_margin_amount = margin.amount
              FROM (
                    SELECT move.id,
                           ROUND(COALESCE(SUM(-aml.balance - CASE WHEN move.move_type = 'out_refund'
                                                                 THEN -1 ELSE 1 END * %(cost)s), 0.0),
                                 MIN(currency.decimal_places)) AS amount
                      FROM account_move move
                      JOIN res_company company ON company.id = move.company_id
                      JOIN res_currency currency ON currency.id = company.currency_id
                      LEFT JOIN account_move_line aml ON aml.move_id = move.id AND aml.display_type = 'product'
                      LEFT JOIN uom_uom line_uom ON line_uom.id = aml.product_uom_id
                      LEFT JOIN product_product pp ON pp.id = aml.product_id
                      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                      LEFT JOIN uom_uom product_uom ON product_uom.id = pt.uom_id
                     WHERE %(rule)s AND %(where)s
                     GROUP BY move.id
                   ) margin
             WHERE am.id = margin.id
            """,
            cost=self._bridge_sql_line_cost(),
            rule=self._bridge_sql_margin_move_where(),
            where=where,
        )

    def _bridge_store_margin(self):
        """Store the margin of these moves (those the rule applies to) with today's costs, in one
        statement."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(self._bridge_sql_store_margin(SQL("move.id IN %s", tuple(self.ids))))
        self.invalidate_recordset(["bridge_margin_amount"])

    # ------------------------------------------------------------------
    # Posting, reset to draft, backfill
    # ------------------------------------------------------------------
    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted.filtered(lambda move: move.is_sale_document(include_receipts=False))._bridge_store_margin()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self.filtered("bridge_margin_amount").write({"bridge_margin_amount": 0.0})
        return res

    def _auto_init(self):
        # backfill once, when the column is created: invoices posted before keep today's cost
        backfill = not column_exists(self.env.cr, self._table, "bridge_margin_amount")
        res = super()._auto_init()
        if backfill:
            self._bridge_store_all_margins()
        return res

    @api.model
    def _bridge_store_all_margins(self):
        """Store the margin of every posted customer invoice and credit note with today's costs
        (one statement): the backfill when the field is created."""
        self.env.cr.execute(self._bridge_sql_store_margin(SQL("TRUE")))
        self.env.invalidate_all()
