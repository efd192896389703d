from odoo import api, models
from odoo.tools import SQL, html2plaintext

from .crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    """Timeline part. Mail: activities done, e-mails in and out, quotations sent, credit overrides
    (the chatter of the customer's documents)."""

    _inherit = "crm.erp.timeline"

    @api.model
    def _get_timeline_sources(self):
        return super()._get_timeline_sources() + [
            TimelineSource("activity", self.env._("Activity done"), self._events_activity),
            TimelineSource("email_in", self.env._("Email received"), self._events_email_in),
            TimelineSource("email_out", self.env._("Email sent"), self._events_email_out),
            TimelineSource("quotation_sent", self.env._("Quotation sent"), self._events_quotation_sent),
            TimelineSource("credit_override", self.env._("Credit block overridden"), self._events_credit_override),
            TimelineSource("credit_hold", self.env._("Credit hold"), self._events_credit_hold),
            TimelineSource("delivery_change", self.env._("Delivery change applied"), self._events_delivery_change),
        ]

    @api.model
    def _get_message_document_queries(self, partner_ids):
        """Return ``{model: Query}``: the customer's documents whose chatter
        feeds the message-based events (emails, activities, reminders).

        The customer's own partner records are always included.
        """
        domains = {
            "crm.lead": [("partner_id", "in", partner_ids)],
            "sale.order": [("partner_id", "in", partner_ids)],
            "account.move": [
                ("partner_id", "in", partner_ids),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ],
        }
        return {
            model: self.env[model].with_context(active_test=False)._search(domain)
            for model, domain in domains.items()
            if self.env[model].has_access("read")
        }

    @api.model
    def _message_events(
        self, query, event_type, condition, models_=None, by_author=False
    ):
        """ONE query over the chatter of the customer's documents.

        :param condition: SQL condition on ``mail_message m``
        :param models_: restrict to these document models (all when None)
        :param by_author: only messages written by the customer's contacts;
            read newest first per author through the (author_id, date)
            index, so the cost does not grow with the customer's history
        """
        documents = self._get_message_document_queries(query.partner_ids)
        if models_ is not None:
            documents = {model: q for model, q in documents.items() if model in models_}
        scopes = []
        for model, documents_query in documents.items():
            # A lookup of each message's document by primary key, not the list of every document
            # of the customer: the cost follows the messages read, not the history. OFFSET 0 keeps
            # PostgreSQL from turning it back into a hash of all the customer's documents.
            documents_query.add_where(SQL("%s = m.res_id", SQL.identifier(documents_query.table, "id")))
            scopes.append(SQL(
                "(m.model = %s AND EXISTS (SELECT 1 FROM %s WHERE %s OFFSET 0))",
                model, documents_query.from_clause, documents_query.where_clause))
        if models_ is None or "res.partner" in models_:
            scopes.append(SQL("(m.model = 'res.partner' AND m.res_id IN %s)", query.partner_ids))
        if not scopes:
            return []
        conditions = [condition, SQL("(%s)", SQL(" OR ").join(scopes))]
        conditions += query.period_sql(SQL("m.date"))
        user_id = query.user_id
        if user_id:
            conditions.append(
                SQL("m.author_id = (SELECT u.partner_id FROM res_users u WHERE u.id = %s)", user_id)
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id AS message_id, m.res_id AS id, m.model AS model, m.date AS date,
                       COALESCE(NULLIF(m.subject, ''), m.record_name) AS name, m.record_name,
                       m.body AS body, m.author_id AS partner_id,
                       (SELECT u.id FROM res_users u WHERE u.partner_id = m.author_id
                         ORDER BY u.id LIMIT 1) AS user_id,
                       (SELECT %s FROM mail_activity_type t WHERE t.id = m.mail_activity_type_id) AS activity_type
                  FROM %s
                 WHERE %s
              ORDER BY m.date DESC, m.id DESC
                 LIMIT %s
                """,
                self._translated(SQL("t.name")),
                self._message_from_clause(query.partner_ids, conditions, query.limit) if by_author
                else SQL("mail_message m"),
                SQL("TRUE") if by_author else SQL(" AND ").join(conditions),
                query.limit,
            )
        )
        events = []
        for row in self.env.cr.dictfetchall():
            text = html2plaintext(row["body"] or "").strip()
            if len(text) > 200:
                text = text[:199] + "…"
            if row["activity_type"]:
                text = f"{row['activity_type']}: {text}" if text else row["activity_type"]
            row["description"] = text
            row["name"] = row["name"] or row["record_name"] or ""
            events.append(
                self._event(row, event_type, row["model"], message_id=row["message_id"])
            )
        return events

    @api.model
    def _message_from_clause(self, partner_ids, conditions, limit):
        """FROM clause reading, for each contact of the customer, its
        ``limit`` newest messages matching ``conditions``."""
        return SQL(
            """unnest(%s::int[]) AS author(id)
               CROSS JOIN LATERAL (
                   SELECT m.* FROM mail_message m
                    WHERE m.author_id = author.id AND %s
                 ORDER BY m.date DESC, m.id DESC
                    LIMIT %s
               ) m""",
            list(partner_ids),
            SQL(" AND ").join(conditions),
            limit,
        )

    @api.model
    def _subtype_id(self, xmlid):
        subtype = self.env.ref(xmlid, raise_if_not_found=False)
        return subtype.id if subtype else 0

    @api.model
    def _events_activity(self, query):
        """Activities marked done on the customer's documents."""
        return self._message_events(
            query, "activity",
            SQL("m.mail_activity_type_id IS NOT NULL"),
        )

    @api.model
    def _events_email_in(self, query):
        """Emails and portal messages written by the customer's contacts
        (the author drives the query through its index)."""
        return self._message_events(
            query, "email_in",
            SQL("m.message_type IN ('email', 'comment')"),
            by_author=True,
        )

    @api.model
    def _events_email_out(self, query):
        """Messages sent to the customer from the documents' chatter."""
        return self._message_events(
            query, "email_out",
            SQL(
                "m.message_type IN ('comment', 'email_outgoing') AND m.subtype_id = %s "
                "AND (m.author_id IS NULL OR m.author_id NOT IN %s)",
                self._subtype_id("mail.mt_comment"),
                query.partner_ids,
            ),
        )

    @api.model
    def _events_quotation_sent(self, query):
        """Quotations sent (the "Quotation sent" chatter subtype)."""
        return self._message_events(
            query, "quotation_sent",
            SQL("m.subtype_id = %s", self._subtype_id("sale.mt_order_sent")),
            models_=("sale.order",),
        )

    @api.model
    def _credit_log_models(self):
        """Models whose chatter holds the credit log (holds and overrides): quotations here,
        deliveries with ``crm_erp_bridge_stock``."""
        return ("sale.order",)

    @api.model
    def _events_credit_override(self, query):
        """Quotations (and deliveries) released by a credit manager despite the credit block."""
        return self._message_events(
            query, "credit_override",
            SQL("m.subtype_id = %s", self._subtype_id("crm_erp_bridge.mt_bridge_credit_override")),
            models_=self._credit_log_models(),
        )

    @api.model
    def _events_credit_hold(self, query):
        """Quotations (and deliveries) held by the credit block."""
        return self._message_events(
            query, "credit_hold",
            SQL("m.subtype_id = %s", self._subtype_id("crm_erp_bridge.mt_bridge_credit_hold")),
            models_=self._credit_log_models(),
        )

    @api.model
    def _events_delivery_change(self, query):
        """Delivery changes the customer proposed and the salesperson applied."""
        return self._message_events(
            query, "delivery_change",
            SQL("m.subtype_id = %s", self._subtype_id("crm_erp_bridge.mt_bridge_delivery_change_applied")),
            models_=("sale.order",),
        )
