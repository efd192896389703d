from odoo import api, fields, models


class CustomerDataQuality(models.TransientModel):
    _name = "customer.data.quality"
    _description = "Customer Data Quality Dashboard"

    group_open_count = fields.Integer("Duplicate Groups to Review", compute="_compute_counts")
    group_merged_month_count = fields.Integer("Groups Merged This Month", compute="_compute_counts")
    email_missing_count = fields.Integer("Missing Email", compute="_compute_counts")
    email_invalid_count = fields.Integer("Invalid Email", compute="_compute_counts")
    phone_missing_count = fields.Integer("Missing Phone", compute="_compute_counts")
    phone_invalid_count = fields.Integer("Invalid Phone", compute="_compute_counts")
    vat_missing_count = fields.Integer("Companies Without Tax ID", compute="_compute_counts")
    vat_invalid_count = fields.Integer("Invalid Tax ID", compute="_compute_counts")

    @api.model
    def _partner_domains(self):
        """Domain of each partner indicator (a seam to change what counts as missing or invalid)."""
        base = [("active", "=", True), ("type", "=", "contact")]
        return {
            "email_missing": base + [("email", "in", (False, ""))],
            "email_invalid": base + [("email", "not in", (False, "")), ("cu_email_key", "=", False)],
            "phone_missing": base + [("phone", "in", (False, "")), ("mobile", "in", (False, ""))],
            "phone_invalid": base + ["|", "&", ("phone", "not in", (False, "")), ("cu_phone_key", "=", False),
                                     "&", ("mobile", "not in", (False, "")), ("cu_mobile_key", "=", False)],
            "vat_missing": base + [("is_company", "=", True), ("vat", "in", (False, ""))],
            "vat_invalid": base + [("vat", "not in", (False, "")), ("cu_vat_valid", "=", False)],
        }

    @api.model
    def _group_domains(self):
        month_start = fields.Date.context_today(self).replace(day=1)
        return {
            "group_open": [("state", "=", "open")],
            "group_merged_month": [("state", "=", "merged"), ("write_date", ">=", month_start)],
        }

    def _compute_counts(self):
        Partner = self.env["res.partner"]
        Group = self.env["customer.duplicate.group"]
        counts = {key: Partner.search_count(domain) for key, domain in self._partner_domains().items()}
        counts.update({key: Group.search_count(domain) for key, domain in self._group_domains().items()})
        for dashboard in self:
            for key, value in counts.items():
                dashboard[f"{key}_count"] = value

    def action_open_indicator(self):
        """Open the records behind one indicator (``indicator`` in the button context)."""
        indicator = self.env.context.get("indicator")
        if indicator in self._group_domains():
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "customer_unification.customer_duplicate_group_action")
            action.update(domain=self._group_domains()[indicator], context={})
            return action
        return {
            "type": "ir.actions.act_window",
            "name": self._fields[f"{indicator}_count"].get_description(self.env)["string"],
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._partner_domains()[indicator],
        }
