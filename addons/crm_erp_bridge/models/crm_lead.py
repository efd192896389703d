from odoo import api, fields, models
from odoo.tools import SQL

from .bridge_index import BridgeIndex, create_bridge_indexes
from .res_partner import RECEIVABLE_FIELDS


class CrmLead(models.Model):
    """The bridge's extension of leads: the customer's receivable figures, dormant-customer
    reactivation."""

    _inherit = "crm.lead"

    # ------------------------------------------------------------------
    # Indexes the bridge adds to crm_lead
    # ------------------------------------------------------------------
    @api.model
    def _bridge_indexes(self):
        """The bridge's indexes on ``crm_lead`` (:class:`BridgeIndex`), created by :meth:`init` and
        dropped by the bridge's ``uninstall_hook``: opportunities closed of a customer, newest
        first (the timeline's "won / lost" source)."""
        return [
            BridgeIndex(
                "crm_lead_bridge_partner_closed_idx", ["partner_id", "date_closed DESC"],
                where="date_closed IS NOT NULL",
            ),
        ]

    def init(self):
        res = super().init()
        create_bridge_indexes(self)
        return res

    # The customer's receivable figures, shown on the opportunity.
    bridge_currency_id = fields.Many2one(related="company_currency", string="Bridge Currency")
    bridge_invoiced_12m = fields.Monetary(
        string="Invoiced (12 Months)", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
    )
    bridge_open_receivable = fields.Monetary(
        string="Open Receivables", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
    )
    bridge_overdue_amount = fields.Monetary(
        string="Overdue Amount", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
    )
    bridge_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (Days)", compute="_compute_bridge_receivables",
    )
    bridge_credit_exposure = fields.Monetary(
        string="Credit Exposure", compute="_compute_bridge_receivables",
        currency_field="bridge_currency_id",
    )
    bridge_credit_usage = fields.Float(
        string="Credit Limit Usage (%)", compute="_compute_bridge_receivables",
    )
    bridge_avg_days_to_pay = fields.Float(
        string="Average Days to Pay", compute="_compute_bridge_receivables",
    )
    bridge_last_order_date = fields.Datetime(
        string="Last Order", compute="_compute_bridge_receivables",
    )
    bridge_open_quotation_count = fields.Integer(
        string="Open Quotations", compute="_compute_bridge_receivables",
    )
    bridge_credit_warning = fields.Boolean(
        string="Credit Warning", compute="_compute_bridge_receivables",
    )
    bridge_credit_warning_message = fields.Char(
        string="Credit Warning Message", compute="_compute_bridge_receivables",
    )

    @api.depends("partner_id")
    @api.depends_context("company", "allowed_company_ids")
    def _compute_bridge_receivables(self):
        figures = self.partner_id._bridge_get_receivable_figures()
        for lead in self:
            values = figures.get(lead.partner_id.commercial_partner_id._origin.id)
            for fname in RECEIVABLE_FIELDS:
                lead[fname] = values[fname] if values else False
            lead.bridge_credit_warning_message = values and values["bridge_credit_warning_message"]

    # ------------------------------------------------------------------
    # Dormant customers: reactivation opportunities
    # ------------------------------------------------------------------
    bridge_is_reactivation = fields.Boolean(
        string="Dormant Customer Reactivation",
        index="btree_not_null",
        copy=False,
        help="Created by the dormant customers job: the customer has not ordered for much longer than usual.",
    )

    @api.model
    def _bridge_dormant_customers(self, limit):
        """Return ``[(commercial partner id, company id, last order, median gap days)]`` of dormant customers.

        A customer is dormant in a company when its last confirmed order is older than
        k x the median gap between its past orders (k = the company's dormant factor, 0 disables it),
        it has at least the company's minimum number of orders, and no reactivation opportunity was
        created since its last order. One query.
        """
        self.env.flush_all()
        query = SQL(
            """
            WITH orders AS (
                SELECT p.commercial_partner_id AS partner_id, so.company_id, so.date_order,
                       so.date_order - LAG(so.date_order) OVER (
                           PARTITION BY p.commercial_partner_id, so.company_id ORDER BY so.date_order) AS gap
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale'
            ), stats AS (
                SELECT partner_id, company_id, MAX(date_order) AS last_order, COUNT(*) AS nbr,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM gap) / 86400.0) AS median_gap
                  FROM orders
                 GROUP BY partner_id, company_id
            )
            SELECT s.partner_id, s.company_id, s.last_order, s.median_gap
              FROM stats s
              JOIN res_company c ON c.id = s.company_id
              JOIN res_partner cp ON cp.id = s.partner_id
             WHERE c.bridge_dormant_factor > 0
               AND s.nbr >= GREATEST(c.bridge_dormant_min_orders, 2)
               AND s.median_gap > 0
               AND cp.active
               AND NOT COALESCE(cp.bridge_do_not_contact, FALSE)
               AND s.last_order + make_interval(secs => s.median_gap * 86400 * c.bridge_dormant_factor) < %(now)s
               AND NOT EXISTS (
                       SELECT 1 FROM crm_lead l
                        WHERE l.partner_id = s.partner_id AND l.company_id = s.company_id
                          AND l.bridge_is_reactivation AND l.create_date >= s.last_order)
             ORDER BY s.partner_id, s.company_id
             LIMIT %(limit)s
            """,
            now=fields.Datetime.now(),
            limit=limit,
        )
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    @api.model
    def _bridge_prepare_reactivation_values(self, partner, company, last_order, median_gap):
        """Values of the reactivation opportunity of a dormant customer (seam)."""
        return {
            "name": self.env._("Reactivation: %(customer)s", customer=partner.name),
            "type": "opportunity",
            "partner_id": partner.id,
            "company_id": company.id,
            "user_id": partner.user_id.id or False,
            "bridge_is_reactivation": True,
            "description": self.env._(
                "Usually orders every %(gap)s days; last order on %(date)s.",
                gap=round(median_gap),
                date=fields.Date.to_string(fields.Date.context_today(self, last_order)),
            ),
        }

    @api.model
    def _cron_bridge_dormant_customers(self, batch_size=200):
        """Scheduled job: create one reactivation opportunity per dormant customer, in chunks."""
        rows = self._bridge_dormant_customers(batch_size + 1)
        batch = rows[:batch_size]
        companies = self.env["res.company"].browse([row[1] for row in batch])
        rows_by_partner = {}
        for pid, cid, last, gap in batch:
            rows_by_partner.setdefault(pid, []).append((cid, last, gap))
        partners = self.env["res.partner"].browse(list(rows_by_partner))
        leads = self.browse()

        def reactivate(partner):
            nonlocal leads
            values = [
                self._bridge_prepare_reactivation_values(partner, companies.browse(cid), last, gap)
                for cid, last, gap in rows_by_partner[partner.id]
            ]
            leads |= self.create(values)

        # one customer at a time: a failing customer is rolled back, reported on the partner and
        # retried on the next run; the others get their opportunity
        self.env["crm.erp.batch.job"]._run_isolated(
            partners, reactivate, self.env._("Dormant customer reactivation")
        )
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=max(len(rows) - batch_size, 0))
        return leads
