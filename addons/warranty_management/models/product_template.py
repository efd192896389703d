from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    warranty_policy_id = fields.Many2one(
        "warranty.policy", "Warranty Policy",
        help="Warranty granted to customers for this product. Empty: the category's policy applies.")
    warranty_extension = fields.Boolean(
        "Is Extended Warranty",
        help="Service that extends the warranty of the units it covers (sold with the unit or later).")
    warranty_extension_months = fields.Integer("Extension (months)")
    warranty_extension_coverage_pct = fields.Float(
        "Extension Coverage (%)", default=100.0,
        help="Coverage per cost type guaranteed by the extension (the better of policy and extension applies).")
    warranty_extension_product_ids = fields.Many2many(
        "product.template", "warranty_extension_product_rel", "extension_id", "product_tmpl_id",
        string="Covered Products", help="Products this extension applies to; empty means any product.")
    warranty_supplier_term_ids = fields.One2many(
        "warranty.supplier.term", "product_tmpl_id", "Supplier Warranty Terms")

    @api.constrains("warranty_extension", "warranty_extension_months", "warranty_extension_coverage_pct")
    def _check_warranty_extension(self):
        for template in self.filtered("warranty_extension"):
            if template.warranty_extension_months <= 0:
                raise ValidationError(self.env._(
                    "The extended warranty %(product)s must extend by a positive number of months.",
                    product=template.display_name))
            if not 0 <= template.warranty_extension_coverage_pct <= 100:
                raise ValidationError(self.env._(
                    "The coverage of extended warranty %(product)s must be between 0 and 100%%.",
                    product=template.display_name))
