from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_confirm(self):
        result = super()._action_confirm()
        lines = self.order_line.sudo()  # the salesperson needs no warranty rights
        lines._warranty_reactivate_cancelled()
        lines._warranty_register_on_confirmation()
        lines._warranty_apply_extensions_sold_later()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self.order_line.sudo()._warranty_revoke_on_cancel()
        return result
