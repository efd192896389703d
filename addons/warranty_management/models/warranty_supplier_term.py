from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .warranty_policy import DURATION_UNITS


class WarrantySupplierTerm(models.Model):
    """Warranty the vendor gives us on a product we buy from them."""

    _name = "warranty.supplier.term"
    _description = "Supplier Warranty Term"
    _order = "product_tmpl_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    product_tmpl_id = fields.Many2one(
        "product.template", "Product", required=True, index=True, ondelete="cascade", check_company=True)
    partner_id = fields.Many2one(
        "res.partner", "Vendor", required=True, index=True, check_company=True)
    company_id = fields.Many2one("res.company", "Company", index=True, default=lambda self: self.env.company)
    duration = fields.Integer(required=True, default=1)
    duration_unit = fields.Selection(DURATION_UNITS, string="Duration Unit", required=True, default="year")
    reimburse_parts_pct = fields.Float("Parts Reimbursed (%)", default=100.0)
    reimburse_labor_pct = fields.Float("Labor Reimbursed (%)", default=0.0)
    reimburse_travel_pct = fields.Float("Travel/Shipping Reimbursed (%)", default=0.0)
    notes = fields.Text()

    @api.depends("product_tmpl_id", "partner_id")
    def _compute_display_name(self):
        for term in self:
            term.display_name = f"{term.partner_id.name or ''} / {term.product_tmpl_id.name or ''}"

    @api.constrains("duration", "reimburse_parts_pct", "reimburse_labor_pct", "reimburse_travel_pct")
    def _check_values(self):
        for term in self:
            if term.duration <= 0:
                raise ValidationError(self.env._("The supplier warranty duration must be positive."))
            if any(not 0 <= pct <= 100 for pct in (
                    term.reimburse_parts_pct, term.reimburse_labor_pct, term.reimburse_travel_pct)):
                raise ValidationError(self.env._("Reimbursed percentages must be between 0 and 100."))

    def _get_end_date(self, start_date):
        """Return the last day covered by the vendor for a unit received on ``start_date``."""
        self.ensure_one()
        unit = {"day": "days", "month": "months", "year": "years"}[self.duration_unit]
        return start_date + relativedelta(**{unit: self.duration})

    @api.model
    def _find_term(self, product, vendor=None):
        """Return the supplier term for ``product`` (and ``vendor`` when given), first by sequence."""
        domain = [("product_tmpl_id", "=", product.product_tmpl_id.id)]
        if vendor:
            domain.append(("partner_id", "=", vendor.commercial_partner_id.id))
        return self.search(domain, limit=1)
