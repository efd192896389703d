from datetime import date, datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, create_index, html2plaintext


class TimelineQuery:
    """What one timeline page asks every event source: the customer's partners, the period, the
    salesperson filter and how many events at most.

    One period convention for every source: ``date_from`` is included and ``date_to`` excluded,
    both datetimes at midnight (``get_timeline`` turns the user's "to" day into the next
    midnight); date columns are compared with their ``.date()``. Build the conditions with
    :meth:`period_domain` / :meth:`period_sql` and :meth:`user_domain`, never by hand.
    """

    __slots__ = ("partner_ids", "date_from", "date_to", "user_id", "limit")

    def __init__(self, partner_ids, date_from=False, date_to=False, user_id=False, limit=80):
        self.partner_ids = tuple(partner_ids)
        self.date_from = date_from or False
        self.date_to = date_to or False
        self.user_id = user_id or False
        self.limit = limit

    def _bounds(self, is_date, date_to=None):
        date_to = self.date_to if date_to is None else date_to
        if is_date:
            return self.date_from and self.date_from.date(), date_to and date_to.date()
        return self.date_from, date_to

    def period_domain(self, field_name, is_date=False, date_to=None):
        """Domain keeping ``field_name`` in the period (``date_to``: another excluded end)."""
        start, end = self._bounds(is_date, date_to)
        return ([(field_name, ">=", start)] if start else []) + ([(field_name, "<", end)] if end else [])

    def period_sql(self, column, is_date=False):
        """The same conditions on an SQL column: a list of ``SQL`` terms."""
        start, end = self._bounds(is_date)
        return ([SQL("%s >= %s", column, start)] if start else []) + ([SQL("%s < %s", column, end)] if end else [])

    def user_domain(self, field_name="user_id"):
        """Domain keeping the documents of the salesperson filter (none when no filter)."""
        return [(field_name, "=", self.user_id)] if self.user_id else []


class TimelineSource:
    """One event source of the timeline: its key (the event type), its label (the filter shown
    to users) and ``fetch(query)`` returning at most ``query.limit`` event dicts (built with
    ``crm.erp.timeline._event``), newest first."""

    __slots__ = ("key", "label", "fetch")

    def __init__(self, key, label, fetch):
        self.key = key
        self.label = label
        self.fetch = fetch


