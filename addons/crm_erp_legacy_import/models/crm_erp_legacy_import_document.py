from odoo import api, fields, models


class CrmErpLegacyImportDocument(models.Model):
    """One legacy document of an import file: the rows sharing a document reference.

    The preview decides what happens to it (create, link to what a former import
    created, reject); the import records what happened. Its rows keep their cells
    and, when rejected, the reason of each row (the error file).
    """

    _name = "crm.erp.legacy.import.document"
    _description = "Legacy Import Document"
    _order = "import_id, first_line"
    _check_company_auto = True

    import_id = fields.Many2one("crm.erp.legacy.import", "Legacy Import", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="import_id.company_id", store=True, index=True)
    document_ref = fields.Char("Document Reference", readonly=True)
    first_line = fields.Integer("Line", readonly=True)
    row_count = fields.Integer("Rows", readonly=True)
    rows = fields.Json("Row Data", readonly=True,
                       help="The rows of the file: line number, cells and reason of a rejected row.")
    status = fields.Selection(
        [("create", "To create"), ("link", "Already imported"), ("reject", "Rejected")],
        readonly=True, required=True, default="create")
    result = fields.Selection(
        [("pending", "Pending"), ("done", "Created"), ("linked", "Linked"), ("rejected", "Rejected")],
        readonly=True, required=True, default="pending", index=True)
    reason = fields.Char("Why", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, check_company=True)
    customer_status = fields.Selection(
        [("ref", "Imported before"), ("match", "Matches a customer"), ("new", "New customer")], readonly=True)
    customer_key = fields.Char(readonly=True, index="btree_not_null",
                               help="Identity of the customer in the file: rows with the same key name one customer.")
    customer_ref = fields.Char("Customer Reference", readonly=True)
    customer_values = fields.Json(readonly=True)
    res_model = fields.Char("Model", readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", readonly=True)

    @api.depends("document_ref", "first_line")
    def _compute_display_name(self):
        for document in self:
            document.display_name = document.document_ref or f"#{document.first_line}"

    def action_open_record(self):
        """Open the record created or linked for this document."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
