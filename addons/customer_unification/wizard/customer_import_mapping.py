from odoo import fields, models

from .customer_import_wizard import IMPORT_FIELDS


class CustomerImportMapping(models.TransientModel):
    """Which column of the file feeds which field of the customer."""

    _name = "customer.import.mapping"
    _description = "Customer Import Column Mapping"
    _order = "column_index"

    wizard_id = fields.Many2one("customer.import.wizard", required=True, ondelete="cascade")
    column_index = fields.Integer(readonly=True)
    column_name = fields.Char("Column", readonly=True)
    field_name = fields.Selection("_selection_field_name", string="Customer Field")

    def _selection_field_name(self):
        Partner = self.env["res.partner"]
        return [(fname, Partner._fields[fname].get_description(self.env)["string"])
                for fname in IMPORT_FIELDS if fname in Partner._fields]
