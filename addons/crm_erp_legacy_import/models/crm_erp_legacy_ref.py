from odoo import api, fields, models

#: what a legacy reference names: the customer of a row, or the document the rows make
LEGACY_KINDS = [
    ("customer", "Customer"),
    ("opportunity", "Opportunity"),
    ("order", "Quotation / Order"),
    ("invoice", "Invoice"),
]


class CrmErpLegacyRef(models.Model):
    """The reference a record had in the system it was imported from.

    One per company, source system, kind and reference: a second import of the
    same file finds the record created by the first instead of creating it again.
    """

    _name = "crm.erp.legacy.ref"
    _description = "Legacy Reference"
    _order = "id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    source_system = fields.Char(required=True, help="The CRM or ERP the record comes from.")
    kind = fields.Selection(LEGACY_KINDS, required=True)
    reference = fields.Char(required=True, help="The record's reference in the source system.")
    res_model = fields.Char("Model", required=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True)
    import_id = fields.Many2one("crm.erp.legacy.import", "Legacy Import", ondelete="set null", index="btree_not_null")

    _sql_constraints = [
        ("reference_unique", "UNIQUE(company_id, source_system, kind, reference)",
         "A legacy reference is imported once per company, source system and kind."),
    ]

    @api.depends("source_system", "kind", "reference")
    def _compute_display_name(self):
        for ref in self:
            ref.display_name = f"{ref.source_system} {ref.reference}"

    @api.model
    def _legacy_lookup(self, company, source_system, kind, references):
        """``{reference: ref record}`` of the given references already imported (one query)."""
        if not references:
            return {}
        refs = self.search([
            ("company_id", "=", company.id), ("source_system", "=", source_system),
            ("kind", "=", kind), ("reference", "in", list(references)),
        ])
        return {ref.reference: ref for ref in refs}

    def action_open_record(self):
        """Open the record this reference points to."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
