from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    warranty_policy_id = fields.Many2one(
        "warranty.policy", "Warranty Policy",
        help="Default warranty of the products of this category and of its sub-categories, "
             "unless the product sets its own.")

    def _get_warranty_policy(self):
        """Return the policy of the category or of its closest parent that has one."""
        self.ensure_one()
        categ = self
        while categ and not categ.warranty_policy_id:
            categ = categ.parent_id
        return categ.warranty_policy_id
