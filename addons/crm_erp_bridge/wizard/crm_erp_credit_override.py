from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CrmErpCreditOverride(models.TransientModel):
    """A credit manager releases a document held by the credit block (a quotation here, a
    delivery with ``crm_erp_bridge_stock``), giving a reason."""

    _name = "crm.erp.credit.override"
    _description = "Override Credit Block"

    order_id = fields.Many2one("sale.order", readonly=True)
    block_reason = fields.Text(compute="_compute_block_reason", string="Blocked Because")
    reason = fields.Text(string="Override Reason", required=True)

    def _bridge_held_document(self):
        """The document this wizard releases (seam: ``crm_erp_bridge_stock`` adds deliveries)."""
        self.ensure_one()
        return self.order_id

    @api.depends("order_id")
    def _compute_block_reason(self):
        for wizard in self:
            document = wizard._bridge_held_document()
            wizard.block_reason = document and document._bridge_get_credit_block_reason() or False

    def action_override(self):
        """Release the document despite the block and log the override."""
        self.ensure_one()
        document = self._bridge_held_document()
        if not document:
            raise UserError(self.env._("Choose the document to release."))
        if not document._bridge_can_override_credit_block():
            raise AccessError(self.env._("Only credit managers may override the credit block."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for overriding the credit block."))
        document.check_access("read")
        return document._bridge_override_credit_block(self.reason.strip())
