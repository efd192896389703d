import io

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from odoo import api, fields, models
from odoo.tools import SQL


class WarrantyCostReportXlsx(models.AbstractModel):
    """XLSX export of the warranty cost report.

    Sheets: claim cost lines, covered vs chargeable per month and, for warranty
    managers, provision vs actual per product. Totals are formulas so the workbook
    stays right when rows are filtered out or edited in Excel. Written with
    xlsxwriter's constant-memory mode: memory does not grow with the number of rows.
    Served by the ``/warranty_management/cost_report.xlsx`` route.
    """

    _name = "warranty.cost.report.xlsx"
    _description = "Warranty Cost Report (XLSX)"

    @api.model
    def _get_cost_domain(self, date_from=None, date_to=None):
        """Return the domain of the cost lines exported. Seam."""
        domain = [("company_id", "in", self.env.companies.ids)]
        if date_from:
            domain.append(("date", ">=", date_from))
        if date_to:
            domain.append(("date", "<=", date_to))
        return domain

    @api.model
    def _get_cost_columns(self):
        """Return ``[(header, SQL expression, format key, width)]`` of the cost sheet. Seam.

        Expressions read the cost line ``line``, its claim ``claim`` and the claim's
        customer ``partner``.
        """
        _ = self.env._
        return [
            (_("Date"), SQL("line.date"), "date", 11),
            (_("Claim"), SQL("claim.name"), "text", 14),
            (_("Customer"), SQL("partner.complete_name"), "text", 28),
            (_("Cost Type"), SQL("line.cost_type"), "cost_type", 16),
            (_("Description"), SQL("line.name"), "text", 32),
            (_("Quantity"), SQL("line.quantity"), "qty", 10),
            (_("Unit Cost"), SQL("line.unit_cost"), "money", 12),
            (_("Cost"), SQL("line.amount"), "money", 12),
            (_("Coverage (%)"), SQL("line.coverage_pct"), "pct", 12),
            (_("Covered"), SQL("line.covered_amount"), "money", 12),
            (_("Chargeable"), SQL("line.chargeable_amount"), "money", 12),
            (_("Provision Used"), SQL("line.provision_used_amount"), "money", 14),
            (_("Status"), SQL("line.state"), "state", 10),
        ]

    @api.model
    def _generate(self, date_from=None, date_to=None):
        """Return the XLSX file (bytes) of the cost report between the given dates."""
        self.env.flush_all()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
        formats = self._get_formats(workbook)
        self._write_cost_sheet(workbook, formats, date_from, date_to)
        self._write_month_sheet(workbook, formats, date_from, date_to)
        if self.env.user.has_group("warranty_management.group_warranty_manager"):
            self._write_provision_sheet(workbook, formats, date_from, date_to)
        workbook.close()
        return output.getvalue()

    @api.model
    def _get_formats(self, workbook):
        money = "#,##0.00"
        return {
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}),
            "text": workbook.add_format(),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "qty": workbook.add_format({"num_format": "#,##0.00"}),
            "money": workbook.add_format({"num_format": money}),
            "pct": workbook.add_format({"num_format": "0.00"}),
            "total_label": workbook.add_format({"bold": True, "top": 1}),
            "total": workbook.add_format({"bold": True, "top": 1, "num_format": money}),
        }

    @api.model
    def _write_header(self, sheet, formats, columns):
        for col, (header, _fname, _fmt, width) in enumerate(columns):
            sheet.set_column(col, col, width)
            sheet.write(0, col, header, formats["header"])
        sheet.freeze_panes(1, 0)

    @api.model
    def _write_totals(self, sheet, formats, row, columns, first_data_row, last_data_row, summed_keys=("money",)):
        """Write a total row of SUM formulas under the data rows (0-based rows)."""
        sheet.write(row, 0, self.env._("Total"), formats["total_label"])
        for col, (_header, _fname, fmt, _width) in enumerate(columns):
            if not col or fmt not in summed_keys:
                continue
            if last_data_row < first_data_row:
                sheet.write_number(row, col, 0.0, formats["total"])
                continue
            letter = xl_col_to_name(col)
            sheet.write_formula(
                row, col, f"=SUM({letter}{first_data_row + 1}:{letter}{last_data_row + 1})", formats["total"])

    @api.model
    def _write_cost_sheet(self, workbook, formats, date_from, date_to):
        sheet = workbook.add_worksheet(self.env._("Claim Costs"))
        columns = self._get_cost_columns()
        self._write_header(sheet, formats, columns)
        lines_model = self.env["warranty.claim.cost.line"]
        labels = {
            fname: dict(lines_model._fields[fname]._description_selection(self.env))
            for fname in ("cost_type", "state")
        }
        # record rules apply through _search; rows are streamed from the cursor in batches
        query = lines_model._search(self._get_cost_domain(date_from, date_to))
        self.env.cr.execute(SQL(
            """SELECT %(columns)s
                 FROM warranty_claim_cost_line line
                 JOIN warranty_claim claim ON claim.id = line.claim_id
                 JOIN res_partner partner ON partner.id = claim.partner_id
                WHERE line.id IN %(ids)s
             ORDER BY line.date, line.id""",
            columns=SQL(", ").join(expr for _h, expr, _f, _w in columns),
            ids=query.subselect(),
        ))
        row = 0
        while batch := self.env.cr.fetchmany(5000):
            for values in batch:
                row += 1
                for col, ((_header, _expr, fmt, _width), value) in enumerate(zip(columns, values, strict=True)):
                    if fmt == "date":
                        sheet.write_datetime(row, col, fields.Datetime.to_datetime(value), formats["date"])
                    elif fmt in ("money", "qty", "pct"):
                        sheet.write_number(row, col, value or 0.0, formats[fmt])
                    elif fmt in labels:
                        sheet.write_string(row, col, labels[fmt].get(value, value or ""), formats["text"])
                    else:
                        sheet.write_string(row, col, value or "", formats["text"])
        self._write_totals(sheet, formats, row + 1, columns, 1, row)
        return row

    @api.model
    def _write_month_sheet(self, workbook, formats, date_from, date_to):
        _ = self.env._
        sheet = workbook.add_worksheet(_("By Month"))
        columns = [
            (_("Month"), "date", "text", 16),
            (_("Covered"), "covered_amount", "money", 14),
            (_("Chargeable"), "chargeable_amount", "money", 14),
            (_("Total"), "amount", "money", 14),
        ]
        self._write_header(sheet, formats, columns)
        groups = self.env["warranty.claim.cost.line"]._read_group(
            self._get_cost_domain(date_from, date_to), ["date:month"],
            ["covered_amount:sum", "chargeable_amount:sum"], order="date:month")
        row = 0
        for row, (month, covered, chargeable) in enumerate(groups, start=1):
            sheet.write_string(row, 0, month.strftime("%Y-%m"), formats["text"])
            sheet.write_number(row, 1, covered, formats["money"])
            sheet.write_number(row, 2, chargeable, formats["money"])
            sheet.write_formula(row, 3, f"=B{row + 1}+C{row + 1}", formats["money"], covered + chargeable)
        self._write_totals(sheet, formats, row + 1, columns, 1, row)

    @api.model
    def _write_provision_sheet(self, workbook, formats, date_from, date_to):
        _ = self.env._
        sheet = workbook.add_worksheet(_("Provision vs Actual"))
        columns = [
            (_("Product"), "product_id", "text", 32),
            (_("Accrued"), "amount_accrued", "money", 14),
            (_("Used"), "amount_used", "money", 14),
            (_("Released"), "amount_released", "money", 14),
            (_("Balance"), "balance", "money", 14),
            (_("Actual Covered Cost"), "amount_actual", "money", 18),
        ]
        self._write_header(sheet, formats, columns)
        domain = [("company_id", "in", self.env.companies.ids)]
        if date_from:
            domain.append(("date", ">=", date_from))
        if date_to:
            domain.append(("date", "<=", date_to))
        groups = self.env["warranty.provision.report"]._read_group(
            domain, ["product_id"],
            ["amount_accrued:sum", "amount_used:sum", "amount_released:sum", "amount_actual:sum"])
        row = 0
        for row, (product, accrued, used, released, actual) in enumerate(groups, start=1):
            sheet.write_string(row, 0, product.display_name, formats["text"])
            sheet.write_number(row, 1, accrued, formats["money"])
            sheet.write_number(row, 2, used, formats["money"])
            sheet.write_number(row, 3, released, formats["money"])
            sheet.write_formula(row, 4, f"=B{row + 1}-C{row + 1}-D{row + 1}", formats["money"],
                                accrued - used - released)
            sheet.write_number(row, 5, actual, formats["money"])
        self._write_totals(sheet, formats, row + 1, columns, 1, row)
