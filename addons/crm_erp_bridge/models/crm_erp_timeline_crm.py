from odoo import api, models
from odoo.tools import SQL

from .crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    """Timeline part. CRM: leads and opportunities, stage changes, won/lost, logged interactions, open pipeline."""

    _inherit = "crm.erp.timeline"

    @api.model
    def _get_timeline_sources(self):
        return super()._get_timeline_sources() + [
            TimelineSource("lead", self.env._("Lead / opportunity created"), self._events_lead),
            TimelineSource("lead_stage", self.env._("Stage change"), self._events_lead_stage),
            TimelineSource("lead_closed", self.env._("Won / lost"), self._events_lead_closed),
            TimelineSource("interaction", self.env._("Call / meeting / visit"), self._events_interaction),
        ]

    @api.model
    def _get_timeline_totals(self, query):
        totals = super()._get_timeline_totals(query)
        totals.update(self._totals_pipeline(query))
        return totals

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
