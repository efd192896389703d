from odoo import models

from .customer_merge_repointer import ORM_JOURNAL_KEY


class Base(models.AbstractModel):
    """Every model: rows written during a journaled merge step keep their before-image."""

    _inherit = "base"

    def _write_multi(self, vals_list):
        if self.env.cr.cache.get(ORM_JOURNAL_KEY):
            self.env["customer.merge.repointer"]._journal_before_write(self, vals_list)
        return super()._write_multi(vals_list)
