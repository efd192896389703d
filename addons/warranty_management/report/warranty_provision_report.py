from odoo import fields, models, tools
from odoo.tools import SQL


class WarrantyProvisionReport(models.Model):
    """Provision accrued, used, released and balance per product, policy and day, next
    to the actual covered claim costs (provision vs actual).

    One row per provision movement or posted claim cost line; the pivot sums them per
    product and period. The balance of a period is its net movement: filter on dates up
    to the end of a period to read the closing balance.
    """

    _name = "warranty.provision.report"
    _description = "Warranty Provision Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "product_id"

    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Currency", readonly=True)
    product_id = fields.Many2one("product.product", "Product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", "Product Template", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    policy_id = fields.Many2one("warranty.policy", "Policy", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    provision_id = fields.Many2one("warranty.provision", "Provision", readonly=True)
    kind = fields.Selection(
        [("accrual", "Accrual"), ("reversal", "Reversal (credit note)"), ("use", "Use"), ("release", "Release"),
         ("actual", "Actual Cost")],
        readonly=True)
    amount_accrued = fields.Monetary("Accrued", readonly=True, help="Accrued, less reversals for credit notes.")
    amount_used = fields.Monetary("Used", readonly=True)
    amount_released = fields.Monetary("Released", readonly=True)
    balance = fields.Monetary("Balance", readonly=True)
    amount_actual = fields.Monetary(
        "Actual Covered Cost", readonly=True, help="Covered claim costs posted, with or without provision.")

    def _select(self):
        """Return the SELECT part. Seam: add columns in an override."""
        return SQL("""
            SELECT line.id * 2 AS id,
                   line.date AS date,
                   prov.company_id AS company_id,
                   company.currency_id AS currency_id,
                   prov.product_id AS product_id,
                   product.product_tmpl_id AS product_tmpl_id,
                   tmpl.categ_id AS categ_id,
                   prov.policy_id AS policy_id,
                   prov.partner_id AS partner_id,
                   prov.id AS provision_id,
                   line.kind AS kind,
                   CASE WHEN line.kind = 'accrual' THEN line.amount
                        WHEN line.kind = 'reversal' THEN -line.amount ELSE 0 END AS amount_accrued,
                   CASE WHEN line.kind = 'use' THEN line.amount ELSE 0 END AS amount_used,
                   CASE WHEN line.kind = 'release' THEN line.amount ELSE 0 END AS amount_released,
                   CASE WHEN line.kind = 'accrual' THEN line.amount ELSE -line.amount END AS balance,
                   0.0 AS amount_actual
        """)

    def _from(self):
        """Return the FROM part. Seam."""
        return SQL("""
              FROM warranty_provision_line line
              JOIN warranty_provision prov ON prov.id = line.provision_id
              JOIN res_company company ON company.id = prov.company_id
              JOIN product_product product ON product.id = prov.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
        """)

    def _query_actual(self):
        """Return the rows of posted covered claim costs, attributed to the claimed product
        and its policy. Seam."""
        return SQL("""
            SELECT cost.id * 2 + 1 AS id,
                   cost.date AS date,
                   cost.company_id AS company_id,
                   company.currency_id AS currency_id,
                   claim.product_id AS product_id,
                   product.product_tmpl_id AS product_tmpl_id,
                   tmpl.categ_id AS categ_id,
                   reg.policy_id AS policy_id,
                   claim.commercial_partner_id AS partner_id,
                   NULL::integer AS provision_id,
                   'actual' AS kind,
                   0.0 AS amount_accrued,
                   0.0 AS amount_used,
                   0.0 AS amount_released,
                   0.0 AS balance,
                   cost.covered_amount AS amount_actual
              FROM warranty_claim_cost_line cost
              JOIN warranty_claim claim ON claim.id = cost.claim_id
              JOIN res_company company ON company.id = cost.company_id
              JOIN product_product product ON product.id = claim.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
         LEFT JOIN warranty_registration reg ON reg.id = claim.registration_id
             WHERE cost.state = 'posted' AND cost.covered_amount != 0
        """)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            "CREATE OR REPLACE VIEW %s AS (%s %s UNION ALL %s)",
            SQL.identifier(self._table), self._select(), self._from(), self._query_actual()))
