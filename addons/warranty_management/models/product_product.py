from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _get_warranty_policy(self):
        """Return the warranty policy of the product: its own, else its category's (walking up).

        Seam: override to pick a policy per company, customer segment, etc.
        """
        self.ensure_one()
        return self.product_tmpl_id.warranty_policy_id or self.categ_id._get_warranty_policy()

    def _get_warranty_policies(self):
        """Return ``{product: policy}`` for ``self`` (products without policy are left out)."""
        result = {}
        for product in self:
            policy = product._get_warranty_policy()
            if policy:
                result[product] = policy
        return result
