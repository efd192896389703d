from odoo import api, fields, models


class CrmErpCreditOverride(models.TransientModel):
    """The credit override wizard releases deliveries too."""

    _inherit = "crm.erp.credit.override"

    picking_id = fields.Many2one("stock.picking", string="Delivery", readonly=True)

    def _bridge_held_document(self):
        self.ensure_one()
        return self.picking_id or super()._bridge_held_document()

    @api.depends("order_id", "picking_id")
    def _compute_block_reason(self):
        return super()._compute_block_reason()
