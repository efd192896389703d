from odoo import api, fields, models, tools
from odoo.tools import SQL


class CrmErpQuoteConversionReport(models.Model):
    """Quotation conversion figures: one row per quotation or order.

    Rates are averages of 0/100 columns so that any grouping (salesperson, team, month)
    shows the right percentage: quote-to-order rate, expiry rate. The quote-to-order rate is the
    suite's one definition of the conversion rate, confirmed / (confirmed + cancelled + expired)
    (``crm.erp.report.mixin._sql_team_conversion_rate``): it is empty on open quotations. ``days_to_confirm`` and
    ``followups_per_won`` are empty on quotations not confirmed, hence averaged over won
    quotations only.
    """

    _name = "crm.erp.quote.conversion.report"
    _description = "Quotation Conversion Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "date desc, id desc"

    order_id = fields.Many2one("sale.order", string="Quotation", readonly=True)
    date = fields.Date(string="Quotation Date", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    cadence_id = fields.Many2one("crm.erp.followup.cadence", string="Follow-up Cadence", readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("won", "Confirmed"), ("expired", "Expired"), ("cancel", "Cancelled")],
        string="Outcome",
        readonly=True,
    )
    quotation_count = fields.Integer(string="# Quotations", readonly=True)
    order_count = fields.Integer(string="# Orders", readonly=True)
    expired_count = fields.Integer(string="# Expired", readonly=True)
    conversion_rate = fields.Float(
        string="Quote-to-Order Rate (%)",
        aggregator="avg",
        readonly=True,
        help="Confirmed / (confirmed + cancelled + expired) quotations; open quotations are left out. "
        "The revenue forecast weights quotations with the same rate.",
    )
    expiry_rate = fields.Float(string="Expiry Rate (%)", aggregator="avg", readonly=True)
    days_to_confirm = fields.Float(string="Average Days to Confirm", aggregator="avg", readonly=True)
    followup_count = fields.Integer(string="# Follow-ups Sent", readonly=True)
    followups_per_won = fields.Float(string="Follow-ups per Won Quotation", aggregator="avg", readonly=True)

    @api.model
    def _conversion_order_domain_sql(self):
        """SQL condition on ``so`` choosing the orders analysed (seam): all but draft quotations
        never sent, as for the forecast's rate
        (``crm.erp.report.mixin._sql_conversion_quotation_where``)."""
        return self.env["crm.erp.report.mixin"]._sql_conversion_quotation_where()

    @api.model
    def _conversion_query(self):
        rules = self.env["crm.erp.report.mixin"]
        return SQL(
            """
            WITH followups AS (
                SELECT l.order_id, COUNT(*) AS nbr
                  FROM crm_erp_cadence_log l
                 WHERE l.kind = 'followup' AND l.mail_sent
                 GROUP BY l.order_id
            )
            SELECT so.id AS id,
                   so.id AS order_id,
                   (so.create_date AT TIME ZONE 'UTC')::date AS date,
                   so.user_id,
                   so.team_id,
                   so.company_id,
                   p.commercial_partner_id AS partner_id,
                   so.bridge_cadence_id AS cadence_id,
                   %(outcome)s AS state,
                   1 AS quotation_count,
                   CASE WHEN so.state = 'sale' THEN 1 ELSE 0 END AS order_count,
                   CASE WHEN %(outcome)s = 'expired' THEN 1 ELSE 0 END AS expired_count,
                   CASE %(outcome)s WHEN 'won' THEN 100.0 WHEN 'open' THEN NULL ELSE 0.0 END
                       AS conversion_rate,
                   CASE WHEN %(outcome)s = 'expired' THEN 100.0 ELSE 0.0 END AS expiry_rate,
                   CASE WHEN so.state = 'sale'
                        THEN GREATEST(EXTRACT(EPOCH FROM (so.date_order - so.create_date)) / 86400.0, 0)
                   END AS days_to_confirm,
                   COALESCE(f.nbr, 0) AS followup_count,
                   CASE WHEN so.state = 'sale' THEN COALESCE(f.nbr, 0) END AS followups_per_won
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
              LEFT JOIN followups f ON f.order_id = so.id
             WHERE %(where)s
            """,
            outcome=rules._sql_quotation_outcome(),
            where=self._conversion_order_domain_sql(),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._conversion_query())
        )
