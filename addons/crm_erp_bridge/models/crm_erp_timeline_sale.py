from odoo import api, fields, models
from odoo.tools import SQL

from .crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    """Timeline part. Sales: quotations, portal views and signatures, expiry, confirmed orders,
    open quotes and ordered totals (deliveries: ``crm_erp_bridge_stock``)."""

    _inherit = "crm.erp.timeline"

    @api.model
    def _get_timeline_sources(self):
        return super()._get_timeline_sources() + [
            TimelineSource("quotation", self.env._("Quotation created"), self._events_quotation),
            TimelineSource("quotation_portal", self.env._("Quotation viewed / signed"), self._events_quotation_portal),
            TimelineSource("quotation_expired", self.env._("Quotation expired"), self._events_quotation_expired),
            TimelineSource("order", self.env._("Order confirmed"), self._events_order),
        ]

    @api.model
    def _get_timeline_totals(self, query):
        totals = super()._get_timeline_totals(query)
        totals.update(self._totals_sale(query))
        return totals

    @api.model
    def _sale_order_columns(self, date_column):
        table = SQL.identifier("sale_order")
        return [
            SQL("%s.id AS id", table),
            SQL("%s AS date", date_column),
            SQL("%s.name AS name", table),
            SQL("%s.amount_total AS amount", table),
            SQL("%s.currency_id AS currency_id", table),
            SQL("%s.user_id AS user_id", table),
            SQL("%s.partner_id AS partner_id", table),
        ]

    @api.model
    def _events_quotation(self, query):
        """Quotations created (every sale order starts as a quotation)."""
        rows = self._fetch_documents(
            "sale.order",
            [("partner_id", "in", query.partner_ids)]
            + query.period_domain("create_date")
            + query.user_domain(),
            self._sale_order_columns(SQL("sale_order.create_date")),
            "create_date desc, id desc",
            query.limit,
        )
        return [self._event(row, "quotation", "sale.order") for row in rows]

    @api.model
    def _events_quotation_expired(self, query):
        """Quotations still open after their validity date."""
        today = fields.Date.context_today(self)
        expiry_to = query.day_to if query.day_to and query.day_to <= today else today
        rows = self._fetch_documents(
            "sale.order",
            [
                ("partner_id", "in", query.partner_ids),
                ("state", "in", ("draft", "sent")),
                ("validity_date", "!=", False),
            ]
            + query.period_domain("validity_date", is_date=True, date_to=expiry_to)
            + query.user_domain(),
            self._sale_order_columns(SQL("sale_order.validity_date")),
            "validity_date desc, id desc",
            query.limit,
        )
        return [self._event(row, "quotation_expired", "sale.order") for row in rows]

    @api.model
    def _events_order(self, query):
        """Orders confirmed (``date_order`` is the confirmation date)."""
        rows = self._fetch_documents(
            "sale.order",
            [("partner_id", "in", query.partner_ids), ("state", "=", "sale")]
            + query.period_domain("date_order")
            + query.user_domain(),
            self._sale_order_columns(SQL("sale_order.date_order")),
            "date_order desc, id desc",
            query.limit,
        )
        return [self._event(row, "order", "sale.order") for row in rows]

    @api.model
    def _events_quotation_portal(self, query):
        """Quotations viewed (portal chatter) or signed in the portal."""
        if not self.env["sale.order"].has_access("read"):
            return []
        viewed = self.env.ref("sale.mt_order_viewed", raise_if_not_found=False)
        orders = self.env["sale.order"]._search(
            [("partner_id", "in", query.partner_ids)] + query.user_domain()
        )
        msg_conditions = [
            SQL("m.model = 'sale.order'"),
            SQL("m.subtype_id = %s", viewed.id if viewed else 0),
            SQL("m.res_id IN %s", orders.subselect()),
        ]
        sign_conditions = [
            SQL("o.signed_on IS NOT NULL"),
            SQL("o.id IN %s", orders.subselect()),
        ]
        msg_conditions += query.period_sql(SQL("m.date"))
        sign_conditions += query.period_sql(SQL("o.signed_on"))
        self.env.cr.execute(
            SQL(
                """
                (SELECT o.id AS id, m.date AS date, o.name AS name, FALSE AS signed,
                        NULL AS signed_by, o.amount_total AS amount, o.currency_id AS currency_id,
                        o.user_id AS user_id, o.partner_id AS partner_id
                   FROM mail_message m
                   JOIN sale_order o ON o.id = m.res_id
                  WHERE %s
               ORDER BY m.date DESC, m.id DESC
                  LIMIT %s)
                UNION ALL
                (SELECT o.id, o.signed_on, o.name, TRUE, o.signed_by, o.amount_total,
                        o.currency_id, o.user_id, o.partner_id
                   FROM sale_order o
                  WHERE %s
               ORDER BY o.signed_on DESC, o.id DESC
                  LIMIT %s)
                """,
                SQL(" AND ").join(msg_conditions),
                query.limit,
                SQL(" AND ").join(sign_conditions),
                query.limit,
            )
        )
        events = []
        for row in self.env.cr.dictfetchall():
            if row["signed"]:
                description = self.env._("Signed by %(name)s", name=row["signed_by"] or "-")
            else:
                description = self.env._("Viewed by the customer")
            events.append(
                self._event(
                    row, "quotation_portal", "sale.order", description=description
                )
            )
        return events

    @api.model
    def _totals_sale(self, query):
        """Open (unexpired) quotations and confirmed orders, untaxed, in
        company currency (1 query)."""
        Order = self.env["sale.order"]
        if not Order.has_access("read"):
            return {}
        today = fields.Date.context_today(self)
        orders = Order._search(
            [("partner_id", "in", query.partner_ids), ("state", "in", ("draft", "sent", "sale"))]
            + query.user_domain()
        )
        in_company_currency = SQL(
            "sale_order.amount_untaxed / COALESCE(NULLIF(sale_order.currency_rate, 0), 1)"
        )
        is_open = SQL(
            "sale_order.state IN ('draft', 'sent') "
            "AND (sale_order.validity_date IS NULL OR sale_order.validity_date >= %s)",
            today,
        )
        ordered_period = [SQL("sale_order.state = 'sale'")]
        ordered_period += query.period_sql(SQL("sale_order.date_order"))
        orders.groupby = SQL("sale_order.company_id")
        self.env.cr.execute(
            orders.select(
                SQL("sale_order.company_id"),
                SQL("SUM(%s) FILTER (WHERE %s)", in_company_currency, is_open),
                SQL("COUNT(*) FILTER (WHERE %s)", is_open),
                SQL(
                    "SUM(%s) FILTER (WHERE %s)",
                    in_company_currency,
                    SQL(" AND ").join(ordered_period),
                ),
            )
        )
        totals = {"open_quotes": 0.0, "open_quotes_count": 0, "ordered": 0.0}
        companies = self.env["res.company"]
        for company_id, open_quotes, open_quotes_count, ordered in self.env.cr.fetchall():
            company = companies.browse(company_id)
            totals["open_quotes"] += self._to_current_currency(open_quotes, company)
            totals["open_quotes_count"] += open_quotes_count or 0
            totals["ordered"] += self._to_current_currency(ordered, company)
        return totals
