from odoo import fields, models


class CustomerMergeLogLine(models.Model):
    """One row moved or dropped by a merge: enough to put it back."""

    _name = "customer.merge.log.line"
    _description = "Customer Merge Log Line"
    _order = "id"

    log_id = fields.Many2one("customer.merge.log", required=True, ondelete="cascade", index=True)
    # stored on insert by the journal (SQL): the before-images are company data
    company_id = fields.Many2one(related="log_id.company_id", store=True, index=True)
    kind = fields.Selection(
        [("moved", "Moved"), ("dropped", "Dropped duplicate"), ("changed", "Values changed")],
        required=True, readonly=True)
    ref_type = fields.Selection(
        [("fk", "Foreign key"), ("m2m", "Relation table"), ("res_id", "Document reference"),
         ("reference", "Reference field"), ("company_dependent", "Company-dependent value"),
         ("orm", "Field values"), ("relation", "Relation rows")],
        string="Reference Type", required=True, readonly=True)
    model_name = fields.Char("Referenced Model", readonly=True)
    table_name = fields.Char("Table", required=True, readonly=True)
    column_name = fields.Char("Column", required=True, readonly=True)
    row_id = fields.Integer("Row ID", readonly=True)
    row_key = fields.Json(readonly=True, help="Full row of a relation table without ID column.")
    old_value = fields.Integer("Old ID", readonly=True, help="Record the row pointed to before the merge.")
    new_value = fields.Integer("New ID", readonly=True, help="Record the row points to after the merge.")
    before_image = fields.Json(readonly=True,
                               help="Values of a dropped row and of the rows its deletion cascaded to, or the "
                                    "values a change replaced.")
