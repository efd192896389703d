from odoo import api, models

from odoo.addons.customer_unification.tools import fellegi_sunter as fs


class CustomerMatchRule(models.Model):
    _inherit = "customer.match.rule"

    @api.model
    def _cu_match_fields(self):
        """Rule 1: compare the customer reference (``ref``), kept by the old accounting system on
        every record it exported: the same reference is strong evidence of one customer, another
        reference strong evidence of two. The scan, the check while typing, the estimation of the
        weights and the explanations all follow from this entry, and manual rule lines can choose
        the field (with their own comparators and weights)."""
        return {
            **super()._cu_match_fields(),
            "ref": {
                "label": self.env._("Customer Reference"), "keys": ("ref",), "displays": ("ref",),
                "compare": fs.level_code, "levels": ("exact", "close", "far"),
                "m": (0.90, 0.05, 0.05), "u": (0.0001, 0.0009, 0.999)},
        }
