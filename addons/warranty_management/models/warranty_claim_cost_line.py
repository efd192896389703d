from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# Fields only the posting itself writes (see ``_write_posting_values``).
POSTING_FIELDS = frozenset({"state", "move_id", "invoice_line_id", "provision_used_amount"})

COST_TYPES = [
    ("parts", "Parts"),
    ("labor", "Labor"),
    ("travel", "Travel/Shipping"),
    ("replacement", "Replacement Unit"),
]


class WarrantyClaimCostLine(models.Model):
    """A cost incurred to handle a warranty claim.

    The amount is split into a covered part (borne by the company, posted to the
    warranty expense account) and a chargeable part (invoiced to the customer),
    using the coverage percentage of the claim for the cost type.
    """

    _name = "warranty.claim.cost.line"
    _description = "Warranty Claim Cost Line"
    _inherit = ["analytic.mixin"]
    _order = "claim_id, sequence, id"
    _check_company_auto = True

    claim_id = fields.Many2one(
        "warranty.claim", "Claim", required=True, index=True, ondelete="cascade", check_company=True)
    company_id = fields.Many2one(
        related="claim_id.company_id", store=True, index=True, precompute=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(related="claim_id.partner_id")
    sequence = fields.Integer(default=10)
    date = fields.Date(
        "Date", required=True, index=True, default=fields.Date.context_today, help="Day the cost was incurred.")
    cost_type = fields.Selection(COST_TYPES, "Cost Type", required=True, default="parts")
    product_id = fields.Many2one(
        "product.product", "Product", check_company=True, index=True,
        help="Part consumed or replacement unit shipped; valued at its stock valuation cost.")
    lot_id = fields.Many2one(
        "stock.lot", "Lot/Serial", check_company=True, domain="[('product_id', '=', product_id)]")
    stock_move_id = fields.Many2one(
        "stock.move", "Stock Move", readonly=True, copy=False, index="btree_not_null", check_company=True,
        help="Repair part consumption or replacement delivery this cost was loaded from.")
    name = fields.Char(
        "Description", compute="_compute_name", store=True, precompute=True, readonly=False, required=True)
    quantity = fields.Float(
        "Quantity", default=1.0, digits="Product Unit of Measure",
        help="Units of the part, hours of labor, or number of trips/shipments.")
    unit_cost = fields.Monetary(
        "Unit Cost", compute="_compute_unit_cost", store=True, precompute=True, readonly=False,
        help="Parts and replacement units: stock valuation cost; labor: the company's hourly rate.")
    amount = fields.Monetary("Cost", compute="_compute_amounts", store=True, precompute=True)
    coverage_pct = fields.Float(
        "Coverage (%)", compute="_compute_coverage_pct", store=True, precompute=True,
        help="Share of the cost borne by the company, from the claim's coverage for this cost type.")
    covered_amount = fields.Monetary("Covered", compute="_compute_amounts", store=True, precompute=True)
    chargeable_amount = fields.Monetary("Chargeable", compute="_compute_amounts", store=True, precompute=True)
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted")], default="draft", required=True, readonly=True, copy=False,
        index=True)
    move_id = fields.Many2one(
        "account.move", "Journal Entry", readonly=True, copy=False, index="btree_not_null", check_company=True,
        help="Entry booking the covered part.")
    invoice_line_id = fields.Many2one(
        "account.move.line", "Invoice Line", readonly=True, copy=False, index="btree_not_null",
        check_company=True, help="Customer invoice line charging the chargeable part.")
    invoice_id = fields.Many2one(related="invoice_line_id.move_id", string="Invoice")
    provision_used_amount = fields.Monetary(
        "Provision Used", readonly=True, copy=False,
        help="Part of the covered cost absorbed by the warranty provision.")

    @api.depends("cost_type", "product_id")
    def _compute_name(self):
        labels = dict(self._fields["cost_type"]._description_selection(self.env))
        for line in self:
            if line.product_id:
                line.name = line.product_id.display_name
            elif not line.name:
                line.name = labels.get(line.cost_type) or ""

    @api.depends("cost_type", "product_id", "lot_id", "company_id", "stock_move_id")
    def _compute_unit_cost(self):
        for line in self:
            if line.state == "posted":
                continue
            line.unit_cost = line._get_default_unit_cost()

    def _get_default_unit_cost(self):
        """Return the unit cost proposed for this line, in company currency.

        Seam. Parts and replacement units: the lot's valuation cost when the product
        is valuated per lot, else the product's cost (its stock valuation cost for
        FIFO/AVCO products). Labor: the company's hourly rate. Travel: to be entered.
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        if self.stock_move_id:
            return self._get_stock_move_unit_cost(self.stock_move_id)
        if self.cost_type == "labor":
            return company.warranty_labor_rate
        if self.cost_type in ("parts", "replacement") and self.product_id:
            product = self.product_id.with_company(company)
            if self.lot_id and product.lot_valuated and self.lot_id.standard_price:
                return self.lot_id.with_company(company).standard_price
            return product.standard_price
        return self.unit_cost or 0.0

    @api.model
    def _get_stock_move_unit_cost(self, move):
        """Return the unit cost of a done stock move from its valuation layers (their value
        over their quantity), else the product's cost."""
        layers = move.sudo().stock_valuation_layer_ids
        quantity = sum(layers.mapped("quantity"))
        if layers and quantity:
            return move.company_id.currency_id.round(abs(sum(layers.mapped("value")) / quantity))
        return move.product_id.with_company(move.company_id).standard_price

    @api.depends("cost_type", "claim_id.coverage_parts_pct", "claim_id.coverage_labor_pct",
                 "claim_id.coverage_travel_pct")
    def _compute_coverage_pct(self):
        for line in self:
            if line.state == "posted":
                continue  # booked figures never change
            line.coverage_pct = line._get_coverage_pct()

    def _get_coverage_pct(self):
        """Return the covered percentage of this line, from the claim's coverage.

        Seam. A replacement unit is covered like parts.
        """
        self.ensure_one()
        claim = self.claim_id
        if not claim:
            return 0.0
        field_name = {
            "parts": "coverage_parts_pct",
            "replacement": "coverage_parts_pct",
            "labor": "coverage_labor_pct",
            "travel": "coverage_travel_pct",
        }[self.cost_type]
        return claim[field_name] or 0.0

    @api.depends("quantity", "unit_cost", "coverage_pct", "currency_id")
    def _compute_amounts(self):
        for line in self:
            if line.state == "posted":
                continue
            currency = line.currency_id or self.env.company.currency_id
            amount = currency.round(line.quantity * line.unit_cost)
            covered = currency.round(amount * line.coverage_pct / 100.0)
            line.amount = amount
            line.covered_amount = covered
            line.chargeable_amount = amount - covered

    @api.constrains("quantity", "unit_cost", "coverage_pct")
    def _check_values(self):
        for line in self:
            if line.quantity < 0:
                raise ValidationError(self.env._(
                    "The quantity (or hours) of cost line %(line)s cannot be negative.", line=line.name))
            if line.unit_cost < 0:
                raise ValidationError(self.env._(
                    "The unit cost of cost line %(line)s cannot be negative.", line=line.name))
            if not 0 <= line.coverage_pct <= 100:
                raise ValidationError(self.env._(
                    "The coverage of cost line %(line)s must be between 0 and 100%%.", line=line.name))

    @api.model_create_multi
    def create(self, vals_list):
        if any(POSTING_FIELDS & set(vals) for vals in vals_list):
            raise UserError(self.env._("Warranty cost lines are posted only by the Post Costs action."))
        lines = super().create(vals_list)
        lines.claim_id._check_cost_lines_editable()
        return lines

    def write(self, vals):
        if any(line.state == "posted" for line in self):
            raise UserError(self.env._("Posted warranty cost lines cannot be modified."))
        if POSTING_FIELDS & set(vals):
            raise UserError(self.env._("Warranty cost lines are posted only by the Post Costs action."))
        return super().write(vals)

    def _write_posting_values(self, vals):
        """Write the posting fields (state, entry, invoice line, provision used) of draft lines.

        The only way to change them: called by the posting, which checked the user's rights and
        locked the lines. Private, hence not callable over RPC; no context key opens it.
        """
        if any(line.state == "posted" for line in self):
            raise UserError(self.env._("Posted warranty cost lines cannot be modified."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        if any(line.state == "posted" for line in self):
            raise UserError(self.env._("Posted warranty cost lines cannot be deleted."))

    # ------------------------------------------------------------------
    # Accounting
    # ------------------------------------------------------------------
    def _prepare_expense_line_vals(self):
        """Return the debit line (warranty expense) of the covered part of this cost."""
        self.ensure_one()
        return {
            "name": self.env._("Warranty %(claim)s: %(cost)s", claim=self.claim_id.display_name, cost=self.name),
            "account_id": self.company_id.warranty_expense_account_id.id,
            "partner_id": self.claim_id.partner_id.commercial_partner_id.id,
            "product_id": self.product_id.id,
            "debit": self.covered_amount,
            "credit": 0.0,
            "analytic_distribution": self.analytic_distribution,
        }

    def _prepare_invoice_line_vals(self):
        """Return the customer invoice line charging the chargeable part of this cost.

        Seam. One unit at the chargeable amount, so the invoice equals the cost split to
        the cent; taxes follow the product (none for lines without product).
        """
        self.ensure_one()
        vals = {
            "name": self.env._(
                "%(cost)s (%(qty)s × %(unit)s, %(pct)s%% chargeable)",
                cost=self.name, qty=self.quantity, unit=self.unit_cost,
                pct=round(100.0 - self.coverage_pct, 2)),
            "quantity": 1.0,
            "price_unit": self.chargeable_amount,
            "analytic_distribution": self.analytic_distribution,
        }
        if self.product_id:
            vals["product_id"] = self.product_id.id
            vals["product_uom_id"] = self.product_id.uom_id.id
        return vals

    @api.depends("claim_id.company_id")
    def _compute_analytic_distribution(self):
        for line in self:
            account = (line.company_id or self.env.company).warranty_analytic_account_id
            if account and not line.analytic_distribution:
                line.analytic_distribution = {str(account.id): 100.0}
