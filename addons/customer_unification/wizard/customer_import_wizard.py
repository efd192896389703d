import base64
import binascii
import csv
import io
import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import email_normalize

_logger = logging.getLogger(__name__)

#: defaults of the ir.config_parameter limits of an imported file
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 100000

# importable fields of res.partner and the header names other systems use for them
IMPORT_FIELDS = {
    "name": ("name", "company name", "customer", "customer name", "account name", "ragione sociale", "nome"),
    "email": ("email", "e-mail", "mail", "email address", "posta elettronica"),
    "phone": ("phone", "telephone", "tel", "phone number", "telefono"),
    "mobile": ("mobile", "cell", "cellphone", "mobile phone", "cellulare"),
    "vat": ("vat", "vat number", "tax id", "partita iva", "p.iva", "piva"),
    "company_registry": ("company registry", "registration number", "codice fiscale"),
    "street": ("street", "address", "address line 1", "indirizzo", "via"),
    "street2": ("street2", "address line 2"),
    "zip": ("zip", "postcode", "postal code", "cap"),
    "city": ("city", "town", "città", "citta", "comune"),
    "country_id": ("country", "country code", "nazione", "paese"),
    "website": ("website", "web", "url", "sito"),
    "ref": ("ref", "reference", "external id", "customer id", "id", "codice cliente"),
    "is_company": ("is company", "company", "type"),
}


