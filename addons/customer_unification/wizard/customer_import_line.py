from odoo import fields, models


class CustomerImportLine(models.TransientModel):
    """One row of an imported file and what the import does with it."""

    _name = "customer.import.line"
    _description = "Customer Import Row"
    _order = "line_number"

    wizard_id = fields.Many2one("customer.import.wizard", required=True, ondelete="cascade")
    line_number = fields.Integer("Line", readonly=True)
    name = fields.Char(readonly=True)
    raw_values = fields.Json(readonly=True)
    values = fields.Json(readonly=True)
    status = fields.Selection(
        [("match", "Matches a customer"), ("new", "New customer"), ("error", "Error")], readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    score = fields.Float(digits=(3, 2), readonly=True)
    reason = fields.Char("Why", readonly=True)
    result = fields.Selection([("done", "Imported")], readonly=True)

    def _apply_to_match(self, complete):
        """Link the row to its matched customer; with ``complete`` fill the
        customer's empty fields (never overwrite a value). Returns 1 if written."""
        self.ensure_one()
        partner = self.partner_id
        if not complete:
            return 0
        values = {
            fname: value for fname, value in (self.values or {}).items()
            if fname in partner._fields and not partner[fname]
        }
        if values:
            partner.write(values)
            return 1
        return 0
