import contextlib
import os
import tempfile

import xlsxwriter

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class CrmErpReportXlsx(models.AbstractModel):
    """XLSX exports of the management reports (xlsxwriter, constant-memory mode).

    Served by the route ``/crm_erp_bridge/report/xlsx/<key>`` (see ``controllers/``), ``key`` being
    ``customer``, ``forecast`` or ``capacity``. Every figure is read through the ORM as the
    requesting user (``_read_group`` for summaries, ``_search`` for document rows), so record rules
    and companies apply exactly as on screen. Summary sheets hold one row per group with totals as
    formulas (with their cached values, so readers without a calculation engine see them too);
    document sheets list the rows behind them, one sheet per component.
    """

    _name = "crm.erp.report.xlsx"
    _description = "CRM-ERP Management Report XLSX Export"

    # ------------------------------------------------------------------
    # Seams
    # ------------------------------------------------------------------
    @api.model
    def _xlsx_reports(self):
        """Map of export keys to (report model, builder method name). Extend to add exports."""
        return {
            "customer": ("crm.erp.customer.report", "_xlsx_build_customer"),
            "forecast": ("crm.erp.forecast.report", "_xlsx_build_forecast"),
            "capacity": ("crm.erp.capacity.report", "_xlsx_build_capacity"),
        }

    @api.model
    def _xlsx_number_formats(self):
        """Number formats used in the workbooks."""
        return {
            "money": "#,##0.00",
            "qty": "#,##0.00",
            "rate": "0.00%",
            "date": "yyyy-mm-dd",
            "month": "mmm yyyy",
        }

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------
    @api.model
    def _export_xlsx(self, key, domain=None):
        """Build the workbook of report ``key`` restricted to ``domain``, as the current user.

        Private (not callable over RPC): the download route is the way in. The workbook is built
        in a private temporary directory (constant-memory mode writes row data to disk), removed
        whatever happens, so a failing build leaves no file behind.

        :returns: (file name, content of the workbook as bytes)
        """
        reports = self._xlsx_reports()
        if key not in reports:
            raise UserError(self.env._("Unknown report export: %s", key))
        if domain is not None and not isinstance(domain, list):
            raise UserError(self.env._("The export filter must be a list (a domain)."))
        model_name, builder = reports[key]
        report = self.env[model_name]
        report.check_access("read")
        with tempfile.TemporaryDirectory(prefix="crm_erp_xlsx_") as tmpdir:
            path = os.path.join(tmpdir, f"{key}_report.xlsx")
            workbook = xlsxwriter.Workbook(
                path,
                {
                    "constant_memory": True,
                    "tmpdir": tmpdir,
                    "default_date_format": self._xlsx_number_formats()["date"],
                },
            )
            try:
                styles = self._xlsx_styles(workbook)
                getattr(self, builder)(workbook, styles, report, list(domain or []))
            except Exception:
                # release the row files of the half-built workbook; the directory goes anyway
                with contextlib.suppress(Exception):
                    workbook.close()
                raise
            workbook.close()
            with open(path, "rb") as handle:
                content = handle.read()
        return f"{key}_report.xlsx", content

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _xlsx_styles(self, workbook):
        formats = self._xlsx_number_formats()
        return {
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "text": workbook.add_format({}),
            "money": workbook.add_format({"num_format": formats["money"]}),
            "qty": workbook.add_format({"num_format": formats["qty"]}),
            "rate": workbook.add_format({"num_format": formats["rate"]}),
            "date": workbook.add_format({"num_format": formats["date"]}),
            "month": workbook.add_format({"num_format": formats["month"]}),
            "total_label": workbook.add_format({"bold": True, "top": 1}),
            "total_money": workbook.add_format({"bold": True, "top": 1, "num_format": formats["money"]}),
            "total_qty": workbook.add_format({"bold": True, "top": 1, "num_format": formats["qty"]}),
        }

    def _xlsx_sheet(self, workbook, styles, title, headers, widths):
        sheet = workbook.add_worksheet(title[:31])
        for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, header, styles["header"])
        sheet.freeze_panes(1, 0)
        return sheet

    def _xlsx_totals(self, sheet, styles, row, first_col, sums, kind="money"):
        """Write a total row at ``row``: SUM formulas over rows 2..row of each column from
        ``first_col``, cached with the python ``sums``."""
        sheet.write_string(row, 0, self.env._("Total"), styles["total_label"])
        for offset, value in enumerate(sums):
            col = first_col + offset
            letter = xlsxwriter.utility.xl_col_to_name(col)
            sheet.write_formula(
                row, col, f"=SUM({letter}2:{letter}{max(row, 2)})", styles[f"total_{kind}"], value
            )

    def _xlsx_summary(self, workbook, styles, report, domain, title, groupby, measures, kind="money",
                      formula_total=None):
        """Sheet with one row per group of ``groupby`` (``_read_group``) and a column per measure.

        ``formula_total`` = (label, [measure names]) adds a column summing those measures with a
        row formula. Returns (sheet, number of data rows)."""
        fields = report._fields
        group_labels = [
            self.env._("Month") if spec.endswith(":month") else fields[spec].string for spec in groupby
        ]
        headers = group_labels + [fields[m].string for m in measures]
        if formula_total:
            headers.append(formula_total[0])
        widths = [30 if not spec.endswith(":month") else 12 for spec in groupby]
        widths += [18] * (len(headers) - len(groupby))
        sheet = self._xlsx_sheet(workbook, styles, title, headers, widths)
        groups = report._read_group(
            domain, groupby, [f"{m}:sum" for m in measures], order=", ".join(groupby)
        )
        ncol = len(groupby)
        sums = [0.0] * (len(measures) + (1 if formula_total else 0))
        row = 0
        for row, values in enumerate(groups, start=1):
            for col, value in enumerate(values[:ncol]):
                if groupby[col].endswith(":month"):
                    if value:
                        sheet.write_datetime(row, col, value, styles["month"])
                else:
                    sheet.write_string(row, col, value.display_name if value else "", styles["text"])
            for offset, value in enumerate(values[ncol:]):
                sheet.write_number(row, ncol + offset, value or 0.0, styles[kind])
                sums[offset] += value or 0.0
            if formula_total:
                cols = [ncol + measures.index(m) for m in formula_total[1]]
                cells = "+".join(f"{xlsxwriter.utility.xl_col_to_name(c)}{row + 1}" for c in cols)
                value = sum(values[ncol + measures.index(m)] or 0.0 for m in formula_total[1])
                sheet.write_formula(row, ncol + len(measures), f"={cells}", styles[kind], value)
                sums[-1] += value
        self._xlsx_totals(sheet, styles, len(groups) + 1, ncol, sums, kind)
        return sheet, len(groups)

    def _xlsx_document_rows(self, report, domain, columns):
        """Rows of ``report`` matching ``domain`` as the current user (record rules applied), with
        partner, team, salesperson, company and currency names joined in the same query.

        ``columns`` are column names of the report view. Yields tuples
        (columns..., partner, team, salesperson, company, currency)."""
        query = report._search(domain, order="date, id")
        table = report._table
        lang = self.env.lang or "en_US"
        partner = query.left_join(table, "partner_id", "res_partner", "id", "partner")
        team = query.left_join(table, "team_id", "crm_team", "id", "team")
        user = query.left_join(table, "user_id", "res_users", "id", "user")
        user_partner = query.left_join(user, "partner_id", "res_partner", "id", "partner")
        company = query.left_join(table, "company_id", "res_company", "id", "company")
        currency = query.left_join(table, "currency_id", "res_currency", "id", "currency")
        select = [SQL.identifier(table, col) for col in columns] + [
            SQL("COALESCE(%s, '')", SQL.identifier(partner, "complete_name")),
            SQL("COALESCE(%s->>%s, %s->>'en_US', '')", SQL.identifier(team, "name"), lang,
                SQL.identifier(team, "name")),
            SQL("COALESCE(%s, '')", SQL.identifier(user_partner, "name")),
            SQL("COALESCE(%s, '')", SQL.identifier(company, "name")),
            SQL("COALESCE(%s, '')", SQL.identifier(currency, "name")),
        ]
        cr = self.env.cr
        cr.execute(query.select(*select))
        while rows := cr.fetchmany(2000):
            yield from rows

    def _xlsx_document_sheet(self, workbook, styles, report, domain, title, measures, kind="money",
                             extra=()):
        """One sheet of document rows: date, document, customer, team, salesperson, company,
        currency, ``extra`` (column name, label, format) then ``measures``; totals as formulas."""
        fields = report._fields
        headers = [
            self.env._("Date"),
            self.env._("Document"),
            self.env._("Customer"),
            self.env._("Sales Team"),
            self.env._("Salesperson"),
            self.env._("Company"),
            self.env._("Currency"),
        ]
        headers += [label for __, label, __ in extra] + [fields[m].string for m in measures]
        widths = [12, 22, 30, 18, 20, 18, 9] + [14] * len(extra) + [16] * len(measures)
        sheet = self._xlsx_sheet(workbook, styles, title, headers, widths)
        columns = ["date", "name"] + [col for col, __, __ in extra] + list(measures)
        nextra = len(extra)
        first_measure = 7 + nextra
        sums = [0.0] * len(measures)
        row = 0
        for row, values in enumerate(self._xlsx_document_rows(report, domain, columns), start=1):
            date, name = values[0], values[1]
            extras = values[2:2 + nextra]
            amounts = values[2 + nextra:2 + nextra + len(measures)]
            names = values[2 + nextra + len(measures):]
            if date:
                sheet.write_datetime(row, 0, date, styles["date"])
            sheet.write_string(row, 1, name or "")
            for col, text in enumerate(names, start=2):
                sheet.write_string(row, col, text)
            for offset, (value, (__, __, fmt)) in enumerate(zip(extras, extra, strict=True)):
                if value is not None:
                    if isinstance(value, (int, float)):
                        sheet.write_number(row, 7 + offset, value, styles[fmt])
                    else:
                        sheet.write_string(row, 7 + offset, str(value), styles[fmt])
            for offset, value in enumerate(amounts):
                value = float(value or 0.0)
                sheet.write_number(row, first_measure + offset, value, styles[kind])
                sums[offset] += value
        self._xlsx_totals(sheet, styles, row + 1, first_measure, sums, kind)
        return sheet

    # ------------------------------------------------------------------
    # Builders
    # ------------------------------------------------------------------
    def _xlsx_build_customer(self, workbook, styles, report, domain):
        """Summaries by customer and by month with every measure of the report's registry
        (``_report_measures``, so a measure added by another addon gets its column), then one
        document sheet per source with the measures of ``_report_source_measures``."""
        measures = list(report._report_measures())
        self._xlsx_summary(workbook, styles, report, domain, self.env._("By Customer"), ["partner_id"], measures)
        self._xlsx_summary(workbook, styles, report, domain, self.env._("By Month"), ["date:month"], measures)
        source_measures = report._report_source_measures()
        selection = dict(report._fields["source"]._description_selection(self.env))
        for source, label in selection.items():
            self._xlsx_document_sheet(
                workbook, styles, report, domain + [("source", "=", source)], label,
                source_measures.get(source, measures),
            )

    def _xlsx_build_forecast(self, workbook, styles, report, domain):
        components = ["pipeline_amount", "quotation_amount", "backlog_amount"]
        if report._has_recurring_revenue_source():
            components.append("recurring_amount")
        measures = components + ["cash_in_amount"]
        sheet, nrows = self._xlsx_summary(
            workbook, styles, report, domain, self.env._("Forecast"), ["date:month"], measures,
            formula_total=(report._fields["revenue_amount"].string, components),
        )
        if nrows:
            self._xlsx_forecast_chart(workbook, sheet, report, nrows, len(components))
        selection = dict(report._fields["component"]._description_selection(self.env))
        for component, measure in [
            ("pipeline", "pipeline_amount"),
            ("quotation", "quotation_amount"),
            ("backlog", "backlog_amount"),
            ("recurring", "recurring_amount"),
            ("cash_in", "cash_in_amount"),
        ]:
            if measure not in measures:
                continue
            extra = ()
            if component == "quotation":
                extra = (("conversion_rate", report._fields["conversion_rate"].string, "rate"),)
            elif component == "cash_in":
                extra = (("days_to_pay", report._fields["days_to_pay"].string, "qty"),)
            self._xlsx_document_sheet(
                workbook, styles, report, domain + [("component", "=", component)],
                selection[component], [measure], extra=extra,
            )

    def _xlsx_forecast_chart(self, workbook, sheet, report, nrows, ncomponents):
        """Stacked columns of the revenue components by month, cash-in as a line."""
        chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
        name = sheet.get_name()
        last = nrows  # data rows are 1..nrows (0-based)
        for col in range(1, ncomponents + 1):
            chart.add_series({
                "name": [name, 0, col],
                "categories": [name, 1, 0, last, 0],
                "values": [name, 1, col, last, col],
            })
        cash = workbook.add_chart({"type": "line"})
        cash.add_series({
            "name": [name, 0, ncomponents + 1],
            "categories": [name, 1, 0, last, 0],
            "values": [name, 1, ncomponents + 1, last, ncomponents + 1],
        })
        chart.combine(cash)
        chart.set_title({"name": self.env._("Revenue forecast by month")})
        chart.set_x_axis({"date_axis": False, "num_format": self._xlsx_number_formats()["month"]})
        chart.set_size({"width": 900, "height": 420})
        sheet.insert_chart(1, ncomponents + 4, chart)

    def _xlsx_build_capacity(self, workbook, styles, report, domain):
        measures = ["backlog_qty", "pipeline_qty", "total_qty"]
        lines = domain + [("component", "!=", "opportunity")]
        self._xlsx_summary(
            workbook, styles, report, lines, self.env._("By Product"), ["product_id", "date:month"], measures, "qty"
        )
        self._xlsx_summary(
            workbook, styles, report, lines, self.env._("By Category"), ["categ_id", "date:month"], measures, "qty"
        )
        self._xlsx_summary(
            workbook, styles, report, domain + [("component", "=", "opportunity")],
            report._fields["pipeline_amount"].string, ["team_id", "date:month"], ["pipeline_amount"],
        )
        selection = dict(report._fields["component"]._description_selection(self.env))
        for component, measure in [("backlog", "backlog_qty"), ("pipeline", "pipeline_qty")]:
            self._xlsx_document_sheet(
                workbook, styles, report, domain + [("component", "=", component)],
                selection[component], [measure], kind="qty",
            )