class CustomerImportWizard(models.TransientModel):
    """Import customers from another system without creating duplicates."""

    _name = "customer.import.wizard"
    _description = "Customer Import"

    state = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview"), ("done", "Done")], default="upload", required=True)
    file = fields.Binary(required=True)
    filename = fields.Char()
    delimiter = fields.Char(default=",", size=1, help="CSV only.")
    default_is_company = fields.Boolean(
        "Rows Are Companies", default=True, help="Used when no column tells companies from individuals.")
    update_matches = fields.Boolean(
        "Complete Matched Customers", default=True,
        help="Fill the empty fields of a matched customer from the file; a value is never overwritten.")
    mapping_ids = fields.One2many("customer.import.mapping", "wizard_id", "Column Mapping")
    line_ids = fields.One2many("customer.import.line", "wizard_id", "Rows")
    match_count = fields.Integer(compute="_compute_counts")
    new_count = fields.Integer(compute="_compute_counts")
    error_count = fields.Integer(compute="_compute_counts")
    summary = fields.Text(readonly=True)

    @api.depends("line_ids.status")
    def _compute_counts(self):
        for wizard in self:
            statuses = wizard.line_ids.mapped("status")
            wizard.match_count = statuses.count("match")
            wizard.new_count = statuses.count("new")
            wizard.error_count = statuses.count("error")

    # ------------------------------------------------------------------
    # Reading the file
    # ------------------------------------------------------------------
    @api.model
    def _import_limits(self):
        """``(max_bytes, max_rows)`` of an imported file, from the system parameters
        ``customer_unification.import_max_bytes`` and ``customer_unification.import_max_rows``."""
        params = self.env["ir.config_parameter"].sudo()

        def read(key, default):
            try:
                value = int(params.get_param(key, default))
            except (TypeError, ValueError):
                return default
            return value if value > 0 else default

        return (read("customer_unification.import_max_bytes", DEFAULT_MAX_BYTES),
                read("customer_unification.import_max_rows", DEFAULT_MAX_ROWS))

    def _read_rows(self):
        """Rows of the file as lists of strings, the header first.

        Raises a UserError for a file that is too big, has too many rows or
        cannot be read; never a raw parser error.
        """
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose a CSV or XLSX file to import."))
        max_bytes, max_rows = self._import_limits()
        try:
            data = base64.b64decode(self.file, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(self.env._("The uploaded file is damaged; upload it again.")) from error
        if len(data) > max_bytes:
            raise UserError(self.env._(
                "The file is too large (%(size)s MB); the limit is %(limit)s MB. Split it into smaller files.",
                size=round(len(data) / 1048576, 1), limit=round(max_bytes / 1048576, 1)))
        if (self.filename or "").lower().endswith((".xlsx", ".xlsm")):
            rows = self._read_xlsx(data, max_rows)
        else:
            rows = self._read_csv(data, max_rows)
        return rows

    def _too_many_rows(self, max_rows):
        return UserError(self.env._(
            "The file has more than %s rows; split it into smaller files.", max_rows))

    @api.model
    def _decode_csv(self, data):
        """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252."""
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise UserError(self.env._(
            "The file is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8 and try again."))

    def _read_csv(self, data, max_rows=DEFAULT_MAX_ROWS):
        text = self._decode_csv(data)
        if "\x00" in text:
            raise UserError(self.env._("This file is not a CSV text file (it contains binary data)."))
        try:
            # strict: an unterminated quote must not silently swallow the rest of the file into one cell
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter or ",", strict=True)
        except (TypeError, ValueError, csv.Error) as error:
            raise UserError(self.env._("The delimiter %r cannot be used; use one character such as , or ;.",
                                       self.delimiter)) from error
        rows = []
        try:
            for row in reader:
                if len(rows) > max_rows:  # the header is not counted
                    raise self._too_many_rows(max_rows)
                rows.append([cell.strip() for cell in row])
        except csv.Error as error:
            raise UserError(self.env._(
                "The file is not valid CSV near line %(line)s: %(error)s",
                line=reader.line_num, error=str(error))) from error
        return rows

    def _read_xlsx(self, data, max_rows=DEFAULT_MAX_ROWS):
        import openpyxl
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                if len(rows) > max_rows:
                    raise self._too_many_rows(max_rows)
                rows.append(["" if cell is None else str(cell).strip() for cell in row])
        except UserError:
            raise
        except Exception as error:  # openpyxl/zipfile raise many kinds of errors
            raise UserError(self.env._("This file is not a readable XLSX spreadsheet: %s", error)) from error
        return rows

    @api.model
    def _guess_field(self, header):
        """Field of res.partner a column header stands for, or False (seam)."""
        key = (header or "").strip().lower().replace("_", " ")
        for fname, names in IMPORT_FIELDS.items():
            if key == fname.replace("_", " ") or key in names:
                return fname
        return False

    def action_load(self):
        """Read the header and propose a column mapping."""
        self.ensure_one()
        rows = self._read_rows()
        if not rows:
            raise UserError(self.env._("The file is empty."))
        used = set()
        mappings = []
        for index, header in enumerate(rows[0]):
            fname = self._guess_field(header)
            if fname in used:
                fname = False
            used.add(fname)
            mappings.append(Command.create({"column_index": index, "column_name": header or f"#{index + 1}",
                                            "field_name": fname}))
        self.mapping_ids = [Command.clear()] + mappings
        return self.action_preview()

    # ------------------------------------------------------------------
    # Preview: validate every row, then match it
    # ------------------------------------------------------------------
    def _row_values(self, row):
        """Partner values of one row according to the mapping; raises ValueError."""
        values = {}
        for mapping in self.mapping_ids.filtered("field_name"):
            raw = row[mapping.column_index] if mapping.column_index < len(row) else ""
            if raw:
                values[mapping.field_name] = raw
        values = self._clean_values(values)
        values.setdefault("is_company", self.default_is_company)
        return values

    @api.model
    def _clean_values(self, values):
        """Validate and convert raw strings (seam); raises ValueError with the reason."""
        if not values.get("name"):
            raise ValueError(self.env._("the name is missing"))
        if values.get("email"):
            normalized = email_normalize(values["email"])
            if not normalized:
                raise ValueError(self.env._("the e-mail address %s is not valid", values["email"]))
            values["email"] = normalized
        if values.get("country_id"):
            country = self._find_country(values["country_id"])
            if not country:
                raise ValueError(self.env._("the country %s is unknown", values["country_id"]))
            values["country_id"] = country.id
        if "is_company" in values:
            values["is_company"] = values["is_company"].strip().lower() in (
                "1", "true", "yes", "y", "x", "company", "sì", "si")
        return values

    @api.model
    def _find_country(self, value):
        value = value.strip()
        Country = self.env["res.country"]
        if len(value) == 2:
            country = Country.search([("code", "=ilike", value)], limit=1)
            if country:
                return country
        return Country.search([("name", "=ilike", value)], limit=1)

    @api.model
    def _match_values(self, values):
        """Best existing customer for these values: (partner, score, reason).

        Uses the matcher of this addon when present; otherwise an exact match on
        the normalized e-mail or VAT. Only customers the user may read are
        proposed; raises ValueError when the only match is one the user cannot read.
        """
        Partner = self.env["res.partner"]
        if hasattr(Partner, "_find_duplicate_candidates"):
            record = Partner.new(values)
            matches = record._find_duplicate_candidates(limit=5).get(record.id) or []
            visible, hidden = Partner._cu_visible_matches(matches)
            if hidden and not visible:
                raise ValueError(self.env._("it matches a customer of a company you cannot access"))
            if visible:
                match = visible[0]
                reason = ", ".join(
                    f"{line['label']} ({line['level']})" if line.get("level")
                    else f"{line['label']} {round(line['contribution'] * 100)}%"
                    for line in match["explanation"] if line.get("contribution", 0) > 0)
                return match["partner"], match["score"], reason
            return Partner, 0.0, ""
        for fname, label in (("email", self.env._("same e-mail")), ("vat", self.env._("same VAT"))):
            if values.get(fname):
                value = values[fname].replace(" ", "") if fname == "vat" else values[fname]
                partner = Partner.search([(fname, "=ilike", value)], limit=1)
                if partner:
                    return partner, 1.0, label
        return Partner, 0.0, ""

    def action_preview(self):
        """Validate every row and tell for each: matches X / new / error."""
        self.ensure_one()
        rows = self._read_rows()[1:]
        if not self.mapping_ids.filtered(lambda m: m.field_name == "name"):
            raise UserError(self.env._("Map one column to the customer name."))
        lines = []
        seen = {}
        for number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            vals = {"line_number": number, "raw_values": row}
            try:
                values = self._row_values(row)
                partner, score, reason = self._match_values(values)
            except (ValueError, UserError) as error:
                lines.append(Command.create(dict(vals, status="error", reason=str(error))))
                continue
            vals["values"] = values
            vals["name"] = values["name"]
            key = values.get("email") or values.get("vat")
            if partner:
                vals.update(status="match", partner_id=partner.id, score=score, reason=reason)
            elif key and key in seen:
                vals.update(status="error", reason=self.env._("same customer as line %s of the file", seen[key]))
            else:
                vals.update(status="new")
            if key:
                seen.setdefault(key, number)
            lines.append(Command.create(vals))
        self.write({"line_ids": [Command.clear()] + lines, "state": "preview"})
        return self._reopen()

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------
    def action_import(self):
        """Create new customers and complete matched ones, row by row in savepoints:
        a bad row is reported with its line number and leaves nothing behind."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("This file has already been imported."))
        if self.state != "preview":
            self.action_preview()
        created = updated = 0
        for line in self.line_ids.filtered(lambda ln: ln.status in ("match", "new") and not ln.result):
            try:
                with self.env.cr.savepoint():
                    updated, created = self._import_line(line, updated, created)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except (UserError, ValueError) as error:
                line.write({"status": "error", "reason": str(error), "result": False})
            except Exception as error:  # one bad row must not stop the import
                _logger.exception("Customer import: line %s rejected", line.line_number)
                line.write({"status": "error", "result": False,
                            "reason": self.env._("unexpected error: %s", error)})
        errors = self.line_ids.filtered(lambda ln: ln.status == "error")
        self.summary = self.env._(
            "%(created)s customers created, %(updated)s matched customers completed, %(linked)s linked, "
            "%(errors)s rows rejected.",
            created=created, updated=updated, errors=len(errors),
            linked=len(self.line_ids.filtered(lambda ln: ln.status == "match" and ln.result == "done")) - updated)
        self.state = "done"
        return self._reopen()

    def _import_line(self, line, updated, created):
        """Import one row (in the caller's savepoint); return the new ``(updated, created)`` counters."""
        if line.status == "match":
            updated += line._apply_to_match(self.update_matches)
        else:
            line.partner_id = self.env["res.partner"].create(line.values)
            created += 1
        line.result = "done"
        return updated, created

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
