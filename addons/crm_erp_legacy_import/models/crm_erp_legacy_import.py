import base64
import csv
import io
import logging
from datetime import datetime

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

#: columns every template has: the document reference groups the rows of one document
COMMON_COLUMNS = (
    "document_ref", "customer_ref", "customer_name", "customer_email", "customer_phone", "customer_vat",
    "customer_country", "customer_city", "customer_zip", "customer_street", "salesperson",
)
#: the columns of each kind's template (after the common ones)
KIND_COLUMNS = {
    "opportunity": ("name", "stage", "expected_revenue", "probability", "date_deadline"),
    "order": ("date_order", "state", "currency", "product", "description", "quantity", "price_unit"),
    "invoice": ("invoice_date", "due_date", "currency", "product", "description", "quantity", "price_unit"),
}
#: the model each kind creates
KIND_MODELS = {"opportunity": "crm.lead", "order": "sale.order", "invoice": "account.move"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
ORDER_STATES = {
    "draft": "draft", "quotation": "draft", "sent": "sent", "quotation sent": "sent",
    "sale": "sale", "confirmed": "sale", "order": "sale", "sales order": "sale",
}
#: documents written per batch when the preview stores them
PREVIEW_BATCH = 1000


class CrmErpLegacyImport(models.Model):
    """An import of legacy history (open opportunities, quotations and orders, open invoices).

    Upload a file of one kind, preview what will be created, linked (imported
    before) or rejected, then import: each document in a savepoint of its own,
    its customer found by the customer unification engine or created once.
    Large files are imported by a cron, one chunk per call, resumable.
    """

    _name = "crm.erp.legacy.import"
    _description = "Legacy History Import"
    _order = "id desc"
    _check_company_auto = True

    kind = fields.Selection(
        [("opportunity", "Opportunities"), ("order", "Quotations and Orders"), ("invoice", "Open Invoices")],
        required=True, default="opportunity")
    source_system = fields.Char(
        required=True, default="Legacy",
        help="Name of the CRM or ERP the file comes from. A reference is imported once per source system.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 readonly=True, index=True)
    user_id = fields.Many2one("res.users", "Imported By", default=lambda self: self.env.user, readonly=True)
    file = fields.Binary(attachment=True)
    filename = fields.Char()
    delimiter = fields.Char(default=",", size=1, help="CSV only.")
    chunk_size = fields.Integer(default=200, help="Documents imported per transaction by the background import.")
    state = fields.Selection(
        [("draft", "Upload"), ("preview", "Preview"), ("running", "Importing"), ("done", "Done"),
         ("failed", "Failed")], default="draft", required=True, readonly=True)
    header = fields.Json(readonly=True)
    document_ids = fields.One2many("crm.erp.legacy.import.document", "import_id", "Documents", readonly=True)
    document_count = fields.Integer(readonly=True)
    processed_count = fields.Integer("Documents Processed", readonly=True)
    progress = fields.Float(readonly=True, help="Share of the documents processed, in percent.")
    row_count = fields.Integer("Rows", compute="_compute_row_counts")
    create_row_count = fields.Integer("Rows To Create", compute="_compute_row_counts")
    link_row_count = fields.Integer("Rows Imported Before", compute="_compute_row_counts")
    reject_row_count = fields.Integer("Rows Rejected", compute="_compute_row_counts")
    created_row_count = fields.Integer("Rows Created", compute="_compute_row_counts")
    customer_created_count = fields.Integer("Customers Created", readonly=True)
    failure_reason = fields.Text(readonly=True)
    summary = fields.Text(readonly=True)
    error_file = fields.Binary(attachment=True, readonly=True)
    error_filename = fields.Char(readonly=True)

    @api.depends("document_ids.status", "document_ids.result", "document_ids.row_count")
    def _compute_row_counts(self):
        counts = {}
        if self.ids:
            for job, status, result, rows in self.env["crm.erp.legacy.import.document"]._read_group(
                    [("import_id", "in", self.ids)], ["import_id", "status", "result"], ["row_count:sum"]):
                job_counts = counts.setdefault(job.id, {})
                # a document rejected by the import is marked rejected too: the counts stay conserved
                job_counts[status] = job_counts.get(status, 0) + rows
                if result == "done":
                    job_counts["created"] = job_counts.get("created", 0) + rows
        for job in self:
            job_counts = counts.get(job.id, {})
            job.create_row_count = job_counts.get("create", 0)
            job.link_row_count = job_counts.get("link", 0)
            job.reject_row_count = job_counts.get("reject", 0)
            job.created_row_count = job_counts.get("created", 0)
            job.row_count = job.create_row_count + job.link_row_count + job.reject_row_count

    @api.depends("kind", "filename", "create_date")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for job in self:
            job.display_name = f"{kinds.get(job.kind, '')}: {job.filename or job.id}"

    # ------------------------------------------------------------------
    # Rights
    # ------------------------------------------------------------------
    @api.model
    def _legacy_kind_groups(self):
        """Groups a user needs, besides the right to import (Unification manager), to
        import each kind: the documents are created with the user's own rights, of any
        salesperson, so the sales or invoicing role is required."""
        return {
            "opportunity": "sales_team.group_sale_salesman_all_leads",
            "order": "sales_team.group_sale_salesman_all_leads",
            "invoice": "account.group_account_invoice",
        }

    def _legacy_check_rights(self):
        """Raise an AccessError unless the current user may import this kind."""
        for job in self:
            group = self._legacy_kind_groups().get(job.kind)
            if group and not self.env.user.has_group(group):
                kinds = dict(self._fields["kind"]._description_selection(self.env))
                raise AccessError(self.env._(
                    "You may not import %(kind)s: it requires the group %(group)s.",
                    kind=kinds[job.kind], group=self.env.ref(group).full_name))

    # ------------------------------------------------------------------
    # Reading the file
    # ------------------------------------------------------------------
    def _legacy_columns(self):
        """Columns of this kind's template, in order."""
        self.ensure_one()
        return COMMON_COLUMNS + KIND_COLUMNS[self.kind]

    def _legacy_read_rows(self):
        """Rows of the file, the header first, read by the customer import's reader
        (same size and row limits, encodings, CSV/XLSX, clear errors)."""
        self.ensure_one()
        reader = self.env["customer.import.wizard"].new(
            {"file": self.file, "filename": self.filename, "delimiter": self.delimiter or ","})
        rows = reader._read_rows()
        if not rows or not any(any(row) for row in rows[1:]):
            raise UserError(self.env._("The file is empty."))
        return rows

    @api.model
    def _legacy_normalize_header(self, header):
        return (header or "").strip().lower().replace(" ", "_").replace("-", "_")

    def _legacy_header_index(self, header):
        """``{column: index}`` of the template columns found in the header; raises a
        UserError when the document reference column is missing."""
        columns = set(self._legacy_columns())
        index = {}
        for position, name in enumerate(header):
            name = self._legacy_normalize_header(name)
            if name in columns and name not in index:
                index[name] = position
        if "document_ref" not in index:
            raise UserError(self.env._(
                "The file has no column document_ref. Download the template of this kind and keep its header."))
        return index

    @api.model
    def _legacy_cells(self, index, row):
        """``{column: value}`` of one row (empty cells left out)."""
        return {column: row[position] for column, position in index.items()
                if position < len(row) and row[position]}

    # ------------------------------------------------------------------
    # Converting cells (one rule each; raise ValueError with the reason)
    # ------------------------------------------------------------------
    @api.model
    def _legacy_parse_date(self, value, label):
        """A date in ISO (2024-12-31) or day/month/year (31/12/2024) form."""
        for date_format in DATE_FORMATS:
            try:
                return datetime.strptime(value.strip()[:10], date_format).date()
            except ValueError:
                continue
        raise ValueError(self.env._("the %(label)s %(value)s is not a date (use YYYY-MM-DD)", label=label, value=value))

    @api.model
    def _legacy_parse_number(self, value, label, minimum=None, maximum=None):
        """A number, with a dot or a comma as decimal separator, within the bounds."""
        text = value.strip().replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(self.env._("the %(label)s %(value)s is not a number", label=label, value=value)) from None
        if minimum is not None and number < minimum:
            raise ValueError(self.env._("the %(label)s %(value)s must not be below %(minimum)s",
                                        label=label, value=value, minimum=minimum))
        if maximum is not None and number > maximum:
            raise ValueError(self.env._("the %(label)s %(value)s must not be above %(maximum)s",
                                        label=label, value=value, maximum=maximum))
        return number

    def _legacy_lookups(self, cells_list):
        """Records named by the rows, each model read once: ``{"product": {name: id},
        "salesperson": ..., "stage": ..., "currency": ..., "pricelist": {currency_id: id}}``."""
        self.ensure_one()
        wanted = {column: set() for column in ("product", "salesperson", "stage", "currency")}
        for cells in cells_list:  # one pass: the preview gives a generator
            for column, values in wanted.items():
                if cells.get(column):
                    values.add(cells[column])
        lookups = {"product": {}, "salesperson": {}, "stage": {}, "currency": {}, "pricelist": {}}
        company = self.company_id
        if self.kind == "invoice":
            lookups["journal"] = self._legacy_invoice_journal().id
        if wanted["product"]:
            products = self.env["product.product"].with_company(company).search_fetch(
                [("company_id", "in", [company.id, False]), ("sale_ok", "=", True),
                 "|", ("default_code", "in", list(wanted["product"])), ("name", "in", list(wanted["product"]))],
                ["default_code", "name"], order="id")
            for product in products:  # a reference wins over a name
                lookups["product"].setdefault(product.name, product.id)
            for product in products:
                if product.default_code:
                    lookups["product"][product.default_code] = product.id
        if wanted["salesperson"]:
            users = self.env["res.users"].search_fetch(
                [("share", "=", False), "|", ("login", "in", list(wanted["salesperson"])),
                 ("name", "in", list(wanted["salesperson"]))], ["login", "name"], order="id")
            for user in users:
                lookups["salesperson"].setdefault(user.name, user.id)
            for user in users:
                lookups["salesperson"][user.login] = user.id
        if wanted["stage"]:
            for stage in self.env["crm.stage"].search_fetch(
                    [("name", "in", list(wanted["stage"]))], ["name"], order="sequence, id"):
                lookups["stage"].setdefault(stage.name, stage.id)
        if wanted["currency"]:
            currencies = self.env["res.currency"].with_context(active_test=False).search_fetch(
                [("name", "in", [code.upper() for code in wanted["currency"]])], ["name", "active"])
            lookups["currency"] = {currency.name: (currency.id, currency.active) for currency in currencies}
            if self.kind == "order":
                for pricelist in self.env["product.pricelist"].search_fetch(
                        [("currency_id", "in", currencies.ids), ("company_id", "in", [company.id, False])],
                        ["currency_id"], order="company_id, sequence, id"):
                    lookups["pricelist"].setdefault(pricelist.currency_id.id, pricelist.id)
        return lookups

    def _legacy_row_values(self, cells, lookups):
        """Values of one row of this kind (dispatches to ``_legacy_<kind>_row_values``)."""
        values = {}
        if cells.get("salesperson"):
            user_id = lookups["salesperson"].get(cells["salesperson"])
            if not user_id:
                raise ValueError(self.env._("the salesperson %s is unknown (give a login or a user name)",
                                            cells["salesperson"]))
            values["user_id"] = user_id
        values.update(getattr(self, f"_legacy_{self.kind}_row_values")(cells, lookups))
        return values

    def _legacy_currency(self, cells, lookups):
        code = cells.get("currency")
        if not code:
            return False
        currency_id, active = lookups["currency"].get(code.upper(), (False, False))
        if not currency_id:
            raise ValueError(self.env._("the currency %s is unknown", code))
        if not active:
            raise ValueError(self.env._("the currency %s is not active in this database", code))
        return currency_id

    def _legacy_line_values(self, cells, lookups, product_required):
        """Product, description, quantity and price of a document line."""
        values = {}
        if cells.get("product"):
            product_id = lookups["product"].get(cells["product"])
            if not product_id:
                raise ValueError(self.env._("the product %s is unknown (give its internal reference or name)",
                                            cells["product"]))
            values["product_id"] = product_id
        elif product_required:
            raise ValueError(self.env._("the product is missing"))
        elif not cells.get("description"):
            raise ValueError(self.env._("the line has neither a product nor a description"))
        if cells.get("description"):
            values["name"] = cells["description"]
        values["quantity"] = self._legacy_parse_number(cells.get("quantity") or "1", self.env._("quantity"), minimum=0)
        values["price_unit"] = self._legacy_parse_number(cells.get("price_unit") or "0", self.env._("unit price"))
        return values

    def _legacy_opportunity_row_values(self, cells, lookups):
        if not cells.get("name"):
            raise ValueError(self.env._("the opportunity name is missing"))
        values = {"name": cells["name"]}
        if cells.get("stage"):
            stage_id = lookups["stage"].get(cells["stage"])
            if not stage_id:
                raise ValueError(self.env._("the stage %s is unknown", cells["stage"]))
            values["stage_id"] = stage_id
        if cells.get("expected_revenue"):
            values["expected_revenue"] = self._legacy_parse_number(
                cells["expected_revenue"], self.env._("expected revenue"), minimum=0)
        if cells.get("probability"):
            values["probability"] = self._legacy_parse_number(
                cells["probability"], self.env._("probability"), minimum=0, maximum=100)
        if cells.get("date_deadline"):
            values["date_deadline"] = self._legacy_parse_date(cells["date_deadline"], self.env._("expected closing"))
        return values

    def _legacy_order_row_values(self, cells, lookups):
        values = self._legacy_line_values(cells, lookups, product_required=True)
        if cells.get("date_order"):
            values["date_order"] = self._legacy_parse_date(cells["date_order"], self.env._("order date"))
        state = (cells.get("state") or "draft").strip().lower()
        if state not in ORDER_STATES:
            raise ValueError(self.env._("the state %s is unknown (use draft, sent or sale)", cells["state"]))
        values["state"] = ORDER_STATES[state]
        currency_id = self._legacy_currency(cells, lookups)
        if currency_id:
            pricelist_id = lookups["pricelist"].get(currency_id)
            if not pricelist_id and currency_id != self.company_id.currency_id.id:
                raise ValueError(self.env._("no pricelist is in the currency %s", cells["currency"]))
            values["pricelist_id"] = pricelist_id
        return values

    def _legacy_invoice_row_values(self, cells, lookups):
        values = self._legacy_line_values(cells, lookups, product_required=False)
        if not cells.get("invoice_date"):
            raise ValueError(self.env._("the invoice date is missing"))
        values["invoice_date"] = self._legacy_parse_date(cells["invoice_date"], self.env._("invoice date"))
        if cells.get("due_date"):
            values["invoice_date_due"] = self._legacy_parse_date(cells["due_date"], self.env._("due date"))
            if values["invoice_date_due"] < values["invoice_date"]:
                raise ValueError(self.env._("the due date is before the invoice date"))
        values["currency_id"] = self._legacy_currency(cells, lookups)
        return values

    # ------------------------------------------------------------------
    # Documents: one record from its rows (one method per kind)
    # ------------------------------------------------------------------
    def _legacy_prepare_document(self, document_ref, partner_id, values_list, lookups):
        """``(create values, extra)`` of one document from the values of its rows (dispatches
        to ``_legacy_prepare_<kind>``); raises ValueError when the rows do not make a document."""
        return getattr(self, f"_legacy_prepare_{self.kind}")(document_ref, partner_id, values_list, lookups)

    def _legacy_prepare_opportunity(self, document_ref, partner_id, values_list, lookups):
        if len(values_list) > 1:
            raise ValueError(self.env._("an opportunity has one row; this reference has %s", len(values_list)))
        vals = dict(values_list[0], type="opportunity", partner_id=partner_id, company_id=self.company_id.id)
        return vals, {}

    def _legacy_prepare_order(self, document_ref, partner_id, values_list, lookups):
        head = values_list[0]
        vals = {
            "partner_id": partner_id, "company_id": self.company_id.id, "client_order_ref": document_ref,
            "order_line": [Command.create(self._legacy_prepare_order_line(values)) for values in values_list],
        }
        for fname in ("user_id", "pricelist_id", "date_order"):
            if head.get(fname):
                vals[fname] = head[fname]
        return vals, {"state": head["state"], "date_order": head.get("date_order")}

    def _legacy_prepare_order_line(self, values):
        line = {"product_id": values["product_id"], "product_uom_qty": values["quantity"],
                "price_unit": values["price_unit"]}
        if values.get("name"):
            line["name"] = values["name"]
        return line

    def _legacy_prepare_invoice(self, document_ref, partner_id, values_list, lookups):
        head = values_list[0]
        vals = {
            "move_type": "out_invoice", "partner_id": partner_id, "company_id": self.company_id.id,
            "journal_id": lookups["journal"], "invoice_date": head["invoice_date"],
            "ref": document_ref,
            "invoice_line_ids": [Command.create(self._legacy_prepare_invoice_line(values)) for values in values_list],
        }
        for fname in ("invoice_date_due", "currency_id"):
            if head.get(fname):
                vals[fname] = head[fname]
        if head.get("user_id"):
            vals["invoice_user_id"] = head["user_id"]
        return vals, {}

    def _legacy_prepare_invoice_line(self, values):
        """An invoice line as in the legacy system: its amount as given, without taxes
        (the legacy total is the amount due; put the tax on a line of its own)."""
        line = {"quantity": values["quantity"], "price_unit": values["price_unit"], "tax_ids": [Command.clear()]}
        for fname in ("product_id", "name"):
            if values.get(fname):
                line[fname] = values[fname]
        return line

    def _legacy_invoice_journal(self):
        """The sales journal of the company (the first by sequence); a UserError when
        the company has none (no chart of accounts yet)."""
        self.ensure_one()
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company_id.id)], order="sequence, id", limit=1)
        if not journal:
            raise UserError(self.env._(
                "The company %s has no sales journal: set up its chart of accounts in the Invoicing settings.",
                self.company_id.name))
        return journal

    def _legacy_after_create(self, records, extras):
        """Bring created documents to their legacy state (orders: sent or confirmed, keeping
        the legacy order date; invoices: posted, so they are open with their whole total due)."""
        if self.kind == "order":
            pairs = list(zip(records, extras, strict=True))
            records.browse([rec.id for rec, extra in pairs if extra["state"] == "sent"]).write({"state": "sent"})
            to_confirm = [(rec, extra) for rec, extra in pairs if extra["state"] == "sale"]
            if to_confirm:
                records.browse([rec.id for rec, _extra in to_confirm])._legacy_confirm()
                for rec, extra in to_confirm:
                    if extra.get("date_order"):
                        rec.date_order = extra["date_order"]
        elif self.kind == "invoice":
            records.action_post()

    # ------------------------------------------------------------------
    # Customers: matched by the unification engine, created once
    # ------------------------------------------------------------------
    @api.model
    def _legacy_customer_raw(self, cells):
        """Partner values of the customer columns (raw strings), read by the customer import's rules."""
        Wizard = self.env["customer.import.wizard"]
        raw = {}
        for column, value in cells.items():
            if column.startswith("customer_") and column != "customer_ref":
                fname = Wizard._guess_field(column[len("customer_"):])
                if fname:
                    raw[fname] = value
        if cells.get("customer_ref"):
            raw["ref"] = cells["customer_ref"]
        return raw

    @api.model
    def _legacy_customer_key(self, cells):
        """Identity of a row's customer within the file: its legacy reference, else its
        e-mail, VAT or name (rows with the same key name one customer)."""
        for column in ("customer_ref", "customer_email", "customer_vat", "customer_name"):
            if cells.get(column):
                return f"{column}:{cells[column].strip().lower()}"
        return False

    def _legacy_resolve_customers(self, customers):
        """``{key: (status, partner_id, values, error)}`` of the customers ``{key: cells}``:
        known by a former import (one query), else matched by the engine of
        ``customer.import.wizard._match_values`` (once per customer), else new."""
        self.ensure_one()
        refs = {cells["customer_ref"] for cells in customers.values() if cells.get("customer_ref")}
        known = self.env["crm.erp.legacy.ref"]._legacy_lookup(self.company_id, self.source_system, "customer", refs)
        Wizard = self.env["customer.import.wizard"]
        resolved = {}
        for key, cells in customers.items():
            ref = known.get(cells.get("customer_ref"))
            if ref:
                resolved[key] = ("ref", ref.res_id, None, None)
                continue
            try:
                values = Wizard._clean_values(self._legacy_customer_raw(cells))
                values.setdefault("is_company", True)
                partner, _score, _reason = Wizard._match_values(values)
            except (ValueError, UserError) as error:
                resolved[key] = (None, False, None, self.env._("customer: %s", error))
                continue
            resolved[key] = ("match", partner.id, values, None) if partner else ("new", False, values, None)
        return resolved

    # ------------------------------------------------------------------
    # Preview
    # ------------------------------------------------------------------
    def action_preview(self):
        """Read the file and tell, for each document, what the import will do."""
        self.ensure_one()
        self._legacy_check_rights()
        if self.state not in ("draft", "preview"):
            raise UserError(self.env._("This import has already run."))
        if self.kind == "invoice":
            self._legacy_invoice_journal()
        rows = self._legacy_read_rows()
        index = self._legacy_header_index(rows[0])
        documents = {}
        for number, row in enumerate(rows[1:], start=2):
            if not any(row):
                continue
            ref = row[index["document_ref"]] if index["document_ref"] < len(row) else ""
            # a row without reference is a document of its own (rejected): keyed by its line
            documents.setdefault(ref or number, []).append((number, row))
        header = rows[0]
        del rows
        self.document_ids.unlink()
        doc_vals = self._legacy_preview_documents(index, documents)
        for start in range(0, len(doc_vals), PREVIEW_BATCH):
            self.env["crm.erp.legacy.import.document"].create(doc_vals[start:start + PREVIEW_BATCH])
            self.env.invalidate_all()
        self.write({"state": "preview", "header": header, "document_count": len(doc_vals), "processed_count": 0,
                    "progress": 0.0, "error_file": False, "error_filename": False})
        return self._legacy_reopen()

    def _legacy_preview_documents(self, index, documents):
        """Create values of the documents ``{ref: [(line, row)]}``: status, customer, reasons.
        The cells of a row are read when needed (the file's rows are held once)."""
        lookups = self._legacy_lookups(
            self._legacy_cells(index, row) for rows in documents.values() for _n, row in rows)
        existing = self.env["crm.erp.legacy.ref"]._legacy_lookup(
            self.company_id, self.source_system, self.kind, [ref for ref in documents if isinstance(ref, str)])
        customers = {}
        for rows in documents.values():
            first = self._legacy_cells(index, rows[0][1])
            key = self._legacy_customer_key(first)
            if key:
                customers.setdefault(key, first)
        resolved = self._legacy_resolve_customers(customers)
        vals_list = []
        for ref, lines in documents.items():
            rows = [(number, row, self._legacy_cells(index, row)) for number, row in lines]
            first = rows[0][2]
            key = self._legacy_customer_key(first)
            vals = {
                "import_id": self.id, "document_ref": first.get("document_ref", False), "first_line": rows[0][0],
                "row_count": len(rows), "customer_key": key, "customer_ref": first.get("customer_ref", False),
                "rows": [{"line": number, "cells": row} for number, row, _cells in rows],
            }
            if ref in existing:
                vals.update(status="link", res_model=existing[ref].res_model, res_id=existing[ref].res_id)
                vals_list.append(vals)
                continue
            customer_status, partner_id, values, error = resolved.get(key) or (
                None, False, None, self.env._("the customer is missing (give its name or reference)"))
            vals.update(customer_status=customer_status, partner_id=partner_id,
                        customer_values=values if customer_status == "new" else False)
            if not isinstance(ref, str):
                error = self.env._("the document reference is missing")
            error = self._legacy_check_rows(vals, rows, lookups, error)
            if error:
                vals.update(status="reject", result="rejected", reason=error)
            vals_list.append(vals)
        return vals_list

    def _legacy_check_rows(self, vals, rows, lookups, error=None):
        """Validate the rows of one document (in ``vals["rows"]``, a reason on each bad row)
        and the document they make; return the document's reason or None."""
        values_list = []
        for row_vals, (number, _row, cells) in zip(vals["rows"], rows, strict=True):
            try:
                values_list.append(self._legacy_row_values(cells, lookups))
            except ValueError as row_error:
                row_vals["error"] = str(row_error)
                error = error or self.env._("line %(line)s: %(reason)s", line=number, reason=row_error)
        if not error:
            try:
                self._legacy_prepare_document(
                    vals["document_ref"], vals.get("partner_id") or False, values_list, lookups)
            except ValueError as doc_error:
                error = str(doc_error)
        return error

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------
    @api.model
    def _legacy_sync_limit(self):
        """Up to this many documents an import runs in the user's request; above, in the
        background (system parameter ``crm_erp_legacy_import.sync_document_limit``)."""
        try:
            return int(self.env["ir.config_parameter"].sudo().get_param(
                "crm_erp_legacy_import.sync_document_limit", 500))
        except (TypeError, ValueError):
            return 500

    def action_import(self):
        """Import the previewed documents: now for a small file, else in the background."""
        self.ensure_one()
        self._legacy_check_rights()
        if self.state != "preview":
            raise UserError(self.env._("Preview the file before importing it."))
        self.state = "running"
        if self.document_count <= self._legacy_sync_limit():
            while self._legacy_process_chunk():
                pass
        else:
            self.env.ref("crm_erp_legacy_import.ir_cron_legacy_import")._trigger()
        return self._legacy_reopen()

    def _legacy_process_chunk(self):
        """Import the next ``chunk_size`` pending documents; return how many were processed
        (0 once the import is finished). Every document is committed only with the whole
        chunk, so a chunk that stops half-way is processed again from its start."""
        self.ensure_one()
        self._legacy_check_rights()
        Document = self.env["crm.erp.legacy.import.document"]
        documents = Document.search([("import_id", "=", self.id), ("result", "=", "pending")],
                                    order="first_line", limit=max(self.chunk_size, 1))
        if not documents:
            self._legacy_finish()
            return 0
        linked = documents.filtered(lambda doc: doc.status == "link")
        linked.write({"result": "linked"})
        self._legacy_create_documents(documents.filtered(lambda doc: doc.status == "create"))
        self.processed_count += len(documents)
        self.progress = 100.0 * self.processed_count / (self.document_count or 1)
        _logger.info("Legacy import %s: %s/%s documents", self.id, self.processed_count, self.document_count)
        return len(documents)

    def _legacy_create_documents(self, documents):
        """Create the documents (a batch in one savepoint; when it fails, one savepoint per
        document, so a bad document is rejected alone and never half-created)."""
        if not documents:
            return
        rows_by_doc = {doc.id: [(row["line"], row["cells"]) for row in doc.rows] for doc in documents}
        index = self._legacy_header_index(self.header)
        cells_by_doc = {doc_id: [(n, self._legacy_cells(index, row)) for n, row in rows]
                        for doc_id, rows in rows_by_doc.items()}
        lookups = self._legacy_lookups([cells for rows in cells_by_doc.values() for _n, cells in rows])
        self._legacy_ensure_customers(documents)
        prepared = []
        for doc in documents:
            vals = {"rows": [{"line": n, "cells": row} for n, row in rows_by_doc[doc.id]],
                    "document_ref": doc.document_ref, "partner_id": doc.partner_id.id}
            if doc.result == "rejected":
                continue
            error = self._legacy_check_rows(vals, [(n, None, c) for n, c in cells_by_doc[doc.id]], lookups)
            if error:
                doc.write({"status": "reject", "result": "rejected", "reason": error, "rows": vals["rows"]})
                continue
            values_list = [self._legacy_row_values(cells, lookups) for _n, cells in cells_by_doc[doc.id]]
            prepared.append((doc, *self._legacy_prepare_document(
                doc.document_ref, doc.partner_id.id, values_list, lookups)))
        if not prepared:
            return
        try:
            with self.env.cr.savepoint():
                self._legacy_create_batch(prepared)
            return
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # isolate the bad document below
            _logger.info("Legacy import %s: batch failed, importing its documents one by one", self.id)
        for item in prepared:
            try:
                with self.env.cr.savepoint():
                    self._legacy_create_batch([item])
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except (UserError, ValueError) as error:
                self._legacy_reject(item[0], str(error))
            except Exception as error:  # one bad document must not stop the import
                _logger.exception("Legacy import %s: document %s rejected", self.id, item[0].document_ref)
                self._legacy_reject(item[0], self.env._("unexpected error: %s", error))

    def _legacy_reject(self, document, reason):
        document.write({"status": "reject", "result": "rejected", "reason": reason})

    def _legacy_create_batch(self, prepared):
        """Create, finish and reference the documents ``[(document, vals, extra)]``."""
        # legacy documents bring their history from the system they come from: no creation
        # message, tracking or follower subscription on import (presentation only)
        Model = self.env[KIND_MODELS[self.kind]].with_company(self.company_id).with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True)
        records = Model.create([vals for _doc, vals, _extra in prepared])
        self._legacy_after_create(records, [extra for _doc, _vals, extra in prepared])
        self.env["crm.erp.legacy.ref"].create([{
            "company_id": self.company_id.id, "source_system": self.source_system, "kind": self.kind,
            "reference": doc.document_ref, "res_model": records._name, "res_id": record.id, "import_id": self.id,
        } for (doc, _vals, _extra), record in zip(prepared, records, strict=True)])
        for (doc, _vals, _extra), record in zip(prepared, records, strict=True):
            doc.write({"result": "done", "res_model": record._name, "res_id": record.id})
        self.env.flush_all()

    def _legacy_ensure_customers(self, documents):
        """Create the new customers of these documents, once per customer of the file (later
        documents of the same customer get it too), and keep the customers' legacy references."""
        Document = self.env["crm.erp.legacy.import.document"]
        new_docs = documents.filtered(lambda doc: not doc.partner_id and doc.customer_values)
        by_key = {}
        for doc in new_docs:
            by_key.setdefault(doc.customer_key, doc)
        created, failed = self._legacy_create_customers(by_key)
        for key, error in failed.items():
            same = Document.search([("import_id", "=", self.id), ("customer_key", "=", key),
                                    ("result", "=", "pending")])
            same.write({"status": "reject", "result": "rejected", "reason": self.env._("customer: %s", error)})
        if created:
            waiting = Document.search([("import_id", "=", self.id), ("customer_key", "in", list(created)),
                                       ("partner_id", "=", False)])
            by_partner = {}
            for doc in waiting:
                by_partner.setdefault(created[doc.customer_key], []).append(doc.id)
            for partner, doc_ids in by_partner.items():
                Document.browse(doc_ids).write({"partner_id": partner.id})
        self.customer_created_count += len(created)
        refs = {doc.customer_ref: doc.partner_id.id for doc in documents
                if doc.customer_ref and doc.partner_id and doc.customer_status != "ref"}
        Ref = self.env["crm.erp.legacy.ref"]
        known = Ref._legacy_lookup(self.company_id, self.source_system, "customer", refs)
        Ref.create([{
            "company_id": self.company_id.id, "source_system": self.source_system, "kind": "customer",
            "reference": ref, "res_model": "res.partner", "res_id": partner_id, "import_id": self.id,
        } for ref, partner_id in refs.items() if ref not in known])

    def _legacy_create_customers(self, docs_by_key):
        """Create the customers ``{customer key: document}`` from the documents' customer values:
        all in one batch, else (when one fails) one savepoint each. Returns ``({key: partner},
        {key: reason})``: a customer that cannot be created rejects its documents only."""
        keys = list(docs_by_key)
        if not keys:
            return {}, {}
        Partner = self.env["res.partner"]
        try:
            with self.env.cr.savepoint():
                partners = Partner.create([docs_by_key[key].customer_values for key in keys])
            return dict(zip(keys, partners, strict=True)), {}
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except (UserError, ValueError):  # find the bad one(s) below
            pass
        created, failed = {}, {}
        for key in keys:
            try:
                with self.env.cr.savepoint():
                    created[key] = Partner.create(docs_by_key[key].customer_values)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except (UserError, ValueError) as error:
                failed[key] = str(error)
        return created, failed

    def _legacy_finish(self):
        self.ensure_one()
        self.invalidate_recordset(["create_row_count", "link_row_count", "reject_row_count", "created_row_count"])
        self.write({"state": "done", "progress": 100.0, "summary": self.env._(
            "%(created)s rows created, %(linked)s rows imported before (linked), %(rejected)s rows rejected; "
            "%(customers)s customers created.",
            created=self.created_row_count, linked=self.link_row_count, rejected=self.reject_row_count,
            customers=self.customer_created_count)})

    @api.model
    def _cron_process_imports(self):
        """ir.cron entry point: one chunk of the oldest running import per call, with the rights
        of the user who started it; the cron runner commits between calls (resumable)."""
        job = self.sudo().search([("state", "=", "running")], order="id", limit=1)
        if not job:
            return
        job = job.with_user(job.user_id).with_company(job.company_id)
        try:
            with self.env.cr.savepoint():
                job._legacy_process_chunk()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as error:  # recorded on the job, which stops
            _logger.exception("Legacy import %s: chunk failed", job.id)
            job.sudo().write({"state": "failed", "failure_reason": str(error)})
        # the runner calls again in the same environment: memory stays flat over a large file
        self.env.invalidate_all()
        remaining = self.sudo().search_count([("state", "=", "running")])
        self.env["ir.cron"]._notify_progress(done=job.sudo().processed_count, remaining=remaining)

    # ------------------------------------------------------------------
    # Files to download
    # ------------------------------------------------------------------
    def action_download_template(self):
        """The empty template of this kind (a CSV file with the header and an example)."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/crm_erp_legacy_import/static/templates/legacy_{self.kind}.csv"}

    def _legacy_error_rows(self):
        """Rows of the error file: line, document reference, reason, then the row's cells."""
        for doc in self.document_ids.filtered(lambda d: d.result == "rejected" or d.status == "reject"):
            for row in doc.rows or []:
                reason = row.get("error") or self.env._("rejected with its document: %s", doc.reason)
                yield [row["line"], doc.document_ref or "", reason, *row["cells"]]

    def action_download_errors(self):
        """A CSV file of the rejected rows with the reason of each."""
        self.ensure_one()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([self.env._("Line"), self.env._("Document Reference"), self.env._("Reason"),
                         *(self.header or [])])
        writer.writerows(self._legacy_error_rows())
        self.write({"error_file": base64.b64encode(buffer.getvalue().encode("utf-8-sig")),
                    "error_filename": f"errors_{self.filename or self.kind}.csv".replace(".csv.csv", ".csv")})
        return {"type": "ir.actions.act_url", "target": "self",
                "url": f"/web/content/{self._name}/{self.id}/error_file/{self.error_filename}?download=true"}

    def _legacy_reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "current"}
