from odoo import fields, models

from .base_partner_merge_automatic_wizard import STRATEGIES


class CustomerMergeSurvivorshipLine(models.TransientModel):
    """Per-field survivorship rule of one merge."""

    _name = "customer.merge.survivorship.line"
    _description = "Merge Survivorship Rule"

    wizard_id = fields.Many2one("base.partner.merge.automatic.wizard", required=True, ondelete="cascade")
    field_id = fields.Many2one(
        "ir.model.fields", required=True, ondelete="cascade",
        domain="[('model', '=', 'res.partner'), ('store', '=', True), "
               "('ttype', 'not in', ('one2many', 'many2many', 'boolean', 'selection'))]")
    field_name = fields.Char(related="field_id.name")
    strategy = fields.Selection(STRATEGIES, required=True, default="recent")