class CrmErpTimeline(models.AbstractModel):
    """Customer 360° timeline service.

    The timeline is not stored: it is read from the host's own documents
    through *event sources*. An event source is a method returning a list of
    event dicts for a set of partners; each source runs a constant number of
    queries, so a timeline page costs the same whatever the customer's size.

    Other addons add sources by inheriting this model and extending
    :meth:`_get_event_sources` and :meth:`_get_event_types`.

    Every source reads the documents through ``_search`` so that record rules
    (own documents only, multi-company) apply: a salesperson sees on the
    timeline exactly the documents they may open.
    """

    _name = "crm.erp.timeline"
    _description = "Customer Timeline"

    def init(self):
        """Partial indexes the timeline sources rely on to stay fast for
        customers with a long history."""
        res = super().init()
        cr = self.env.cr
        create_index(
            cr, "crm_lead_bridge_partner_closed_idx", "crm_lead",
            ["partner_id", "date_closed DESC"], where="date_closed IS NOT NULL",
        )
        create_index(
            cr, "sale_order_bridge_partner_open_idx", "sale_order",
            ["partner_id", "validity_date DESC"], where="state IN ('draft', 'sent')",
        )
        create_index(
            cr, "mail_message_bridge_author_date_idx", "mail_message",
            ["author_id", "date DESC", "id DESC"], where="author_id IS NOT NULL",
        )
        create_index(
            cr, "sale_order_bridge_partner_signed_idx", "sale_order",
            ["partner_id", "signed_on DESC"], where="signed_on IS NOT NULL",
        )
        return res

    # ------------------------------------------------------------------
    # Public contract
    # ------------------------------------------------------------------

    @api.model
    def _get_timeline_sources(self):
        """THE registry of event sources: a list of :class:`TimelineSource`.

        Other addons add a source by extending this method with one more
        ``TimelineSource(key, label, self._events_<key>)``; the event types offered as filters
        and the sources run come from this list only.
        """
        sources = [
            TimelineSource("lead", self.env._("Lead / opportunity created"), self._events_lead),
            TimelineSource("lead_stage", self.env._("Stage change"), self._events_lead_stage),
            TimelineSource("lead_closed", self.env._("Won / lost"), self._events_lead_closed),
            TimelineSource("activity", self.env._("Activity done"), self._events_activity),
            TimelineSource("interaction", self.env._("Call / meeting / visit"), self._events_interaction),
            TimelineSource("email_in", self.env._("Email received"), self._events_email_in),
            TimelineSource("email_out", self.env._("Email sent"), self._events_email_out),
            TimelineSource("quotation", self.env._("Quotation created"), self._events_quotation),
            TimelineSource("quotation_sent", self.env._("Quotation sent"), self._events_quotation_sent),
            TimelineSource("quotation_portal", self.env._("Quotation viewed / signed"), self._events_quotation_portal),
            TimelineSource("quotation_expired", self.env._("Quotation expired"), self._events_quotation_expired),
            TimelineSource("order", self.env._("Order confirmed"), self._events_order),
            TimelineSource("invoice", self.env._("Invoice posted"), self._events_invoice),
            TimelineSource("payment", self.env._("Payment received"), self._events_payment),
            TimelineSource("credit_override", self.env._("Credit block overridden"), self._events_credit_override),
        ]
        if "stock.picking" in self.env:
            sources.append(TimelineSource("delivery", self.env._("Delivery done"), self._events_delivery))
        return sources

    @api.model
    def _get_event_sources(self):
        """``{source key: fetch(query)}``, from :meth:`_get_timeline_sources`."""
        return {source.key: source.fetch for source in self._get_timeline_sources()}

    @api.model
    def _get_event_types(self):
        """``[(key, label)]`` offered as filters, from :meth:`_get_timeline_sources`."""
        return [(source.key, source.label) for source in self._get_timeline_sources()]

    @api.model
    def _timeline_query(self, partner_ids, date_from=None, date_to=None, user_id=None, limit=80):
        """Build the :class:`TimelineQuery` of a page (``date_to``: the last day, included)."""
        date_from, date_to = self._normalize_timeline_period(date_from, date_to)
        return TimelineQuery(partner_ids, date_from, date_to, int(user_id) if user_id else False, limit)

    @api.model
    def get_timeline(
        self,
        partner,
        event_types=None,
        date_from=None,
        date_to=None,
        user_id=None,
        offset=0,
        limit=80,
    ):
        """Return one page of the customer's timeline and its totals.

        :param partner: ``res.partner`` record or id; the timeline covers its
            commercial partner and all the child contacts.
        :param event_types: list of source keys to keep (all when empty)
        :param date_from: first day (date, datetime or ISO string) or falsy
        :param date_to: last day, included, or falsy
        :param user_id: only events of this salesperson (``res.users`` id)
        :return: ``{"partner_id", "partner_ids", "events", "has_more", "totals"}`` where
            events are sorted newest first.
        """
        self._check_timeline_access()
        # the sources read with SQL: pending ORM writes must reach the database
        self.env.flush_all()
        commercial = self._get_timeline_commercial_partner(partner)
        partner_ids = self._get_timeline_partner_ids(commercial)
        fetch = offset + limit
        query = self._timeline_query(partner_ids, date_from, date_to, user_id, fetch)
        sources = self._get_timeline_sources()
        if event_types:
            sources = [source for source in sources if source.key in event_types]
        events = []
        truncated = False
        for source in sources:
            source_events = source.fetch(query)
            truncated = truncated or len(source_events) >= fetch
            events.extend(source_events)
        if query.user_id:
            events = [event for event in events if event.get("user_id") == query.user_id]
        for event in events:
            event["date"] = self._to_datetime(event["date"])
        events.sort(
            key=lambda e: (e["date"], e["event_type"], e.get("res_id") or 0),
            reverse=True,
        )
        return {
            "partner_id": commercial.id,
            "partner_ids": partner_ids,
            "events": events[offset:fetch],
            "has_more": truncated or len(events) > fetch,
            "totals": self._get_timeline_totals(query),
        }

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------

    @api.model
    def _check_timeline_access(self):
        """Refuse the timeline to users outside the bridge user group."""
        if not self.env.user.has_group("crm_erp_bridge.group_crm_erp_bridge_user"):
            raise AccessError(
                self.env._("Only sales users may read the customer timeline.")
            )

    @api.model
    def _get_timeline_commercial_partner(self, partner):
        """Return the commercial partner whose timeline is shown."""
        if not isinstance(partner, models.BaseModel):
            partner = self.env["res.partner"].browse(int(partner))
        partner.ensure_one()
        partner.check_access("read")
        return partner.commercial_partner_id

    @api.model
    def _get_timeline_partner_ids(self, commercial):
        """Return the ids of the commercial partner and all its contacts and
        addresses (archived ones included: their history stays)."""
        return tuple(
            self.env["res.partner"]
            .with_context(active_test=False)
            ._search([("id", "child_of", commercial.id)])
        )

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

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _normalize_timeline_period(self, date_from, date_to):
        """Return ``(datetime from included, datetime to excluded)`` or False."""
        if date_from:
            date_from = datetime.combine(fields.Date.to_date(date_from), time.min)
        if date_to:
            date_to = datetime.combine(
                fields.Date.to_date(date_to) + timedelta(days=1), time.min
            )
        return date_from or False, date_to or False

    @api.model
    def _to_datetime(self, value):
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return datetime.combine(value, time.min)
        return fields.Datetime.to_datetime(value)

    @api.model
    def _fetch_documents(self, model, domain, columns, order, limit):
        """Run ONE query returning ``columns`` (SQL, aliased) of the newest
        readable documents of ``model`` matching ``domain``."""
        Model = self.env[model].with_context(active_test=False)
        if not Model.has_access("read"):
            return []
        query = Model._search(domain, limit=limit, order=order)
        return self.env.execute_query_dict(query.select(*columns))  # flushes what the query reads

    @api.model
    def _lang(self):
        return self.env.lang or "en_US"

    @api.model
    def _translated(self, column):
        """SQL reading a translated (jsonb) column in the user's language."""
        return SQL(
            "COALESCE(%s->>%s, %s->>'en_US')", column, self._lang(), column
        )

    @api.model
    def _event(self, row, event_type, res_model, **values):
        event = {
            "date": row["date"],
            "event_type": event_type,
            "name": row.get("name") or "",
            "description": row.get("description") or "",
            "res_model": res_model,
            "res_id": row["id"],
            "amount": row.get("amount") or False,
            "currency_id": row.get("currency_id") or False,
            "user_id": row.get("user_id") or False,
            "partner_id": row.get("partner_id") or False,
        }
        event.update(values)
        return event

    # ------------------------------------------------------------------
    # Document sources
    # ------------------------------------------------------------------

    @api.model
    def _events_lead(self, query):
        """Leads and opportunities created."""
        table = SQL.identifier("crm_lead")
        rows = self._fetch_documents(
            "crm.lead",
            [("partner_id", "in", query.partner_ids)]
            + query.period_domain("create_date")
            + query.user_domain(),
            [
                SQL("%s.id AS id", table),
                SQL("%s.create_date AS date", table),
                SQL("%s.name AS name", table),
                SQL("%s.type AS lead_type", table),
                SQL("%s.expected_revenue AS amount", table),
                SQL("%s.user_id AS user_id", table),
                SQL("%s.partner_id AS partner_id", table),
                SQL(
                    "(SELECT c.currency_id FROM res_company c WHERE c.id = %s.company_id) AS currency_id",
                    table,
                ),
            ],
            "create_date desc, id desc",
            query.limit,
        )
        return [
            self._event(
                row,
                "lead",
                "crm.lead",
                description=self.env._("Opportunity") if row["lead_type"] == "opportunity" else self.env._("Lead"),
            )
            for row in rows
        ]

    @api.model
    def _events_lead_closed(self, query):
        """Opportunities won, and leads/opportunities lost with their reason."""
        table = SQL.identifier("crm_lead")
        rows = self._fetch_documents(
            "crm.lead",
            [
                ("partner_id", "in", query.partner_ids),
                ("date_closed", "!=", False),
                "|",
                ("probability", "=", 100),
                ("active", "=", False),
            ]
            + query.period_domain("date_closed")
            + query.user_domain(),
            [
                SQL("%s.id AS id", table),
                SQL("%s.date_closed AS date", table),
                SQL("%s.name AS name", table),
                SQL("%s.active AS active", table),
                SQL("%s.expected_revenue AS amount", table),
                SQL("%s.user_id AS user_id", table),
                SQL("%s.partner_id AS partner_id", table),
                SQL(
                    "(SELECT %s FROM crm_lost_reason r WHERE r.id = %s.lost_reason_id) AS lost_reason",
                    self._translated(SQL("r.name")),
                    table,
                ),
                SQL(
                    "(SELECT c.currency_id FROM res_company c WHERE c.id = %s.company_id) AS currency_id",
                    table,
                ),
            ],
            "date_closed desc, id desc",
            query.limit,
        )
        events = []
        for row in rows:
            if row["active"]:
                description = self.env._("Won")
            elif row["lost_reason"]:
                description = self.env._("Lost: %(reason)s", reason=row["lost_reason"])
            else:
                description = self.env._("Lost")
            events.append(
                self._event(row, "lead_closed", "crm.lead", description=description)
            )
        return events

    @api.model
    def _events_lead_stage(self, query):
        """Stage changes of the customer's leads, from the chatter tracking."""
        if not self.env["crm.lead"].has_access("read"):
            return []
        field = self.env["ir.model.fields"]._get("crm.lead", "stage_id")
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            ._search([("partner_id", "in", query.partner_ids)] + query.user_domain())
        )
        conditions = [
            SQL("v.field_id = %s", field.id),
            SQL("m.model = 'crm.lead'"),
            SQL("m.res_id IN %s", leads.subselect()),
        ]
        conditions += query.period_sql(SQL("m.date"))
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id AS id, m.id AS message_id, m.date AS date, l.name AS name,
                       v.old_value_char AS old_stage, v.new_value_char AS new_stage,
                       l.user_id AS user_id, l.partner_id AS partner_id
                  FROM mail_tracking_value v
                  JOIN mail_message m ON m.id = v.mail_message_id
                  JOIN crm_lead l ON l.id = m.res_id
                 WHERE %s
              ORDER BY m.date DESC, m.id DESC
                 LIMIT %s
                """,
                SQL(" AND ").join(conditions),
                query.limit,
            )
        )
        return [
            self._event(
                row,
                "lead_stage",
                "crm.lead",
                message_id=row["message_id"],
                description=self.env._(
                    "Stage: %(old)s → %(new)s",
                    old=row["old_stage"] or "-",
                    new=row["new_stage"] or "-",
                ),
            )
            for row in self.env.cr.dictfetchall()
        ]

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
        if query.date_to and query.date_to.date() <= today:
            expiry_to = query.date_to
        else:
            expiry_to = datetime.combine(today, time.min)
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
    def _events_interaction(self, query):
        """Calls, meetings and visits logged with the "Log interaction" wizard."""
        table = SQL.identifier("crm_erp_interaction")
        rows = self._fetch_documents(
            "crm.erp.interaction",
            [("partner_id", "in", query.partner_ids)]
            + query.period_domain("date")
            + query.user_domain(),
            [
                SQL("%s.id AS id", table),
                SQL("%s.date AS date", table),
                SQL("%s.interaction_type AS interaction_type", table),
                SQL("%s.outcome AS outcome", table),
                SQL("%s.note AS note", table),
                SQL("%s.user_id AS user_id", table),
                SQL("%s.partner_id AS partner_id", table),
            ],
            "date desc, id desc",
            query.limit,
        )
        Interaction = self.env["crm.erp.interaction"]
        types = dict(Interaction._fields["interaction_type"]._description_selection(self.env))
        outcomes = dict(Interaction._fields["outcome"]._description_selection(self.env))
        events = []
        for row in rows:
            row["name"] = types.get(row["interaction_type"], "")
            description = outcomes.get(row["outcome"], "")
            if row["note"]:
                description = f"{description}: {row['note']}"
            events.append(
                self._event(row, "interaction", "crm.erp.interaction", description=description)
            )
        return events

    @api.model
    def _events_delivery(self, query):
        """Outgoing deliveries done (only when Inventory is installed)."""
        if "stock.picking" not in self.env:
            return []
        table = SQL.identifier("stock_picking")
        rows = self._fetch_documents(
            "stock.picking",
            [
                ("partner_id", "in", query.partner_ids),
                ("state", "=", "done"),
                ("picking_type_code", "=", "outgoing"),
            ]
            + query.period_domain("date_done")
            + query.user_domain(),
            [
                SQL("%s.id AS id", table),
                SQL("%s.date_done AS date", table),
                SQL("%s.name AS name", table),
                SQL("%s.origin AS description", table),
                SQL("%s.user_id AS user_id", table),
                SQL("%s.partner_id AS partner_id", table),
            ],
            "date_done desc, id desc",
            query.limit,
        )
        return [self._event(row, "delivery", "stock.picking") for row in rows]

    # ------------------------------------------------------------------
    # Message sources (chatter of the customer's documents)
    # ------------------------------------------------------------------

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
    def _events_credit_override(self, query):
        """Quotations confirmed by a credit manager despite the credit block."""
        return self._message_events(
            query, "credit_override",
            SQL("m.subtype_id = %s", self._subtype_id("crm_erp_bridge.mt_bridge_credit_override")),
            models_=("sale.order",),
        )

    # ------------------------------------------------------------------
    # Totals
    # ------------------------------------------------------------------

    @api.model
    def _get_timeline_totals(self, query):
        """Totals shown above the timeline, in the currency of the current company.

        Stock figures (open pipeline, open quotes, overdue) ignore the
        period; flow figures (ordered, invoiced, paid) follow it. A figure
        whose documents the user may not read stays at 0. Documents of the
        allowed companies only (record rules); each company's sums, in its
        own currency, are converted with :meth:`_to_current_currency`.
        """
        totals = {
            "currency_id": self.env.company.currency_id.id,
            "open_pipeline": 0.0,
            "open_quotes": 0.0,
            "open_quotes_count": 0,
            "ordered": 0.0,
            "invoiced": 0.0,
            "paid": 0.0,
            "overdue": 0.0,
        }
        totals.update(self._totals_pipeline(query))
        totals.update(self._totals_sale(query))
        totals.update(self._totals_invoice(query))
        totals.update(self._totals_payment(query))
        return totals

    @api.model
    def _to_current_currency(self, amount, company):
        """Convert ``amount``, in the currency of ``company``, to the current company's currency
        at today's rate (totals mix open balances and period flows: one rate keeps them
        comparable, and matches the receivable figures of the customer form)."""
        return self.env["res.partner"]._bridge_to_company_currency(
            amount or 0.0, company or self.env.company, fields.Date.context_today(self)
        )

    @api.model
    def _totals_pipeline(self, query):
        """Expected revenue of the open opportunities, per company (1 query)."""
        Lead = self.env["crm.lead"]
        if not Lead.has_access("read"):
            return {}
        groups = Lead._read_group(
            [
                ("partner_id", "in", query.partner_ids),
                ("type", "=", "opportunity"),
                ("probability", "<", 100),
            ]
            + query.user_domain(),
            groupby=["company_id"],
            aggregates=["expected_revenue:sum"],
        )
        return {"open_pipeline": sum(self._to_current_currency(amount, company) for company, amount in groups)}

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

    # ------------------------------------------------------------------
    # RPC entry point for the client action
    # ------------------------------------------------------------------

    @api.model
    def get_timeline_data(
        self, partner_id, event_types=None, date_from=None, date_to=None, user_id=None, offset=0, limit=80
    ):
        """JSON-friendly :meth:`get_timeline` for the timeline screen."""
        result = self.get_timeline(
            partner_id,
            event_types=event_types,
            date_from=date_from,
            date_to=date_to,
            user_id=user_id,
            offset=offset,
            limit=limit,
        )
        labels = dict(self._get_event_types())
        user_ids = {e["user_id"] for e in result["events"] if e.get("user_id")}
        salespersons = self._get_timeline_salespersons(result["partner_ids"])
        user_ids |= set(salespersons)
        names = self._get_user_names(user_ids)
        partner = self.env["res.partner"].browse(result["partner_id"])
        events = []
        for event in result["events"]:
            event = dict(event)
            event["date"] = fields.Datetime.to_string(event["date"])
            event["type_label"] = labels.get(event["event_type"], event["event_type"])
            event["user_name"] = names.get(event.get("user_id"), "")
            event["key"] = "%s-%s-%s-%s" % (
                event["event_type"], event["res_model"], event["res_id"],
                event.get("message_id") or event["date"],
            )
            events.append(event)
        return {
            "partner": {"id": partner.id, "name": partner.display_name},
            "events": events,
            "has_more": result["has_more"],
            "totals": result["totals"],
            "event_types": [list(t) for t in self._get_event_types()],
            "salespersons": sorted(
                ([uid, names.get(uid, "")] for uid in salespersons), key=lambda s: s[1]
            ),
        }

    @api.model
    def _get_timeline_salespersons(self, partner_ids, depth=500):
        """Ids of the salespersons of the customer's ``depth`` most recent
        orders and opportunities (1 query), offered in the salesperson
        filter; bounded so that the cost does not grow with the history."""
        orders = self.env["sale.order"]._search(
            [("partner_id", "in", partner_ids)], order="id desc", limit=depth
        )
        leads = self.env["crm.lead"].with_context(active_test=False)._search(
            [("partner_id", "in", partner_ids)], order="id desc", limit=depth
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT user_id FROM (
                    SELECT sale_order.user_id FROM sale_order WHERE sale_order.id IN %s
                    UNION
                    SELECT crm_lead.user_id FROM crm_lead WHERE crm_lead.id IN %s
                ) s WHERE user_id IS NOT NULL
                """,
                orders.subselect(),
                leads.subselect(),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _get_user_names(self, user_ids):
        if not user_ids:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT u.id, p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id IN %s",
                tuple(user_ids),
            )
        )
        return dict(self.env.cr.fetchall())
