from odoo import models

from odoo.addons.account.models.chart_template import template

# Accounts created by the chart templates known to the addon: xmlid -> (code, account type).
WARRANTY_ACCOUNT_CODES = {
    "generic_coa": {
        "warranty_expense": "6150",
        "warranty_provision_expense": "6151",
        "warranty_provision": "2015",
        "warranty_cost_counterpart": "2016",
    },
    "it": {
        "warranty_expense": "4214",
        "warranty_provision_expense": "4824",
        "warranty_provision": "2206",
        "warranty_cost_counterpart": "2207",
    },
}

# company field -> template xmlid
WARRANTY_COMPANY_FIELDS = {
    "warranty_expense_account_id": "warranty_expense",
    "warranty_cost_counterpart_account_id": "warranty_cost_counterpart",
    "warranty_provision_account_id": "warranty_provision",
    "warranty_provision_expense_account_id": "warranty_provision_expense",
    "warranty_journal_id": "warranty",
}


class AccountChartTemplate(models.AbstractModel):
    """Warranty accounts and journal, created with the chart of accounts of each company."""

    _inherit = "account.chart.template"

    def _get_warranty_account_codes(self, template_code):
        """Return ``{xmlid: code}`` of the warranty accounts of ``template_code`` (seam).

        Charts not listed here get no warranty accounts: the user is told what to configure
        when posting costs or accruing a provision.
        """
        for code in [template_code, *self._get_parent_template(template_code)]:
            if code in WARRANTY_ACCOUNT_CODES:
                return WARRANTY_ACCOUNT_CODES[code]
        return {}

    @template(model="account.account")
    def _get_warranty_account_account(self, template_code):
        codes = self._get_warranty_account_codes(template_code)
        if not codes:
            return {}
        _ = self.env._
        values = {
            "warranty_expense": {"name": _("Warranty Costs"), "account_type": "expense"},
            "warranty_provision_expense": {"name": _("Warranty Provision Expense"), "account_type": "expense"},
            "warranty_provision": {"name": _("Warranty Provision"), "account_type": "liability_current"},
            "warranty_cost_counterpart": {
                "name": _("Accrued Warranty Costs"), "account_type": "liability_current"},
        }
        return {xmlid: {**vals, "code": codes[xmlid]} for xmlid, vals in values.items()}

    @template(model="account.journal")
    def _get_warranty_account_journal(self, template_code):
        if not self._get_warranty_account_codes(template_code):
            return {}
        return {
            "warranty": {
                "name": self.env._("Warranty"),
                "code": "WRTY",
                "type": "general",
                "show_on_dashboard": False,
            },
        }

    @template(model="res.company")
    def _get_warranty_res_company(self, template_code):
        if not self._get_warranty_account_codes(template_code):
            return {}
        return {self.env.company.id: dict(WARRANTY_COMPANY_FIELDS)}

    def _warranty_load_accounting(self, company):
        """Give ``company`` (chart of accounts already loaded) the warranty accounts and journal.

        Used at module installation for existing companies. Only what an empty warranty
        setting needs is created; accounts or a journal with the same code are reused and
        settings already filled in are kept.
        """
        template_code = company.chart_template
        if not template_code or not self._get_warranty_account_codes(template_code):
            return
        chart = self.with_company(company).with_context(default_company_id=company.id)
        chart._warranty_load_company_data(company, template_code)

    def _warranty_load_company_data(self, company, template_code):
        """Load the warranty accounts and journal (root company) and fill in the empty settings."""
        company_values = {
            fname: xmlid for fname, xmlid in WARRANTY_COMPANY_FIELDS.items() if not company[fname]
        }
        if not company_values:
            return  # configured already (by hand, or by demo data): create nothing unused
        needed = set(company_values.values())
        root = company.root_id
        data = {}
        if company == root:
            code_digits = self._warranty_code_digits(template_code)
            accounts = {
                xmlid: {**vals, "code": f"{vals['code']:<0{code_digits}}"}  # padded as by _pre_load_data
                for xmlid, vals in self._get_warranty_account_account(template_code).items()
                if xmlid in needed}
            journals = {xmlid: vals for xmlid, vals in self._get_warranty_account_journal(template_code).items()
                        if xmlid in needed}
            data["account.account"] = self._warranty_skip_existing(
                company, "account.account", accounts,
                lambda vals: [*self.env["account.account"]._check_company_domain(company),
                              ("code", "=", vals["code"])])
            data["account.journal"] = self._warranty_skip_existing(
                company, "account.journal", journals,
                lambda vals: [("company_id", "=", company.id), ("code", "=", vals["code"])])
        data["res.company"] = {company.id: company_values}
        self._load_data(data)

    def _warranty_code_digits(self, template_code):
        """Width of the account codes of ``template_code``, as the chart loading applies it."""
        template_data = {}
        for code in [None, *self._get_parent_template(template_code)]:
            for func in self._template_register[code]["template_data"]:
                template_data.update(func(self, template_code) or {})
        return int(template_data.get("code_digits", 6))

    def _warranty_skip_existing(self, company, model, records, domain_for):
        """Bind the template xmlids to existing records with the same code; return the others."""
        to_create = {}
        for xmlid, vals in records.items():
            if self.ref(xmlid, raise_if_not_found=False):
                continue
            existing = self.env[model].search(domain_for(vals), limit=1)
            if existing:
                self.env["ir.model.data"]._update_xmlids([{
                    "xml_id": f"account.{company.id}_{xmlid}", "record": existing, "noupdate": True}])
            else:
                to_create[xmlid] = vals
        return to_create
