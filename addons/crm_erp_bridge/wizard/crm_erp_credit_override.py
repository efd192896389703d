from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CrmErpCreditOverride(models.TransientModel):
    """A credit manager confirms a blocked quotation, giving a reason."""

    _name = "crm.erp.credit.override"
    _description = "Override Credit Block"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    block_reason = fields.Text(compute="_compute_block_reason", string="Blocked Because")
    reason = fields.Text(string="Override Reason", required=True)

    @api.depends("order_id")
    def _compute_block_reason(self):
        for wizard in self:
            wizard.block_reason = wizard.order_id._bridge_get_credit_block_reason() or False

    def action_override(self):
        """Confirm the order despite the block and log the override."""
        self.ensure_one()
        if not self.order_id._bridge_can_override_credit_block():
            raise AccessError(self.env._("Only credit managers may override the credit block."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for overriding the credit block."))
        if self.order_id.state not in ("draft", "sent"):
            raise UserError(self.env._("Only quotations can be confirmed."))
        self.order_id.check_access("read")
        return self.order_id._bridge_override_credit_block(self.reason.strip())
