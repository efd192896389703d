from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # the accountant posting needs no warranty, sales or inventory rights
        posted.filtered(lambda m: m.move_type == "out_invoice").invoice_line_ids.sudo()._warranty_register_invoiced()
        return posted
