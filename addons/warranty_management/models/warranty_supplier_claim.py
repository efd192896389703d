from odoo import api, fields, models
from odoo.exceptions import UserError

REIMBURSE_FIELDS = {
    "parts": "reimburse_parts_pct",
    "replacement": "reimburse_parts_pct",
    "labor": "reimburse_labor_pct",
    "travel": "reimburse_travel_pct",
}


class WarrantySupplierClaim(models.Model):
    """Reimbursement expected from a vendor whose own warranty covers the claimed unit.

    Vendor credit notes (``in_refund``) are matched against it; the state follows the
    amount recovered.
    """

    _name = "warranty.supplier.claim"
    _description = "Supplier Warranty Claim"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Reference", required=True, copy=False, readonly=True, index="trigram",
        default=lambda self: self.env._("New"))
    claim_id = fields.Many2one(
        "warranty.claim", "Customer Claim", required=True, index=True, ondelete="restrict", check_company=True)
    company_id = fields.Many2one(related="claim_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    vendor_id = fields.Many2one("res.partner", "Vendor", required=True, index=True, check_company=True)
    supplier_term_id = fields.Many2one(
        "warranty.supplier.term", "Supplier Warranty", check_company=True, ondelete="set null")
    product_id = fields.Many2one(related="claim_id.product_id", store=True, index=True)
    lot_id = fields.Many2one(related="claim_id.lot_id", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    vendor_warranty_end = fields.Date("Vendor Warranty End")
    expected_amount = fields.Monetary("Expected", tracking=True)
    refund_ids = fields.One2many("account.move", "warranty_supplier_claim_id", "Vendor Credit Notes")
    recovered_amount = fields.Monetary("Recovered", compute="_compute_recovery", store=True)
    residual_amount = fields.Monetary("To Recover", compute="_compute_recovery", store=True)
    state = fields.Selection([
        ("expected", "Expected"),
        ("partial", "Partially Recovered"),
        ("recovered", "Fully Recovered"),
        ("cancelled", "Cancelled"),
    ], compute="_compute_recovery", store=True, index=True, tracking=True)
    cancelled = fields.Boolean(readonly=True, copy=False)

    _sql_constraints = [
        ("expected_positive", "CHECK(expected_amount >= 0)", "The expected reimbursement cannot be negative."),
    ]

    @api.depends("refund_ids.state", "refund_ids.amount_untaxed_signed", "expected_amount", "cancelled")
    def _compute_recovery(self):
        for supplier_claim in self:
            currency = supplier_claim.currency_id
            posted = supplier_claim.refund_ids.filtered(lambda m: m.state == "posted")
            recovered = currency.round(abs(sum(posted.mapped("amount_untaxed_signed"))))
            supplier_claim.recovered_amount = recovered
            supplier_claim.residual_amount = max(currency.round(supplier_claim.expected_amount - recovered), 0.0)
            if supplier_claim.cancelled:
                supplier_claim.state = "cancelled"
            elif currency.compare_amounts(recovered, supplier_claim.expected_amount) >= 0 and recovered:
                supplier_claim.state = "recovered"
            elif recovered:
                supplier_claim.state = "partial"
            else:
                supplier_claim.state = "expected"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("warranty.supplier.claim") or self.env._("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    @api.model
    def _get_unit_purchase(self, claim):
        """Return ``(vendor, receipt date)`` of the claimed unit, or ``(False, False)``.

        Seam. Serial/lot: the done receipt of that lot from a vendor location. Otherwise
        the product's first vendor, with the warranty start of the customer's registration
        standing in for the receipt date: an approximation that may overstate the vendor's
        coverage; override where purchase dates of untracked units are known.
        """
        if claim.lot_id:
            move_line = self.env["stock.move.line"].sudo().search([
                ("lot_id", "=", claim.lot_id.id), ("state", "=", "done"),
                ("location_id.usage", "=", "supplier"),
            ], order="date desc", limit=1)
            if move_line:
                vendor = move_line.picking_id.partner_id or move_line.move_id.partner_id
                return vendor.commercial_partner_id, fields.Date.context_today(self, move_line.date)
        seller = self.env["product.supplierinfo"].sudo().search([
            ("product_tmpl_id", "=", claim.product_id.product_tmpl_id.id),
            ("product_id", "in", [False, claim.product_id.id]),
            ("company_id", "in", [False, claim.company_id.id]),
        ], limit=1)  # read, not the cached vendors list: it depends on the current company
        if seller and claim.registration_id:
            return seller.partner_id.commercial_partner_id, claim.registration_id.start_date
        return False, False

    @api.model
    def _get_reimbursable_amount(self, cost_line, term):
        """Return what the vendor reimburses of ``cost_line`` under ``term``: its share of
        the cost we bear (covered part). Seam."""
        pct = term[REIMBURSE_FIELDS[cost_line.cost_type]]
        return cost_line.currency_id.round(cost_line.covered_amount * pct / 100.0)

    # ------------------------------------------------------------------
    # Creation from posted claim costs
    # ------------------------------------------------------------------
    @api.model
    def _record_expected_recovery(self, claim, cost_lines):
        """Record (or increase) the reimbursement expected from the vendor for ``cost_lines``
        when the claimed unit is still under the vendor's warranty on the failure date."""
        vendor, receipt_date = self._get_unit_purchase(claim)
        if not vendor:
            return self
        term = self.env["warranty.supplier.term"].sudo()._find_term(claim.product_id, vendor)
        if not term:
            return self
        end = term._get_end_date(receipt_date)
        if claim.claim_date > end:
            return self
        amount = sum(self._get_reimbursable_amount(line, term) for line in cost_lines)
        if claim.company_id.currency_id.is_zero(amount):
            return self
        supplier_claim = self.sudo().search([
            ("claim_id", "=", claim.id), ("vendor_id", "=", vendor.id), ("state", "=", "expected"),
        ], limit=1)
        if supplier_claim:
            supplier_claim.expected_amount += amount
            return supplier_claim
        return self.sudo().create({
            "claim_id": claim.id,
            "vendor_id": vendor.id,
            "supplier_term_id": term.id,
            "vendor_warranty_end": end,
            "expected_amount": amount,
        })

    # ------------------------------------------------------------------
    # Matching vendor credit notes
    # ------------------------------------------------------------------
    @api.model
    def _match_refunds(self, refunds):
        """Link posted vendor credit notes to open supplier claims.

        Seam. A credit note already linked by hand keeps its claim; otherwise it goes to
        the oldest open supplier claim of the same vendor whose reference appears in the
        credit note's reference, else whose product is on the credit note.
        """
        refunds = refunds.filtered(
            lambda m: m.move_type == "in_refund" and m.state == "posted" and not m.warranty_supplier_claim_id)
        if not refunds:
            return
        open_claims = self.sudo().search([
            ("vendor_id", "in", refunds.partner_id.commercial_partner_id.ids),
            ("company_id", "in", refunds.company_id.ids),
            ("state", "in", ("expected", "partial")),
        ], order="date, id")
        for refund in refunds:
            candidates = open_claims.filtered(
                lambda c, r=refund: c.vendor_id == r.partner_id.commercial_partner_id
                and c.company_id == r.company_id)
            by_ref = candidates.filtered(lambda c, r=refund: c.name in (r.ref or ""))
            products = refund.invoice_line_ids.product_id
            by_product = candidates.filtered(lambda c, p=products: c.product_id in p)
            match = (by_ref or by_product)[:1]
            if match:
                refund.sudo().warranty_supplier_claim_id = match

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_create_vendor_refund(self):
        """Open a draft vendor credit note for the amount still to recover."""
        self.ensure_one()
        if self.state in ("recovered", "cancelled"):
            raise UserError(self.env._("Nothing left to recover on %(claim)s.", claim=self.name))
        refund = self.env["account.move"].create({
            "move_type": "in_refund",
            "partner_id": self.vendor_id.id,
            "company_id": self.company_id.id,
            "ref": self.name,
            "invoice_date": fields.Date.context_today(self),
            "warranty_supplier_claim_id": self.id,
            "invoice_line_ids": [(0, 0, {
                "name": self.env._("Warranty reimbursement %(claim)s (%(unit)s)",
                                   claim=self.claim_id.display_name,
                                   unit=self.lot_id.name or self.product_id.display_name),
                "quantity": 1.0,
                "price_unit": self.residual_amount,
                "tax_ids": [],
            })],
        })
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": refund.id,
            "view_mode": "form",
        }

    def action_cancel(self):
        self.write({"cancelled": True})

    def action_reset(self):
        self.write({"cancelled": False})
