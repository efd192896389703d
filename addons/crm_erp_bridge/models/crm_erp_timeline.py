from datetime import date, datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class TimelineQuery:
    """What one timeline page asks every event source: the customer's partners, the period, the
    salesperson filter and how many events at most.

    One period convention for every source: the first day is included and the end excluded
    (``get_timeline`` turns the user's "to" day into the next day). The days are the user's
    calendar days: ``day_from`` / ``day_to`` (dates) bound date columns, ``date_from`` / ``date_to``
    (the user's midnights of those days, in UTC like every datetime column) bound datetime columns.
    Build the conditions with :meth:`period_domain` / :meth:`period_sql` and :meth:`user_domain`,
    never by hand.
    """

    __slots__ = ("partner_ids", "date_from", "date_to", "day_from", "day_to", "user_id", "limit")

    def __init__(self, partner_ids, date_from=False, date_to=False, user_id=False, limit=80,
                 day_from=None, day_to=None):
        self.partner_ids = tuple(partner_ids)
        self.date_from = date_from or False
        self.date_to = date_to or False
        # without days given: the days of the UTC midnights (a user in UTC)
        self.day_from = (self.date_from and self.date_from.date()) if day_from is None else day_from or False
        self.day_to = (self.date_to and self.date_to.date()) if day_to is None else day_to or False
        self.user_id = user_id or False
        self.limit = limit

    def _bounds(self, is_date, date_to=None):
        """``(start included, end excluded)``: days for a date column, else UTC datetimes;
        ``date_to`` replaces the end (a day for a date column)."""
        if is_date:
            end = self.day_to if date_to is None else date_to
            return self.day_from, end.date() if isinstance(end, datetime) else end
        return self.date_from, self.date_to if date_to is None else date_to

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
    :meth:`_get_timeline_sources` (``crm_erp_bridge_stock`` adds the deliveries
    that way). The indexes the sources rely on are declared by the bridge's
    extension of the model owning each table (``_bridge_indexes``).

    Every source reads the documents through ``_search`` so that record rules
    (own documents only, multi-company) apply: a salesperson sees on the
    timeline exactly the documents they may open.
    """

    _name = "crm.erp.timeline"
    _description = "Customer Timeline"

    # ------------------------------------------------------------------
    # Public contract
    # ------------------------------------------------------------------

    @api.model
    def _get_timeline_sources(self):
        """THE registry of event sources: a list of :class:`TimelineSource`.

        Each domain adds its sources by extending this method, the bridge's own parts
        (``crm_erp_timeline_crm``, ``_sale``, ``_account``, ``_mail``, ``_followup``) exactly as
        other addons (``crm_erp_bridge_stock``: deliveries) do:
        ``super()._get_timeline_sources() + [TimelineSource(key, label, self._events_<key>)]``.
        The event types offered as filters and the sources run come from this list only.
        """
        return []

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
        day_from, day_to = self._timeline_period_days(date_from, date_to)
        return TimelineQuery(
            partner_ids, self._user_midnight_utc(day_from), self._user_midnight_utc(day_to),
            int(user_id) if user_id else False, limit, day_from=day_from, day_to=day_to)

    @api.model
    @api.readonly
    def get_timeline(
        self,
        partner,
        event_types=None,
        date_from=None,
        date_to=None,
        user_id=None,
        offset=0,
        limit=80,
        with_totals=True,
    ):
        """Return one page of the customer's timeline and, with ``with_totals``, its totals.

        :param partner: ``res.partner`` record or id; the timeline covers its
            commercial partner and all the child contacts.
        :param event_types: list of source keys to keep (all when empty)
        :param date_from: first day (date, datetime or ISO string) or falsy
        :param date_to: last day, included, or falsy
        :param user_id: only events of this salesperson (``res.users`` id)
        :param with_totals: also compute the totals (their cost grows with the customer's
            history, the page's does not: the timeline screen asks for them separately with
            :meth:`get_timeline_totals`, so the page shows without waiting for them)
        :return: ``{"partner_id", "partner_ids", "events", "has_more", "totals"}`` where
            events are sorted newest first (``totals`` is None without ``with_totals``).
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
            "totals": self._get_timeline_totals(query) if with_totals else None,
        }

    @api.model
    @api.readonly
    def get_timeline_totals(self, partner, date_from=None, date_to=None, user_id=None):
        """The totals of the customer's timeline (same filters as :meth:`get_timeline`): exact
        sums over the whole history the user may read, in the current company's currency."""
        self._check_timeline_access()
        self.env.flush_all()
        commercial = self._get_timeline_commercial_partner(partner)
        query = self._timeline_query(self._get_timeline_partner_ids(commercial), date_from, date_to, user_id)
        return self._get_timeline_totals(query)

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

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _timeline_period_days(self, date_from, date_to):
        """Return ``(first day included, day after the last excluded)`` (dates) or False."""
        day_from = fields.Date.to_date(date_from) if date_from else False
        day_to = fields.Date.to_date(date_to) + timedelta(days=1) if date_to else False
        return day_from, day_to

    @api.model
    def _user_midnight_utc(self, day):
        """The user's midnight starting ``day``, as a naive UTC datetime (how datetimes are stored)."""
        if not day:
            return False
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _to_datetime(self, value):
        """An event's date as a naive UTC datetime; a day (date column) is the user's midnight, which
        the web client shows as that day."""
        if isinstance(value, datetime):
            return value
        if isinstance(value, date):
            return self._user_midnight_utc(value)
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

    # ------------------------------------------------------------------
    # Totals
    # ------------------------------------------------------------------

    @api.model
    def _get_timeline_totals(self, query):
        """Totals shown above the timeline, in the currency of the current company.

        Each domain part adds its figures by extending this method. Stock figures (open
        pipeline, open quotes, overdue) ignore the period; flow figures (ordered, invoiced, paid)
        follow it. A figure whose documents the user may not read stays at 0. Documents of the
        allowed companies only (record rules); each company's sums, in its own currency, are
        converted with :meth:`_to_current_currency`.
        """
        return {
            "currency_id": self.env.company.currency_id.id,
            "open_pipeline": 0.0,
            "open_quotes": 0.0,
            "open_quotes_count": 0,
            "ordered": 0.0,
            "invoiced": 0.0,
            "paid": 0.0,
            "overdue": 0.0,
        }

    @api.model
    def _to_current_currency(self, amount, company):
        """Convert ``amount``, in the currency of ``company``, to the current company's currency
        at today's rate (totals mix open balances and period flows: one rate keeps them
        comparable, and matches the receivable figures of the customer form)."""
        return self.env["res.partner"]._bridge_to_company_currency(
            amount or 0.0, company or self.env.company, fields.Date.context_today(self)
        )

    # ------------------------------------------------------------------
    # RPC entry point for the client action
    # ------------------------------------------------------------------

    @api.model
    @api.readonly
    def get_timeline_data(
        self, partner_id, event_types=None, date_from=None, date_to=None, user_id=None, offset=0, limit=80,
        with_totals=True,
    ):
        """JSON-friendly :meth:`get_timeline` for the timeline screen.

        Read-only (``@api.readonly``): on a deployment with ``db_replica_host`` the web client's
        call is served by the replica. An override must not write."""
        result = self.get_timeline(
            partner_id,
            event_types=event_types,
            date_from=date_from,
            date_to=date_to,
            user_id=user_id,
            offset=offset,
            limit=limit,
            with_totals=with_totals,
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
