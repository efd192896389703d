from odoo import api, fields, models
from odoo.tools import SQL

from .crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    """Timeline part. Invoicing: invoices and credit notes posted, payments received, invoiced/overdue/paid totals."""

    _inherit = "crm.erp.timeline"

    @api.model
    def _get_timeline_sources(self):
        return super()._get_timeline_sources() + [
            TimelineSource("invoice", self.env._("Invoice posted"), self._events_invoice),
            TimelineSource("payment", self.env._("Payment received"), self._events_payment),
        ]

    @api.model
    def _get_timeline_totals(self, query):
        totals = super()._get_timeline_totals(query)
        totals.update(self._totals_invoice(query))
        totals.update(self._totals_payment(query))
        return totals

    @api.model
    def _events_invoice(self, query):
        """Customer invoices and credit notes posted."""
        table = SQL.identifier("account_move")
        rows = self._fetch_documents(
            "account.move",
            [
                ("partner_id", "in", query.partner_ids),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("invoice_date", "!=", False),
            ]
            + query.period_domain("invoice_date", is_date=True)
            + query.user_domain("invoice_user_id"),
            [
                SQL("%s.id AS id", table),
                SQL("%s.invoice_date AS date", table),
                SQL("%s.name AS name", table),
                SQL("%s.move_type AS move_type", table),
                SQL("%s.amount_total_in_currency_signed AS amount", table),
                SQL("%s.currency_id AS currency_id", table),
                SQL("%s.invoice_user_id AS user_id", table),
                SQL("%s.partner_id AS partner_id", table),
            ],
            "invoice_date desc, id desc",
            query.limit,
        )
        return [
            self._event(
                row,
                "invoice",
                "account.move",
                description=self.env._("Credit note") if row["move_type"] == "out_refund" else self.env._("Invoice"),
            )
            for row in rows
        ]

    @api.model
    def _events_payment(self, query):
        """Customer payments received (in process or paid)."""
        if query.user_id:
            # payments have no salesperson: none match a salesperson filter
            return []
        # users without accounting rights (plain salespersons) get no payments
        # through _fetch_documents, as in the rest of Odoo
        table = SQL.identifier("account_payment")
        rows = self._fetch_documents(
            "account.payment",
            [
                ("partner_id", "in", query.partner_ids),
                ("state", "in", ("in_process", "paid")),
                ("payment_type", "=", "inbound"),
                ("partner_type", "=", "customer"),
            ]
            + query.period_domain("date", is_date=True),
            [
                SQL("%s.id AS id", table),
                SQL("%s.date AS date", table),
                SQL(
                    "COALESCE((SELECT mv.name FROM account_move mv WHERE mv.id = %s.move_id), %s.memo) AS name",
                    table,
                    table,
                ),
                SQL("%s.amount AS amount", table),
                SQL("%s.currency_id AS currency_id", table),
                SQL("%s.partner_id AS partner_id", table),
            ],
            "date desc, id desc",
            query.limit,
        )
        return [self._event(row, "payment", "account.payment") for row in rows]

    @api.model
    def _totals_invoice(self, query):
        """Invoiced (untaxed, net of credit notes) and overdue (1 query)."""
        Move = self.env["account.move"]
        if not Move.has_access("read"):
            return {}
        today = fields.Date.context_today(self)
        moves = Move._search(
            [
                ("partner_id", "in", query.partner_ids),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ]
            + query.user_domain("invoice_user_id")
        )
        invoiced_period = [SQL("TRUE")]
        invoiced_period += query.period_sql(SQL("account_move.invoice_date"), is_date=True)
        moves.groupby = SQL("account_move.company_id")
        self.env.cr.execute(
            moves.select(
                SQL("account_move.company_id"),
                SQL(
                    "SUM(account_move.amount_untaxed_signed) FILTER (WHERE %s)",
                    SQL(" AND ").join(invoiced_period),
                ),
                SQL(
                    "SUM(account_move.amount_residual_signed) FILTER (WHERE "
                    "account_move.payment_state IN ('not_paid', 'partial') "
                    "AND account_move.invoice_date_due < %s)",
                    today,
                ),
            )
        )
        totals = {"invoiced": 0.0, "overdue": 0.0}
        companies = self.env["res.company"]
        for company_id, invoiced, overdue in self.env.cr.fetchall():
            company = companies.browse(company_id)
            totals["invoiced"] += self._to_current_currency(invoiced, company)
            totals["overdue"] += self._to_current_currency(overdue, company)
        return totals

    @api.model
    def _totals_payment(self, query):
        """Customer payments received in the period (1 query)."""
        Payment = self.env["account.payment"]
        if query.user_id or not Payment.has_access("read"):
            return {}
        groups = Payment._read_group(
            [
                ("partner_id", "in", query.partner_ids),
                ("state", "in", ("in_process", "paid")),
                ("payment_type", "=", "inbound"),
                ("partner_type", "=", "customer"),
            ]
            + query.period_domain("date", is_date=True),
            groupby=["company_id"],
            aggregates=["amount_company_currency_signed:sum"],
        )
        return {"paid": sum(self._to_current_currency(amount, company) for company, amount in groups)}
