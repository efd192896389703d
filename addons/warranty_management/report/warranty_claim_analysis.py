from odoo import api, fields, models, tools
from odoo.tools import SQL

RATIO_MEASURES = {
    # measure: (numerator, denominator, factor)
    "claim_rate": ("claim_count", "units_sold", 100.0),
    "cost_per_unit": ("total_cost", "units_sold", 1.0),
}


class WarrantyClaimAnalysis(models.Model):
    """Units sold under warranty next to the claims they raised and what those cost.

    Rows are either registered units (``units_sold``, dated at the warranty start) or
    claims (``claim_count`` and costs, dated at the failure). Grouped by product, lot,
    supplier or period, the pivot gives the claim rate and the cost per unit sold as
    ratios of sums (see ``_read_group_select``).
    """

    _name = "warranty.claim.analysis"
    _description = "Warranty Claim Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "product_id"

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Currency", readonly=True)
    product_id = fields.Many2one("product.product", "Product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", "Product Template", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", readonly=True)
    vendor_id = fields.Many2one("res.partner", "Supplier", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    policy_id = fields.Many2one("warranty.policy", "Policy", readonly=True)
    claim_id = fields.Many2one("warranty.claim", "Claim", readonly=True)
    claim_state = fields.Selection(
        [("new", "New"), ("under_review", "Under Review"), ("approved", "Approved"), ("rejected", "Rejected"),
         ("in_progress", "In Progress"), ("resolved", "Resolved"), ("closed", "Closed")],
        "Claim Status", readonly=True)
    units_sold = fields.Float("Units Sold", readonly=True)
    claim_count = fields.Integer("Claims", readonly=True)
    claim_rate = fields.Float("Claim Rate (%)", readonly=True, aggregator="sum",
                              help="Claims per 100 units sold in the group.")
    covered_cost = fields.Monetary("Covered Cost", readonly=True)
    chargeable_cost = fields.Monetary("Chargeable Cost", readonly=True)
    total_cost = fields.Monetary("Total Cost", readonly=True)
    cost_per_unit = fields.Monetary("Cost per Unit Sold", readonly=True, aggregator="sum",
                                    help="Total claim cost divided by the units sold in the group.")

    def _select_vendor(self, tmpl_alias):
        """Return the SQL expression of the supplier of a product template. Seam.

        Default: the vendor of its first supplier price line.
        """
        return SQL("""(SELECT partner.commercial_partner_id
                         FROM product_supplierinfo info
                         JOIN res_partner partner ON partner.id = info.partner_id
                        WHERE info.product_tmpl_id = %s.id
                     ORDER BY info.sequence, info.id LIMIT 1)""", SQL.identifier(tmpl_alias))

    def _query_units(self):
        """Registered units, one row per registration (ownership transfers excluded)."""
        return SQL("""
            SELECT reg.start_date AS date, reg.company_id, reg.product_id, reg.lot_id,
                   reg.commercial_partner_id AS partner_id, reg.policy_id,
                   NULL::integer AS claim_id, NULL::varchar AS claim_state,
                   reg.quantity AS units_sold, 0 AS claim_count,
                   0.0 AS covered_cost, 0.0 AS chargeable_cost, 0.0 AS total_cost
              FROM warranty_registration reg
             WHERE reg.origin != 'transfer'
        """)

    def _query_claims(self):
        """Claims with the sum of their cost lines."""
        return SQL("""
            SELECT claim.claim_date AS date, claim.company_id, claim.product_id, claim.lot_id,
                   claim.commercial_partner_id AS partner_id, reg.policy_id,
                   claim.id AS claim_id, claim.state AS claim_state,
                   0.0 AS units_sold, 1 AS claim_count,
                   COALESCE(cost.covered, 0.0), COALESCE(cost.chargeable, 0.0), COALESCE(cost.total, 0.0)
              FROM warranty_claim claim
         LEFT JOIN warranty_registration reg ON reg.id = claim.registration_id
         LEFT JOIN (SELECT claim_id, SUM(covered_amount) AS covered, SUM(chargeable_amount) AS chargeable,
                           SUM(amount) AS total
                      FROM warranty_claim_cost_line GROUP BY claim_id) cost ON cost.claim_id = claim.id
        """)

    def _query(self):
        return SQL("""
            SELECT ROW_NUMBER() OVER (ORDER BY src.date, src.claim_id, src.product_id) AS id,
                   src.date, src.company_id, company.currency_id, src.product_id,
                   product.product_tmpl_id, tmpl.categ_id, src.lot_id, %(vendor)s AS vendor_id,
                   src.partner_id, src.policy_id, src.claim_id, src.claim_state,
                   src.units_sold, src.claim_count, 0.0 AS claim_rate,
                   src.covered_cost, src.chargeable_cost, src.total_cost, 0.0 AS cost_per_unit
              FROM (%(units)s UNION ALL %(claims)s) src
              JOIN res_company company ON company.id = src.company_id
              JOIN product_product product ON product.id = src.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
        """, vendor=self._select_vendor("tmpl"), units=self._query_units(), claims=self._query_claims())

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in RATIO_MEASURES:
            numerator, denominator, factor = RATIO_MEASURES[fname]
            return SQL(
                "COALESCE(SUM(%(num)s) / NULLIF(SUM(%(den)s), 0) * %(factor)s, 0)",
                num=self._field_to_sql(self._table, numerator, query),
                den=self._field_to_sql(self._table, denominator, query),
                factor=factor,
            )
        return super()._read_group_select(aggregate_spec, query)
