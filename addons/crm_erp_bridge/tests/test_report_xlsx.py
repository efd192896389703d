import io
import json
import os
import tempfile
import zipfile
from unittest.mock import patch

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .report_common import CrmErpReportCommon


@tagged("post_install", "-at_install")
class TestReportXlsx(CrmErpReportCommon):

    def _export(self, key, domain, user=None):
        env = self.env(
            user=user or self.salesperson_a,
            context=dict(self.env.context, allowed_company_ids=self.company_a.ids),
        )
        exporter = env["crm.erp.report.xlsx"]
        filename, content = exporter._export_xlsx(key, domain)
        self.assertEqual(filename, f"{key}_report.xlsx")
        return content

    def _workbooks(self, content):
        return (
            openpyxl.load_workbook(io.BytesIO(content), data_only=True),
            openpyxl.load_workbook(io.BytesIO(content)),
        )

    def _domain(self):
        return [("partner_id", "in", (self.customer_a | self.customer_b).ids), ("company_id", "=", self.company_a.id)]

    def _sheet_rows(self, sheet):
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        return rows[:-1], rows[-1]

    def test_forecast_sheet_equals_screen_figures(self):
        content = self._export("forecast", self._domain())
        values, formulas = self._workbooks(content)
        report = self.env["crm.erp.forecast.report"].with_user(self.salesperson_a)
        # no recurring source in Community: no recurring column
        measures = ["pipeline_amount", "quotation_amount", "backlog_amount", "cash_in_amount"]
        groups = report._read_group(
            self._domain(), ["date:month"], [f"{m}:sum" for m in measures + ["revenue_amount"]],
            order="date:month",
        )
        rows, total = self._sheet_rows(values["Forecast"])
        self.assertEqual(len(rows), len(groups))
        for row, (month, *amounts) in zip(rows, groups, strict=True):
            self.assertEqual(row[0].date(), month)
            # sheet columns: month, 3 components, cash-in, revenue (formula)
            expected = amounts
            got = [row[1], row[2], row[3], row[4], row[5]]
            self.assertEqual([round(v, 2) for v in got], [round(v, 2) for v in expected])
        self.assertEqual(total[0], "Total")
        self.assertAlmostEqual(total[5], sum(g[5] for g in groups), 2)
        self.assertAlmostEqual(total[4], sum(g[4] for g in groups), 2)
        sheet = formulas["Forecast"]
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet.cell(2, 6).value, "=B2+C2+D2")
        self.assertTrue(sheet.cell(len(rows) + 2, 2).value.startswith("=SUM(B2:B"))
        self.assertEqual(sheet.cell(2, 2).number_format, "#,##0.00")
        self.assertIn("xl/charts/chart1.xml", zipfile.ZipFile(io.BytesIO(content)).namelist())

    def test_forecast_component_sheets_list_documents(self):
        values, __ = self._workbooks(self._export("forecast", self._domain()))
        self.assertEqual(
            values.sheetnames, ["Forecast", "Pipeline", "Quotations", "Backlog", "Cash-in"]
        )
        rows, total = self._sheet_rows(values["Cash-in"])
        by_name = {row[1]: row[-1] for row in rows}
        self.assertEqual(by_name, {
            self.inv_partial.name: 250.0, self.refund.name: -100.0, self.inv_recent.name: 200.0,
            self.inv_b.name: 300.0,
        })
        self.assertAlmostEqual(total[-1], 650.0, 2)
        rows, __ = self._sheet_rows(values["Quotations"])
        self.assertEqual([(r[1], r[2], r[7], r[8]) for r in rows],
                         [(self.quote_eur.name, self.customer_a.name, 0.5, 500.0)])

    def test_customer_export_equals_screen_figures(self):
        values, __ = self._workbooks(self._export("customer", self._domain()))
        report = self.env["crm.erp.customer.report"].with_user(self.salesperson_a)
        # one column per measure of the registry (addons above the bridge may add some)
        measures = list(report._report_measures())
        groups = report._read_group(self._domain(), ["partner_id"], [f"{m}:sum" for m in measures])
        screen = {partner.display_name: [round(v, 2) for v in amounts] for partner, *amounts in groups}
        header = [cell.value for cell in values["By Customer"][1]]
        self.assertEqual(header[1:], [report._fields[m].string for m in measures])
        rows, __ = self._sheet_rows(values["By Customer"])
        sheet = {row[0]: [round(v, 2) for v in row[1:]] for row in rows}
        self.assertEqual(sheet, screen)
        bridge = dict(zip(measures, sheet[self.customer_a.display_name], strict=True))
        self.assertEqual(
            [bridge[m] for m in ("pipeline_amount", "quotation_amount", "ordered_amount", "invoiced_amount",
                                 "paid_amount", "overdue_amount", "margin_amount")],
            [4000.0, 1000.0, 500.0, 800.0, 450.0, 150.0, 650.0],
        )
        # one document sheet per source, sources added by other addons included
        selection = report._fields["source"]._description_selection(self.env)
        self.assertEqual(values.sheetnames, ["By Customer", "By Month", *(label for __, label in selection)])
        self.assertEqual(values.sheetnames[2:6], ["Opportunity", "Quotation", "Sales Order", "Invoice"])

    def test_capacity_export_by_category(self):
        values, __ = self._workbooks(self._export("capacity", [("categ_id", "=", self.category.id)]))
        rows, total = self._sheet_rows(values["By Category"])
        got = sorted((row[1].date(), row[2], row[3], row[4]) for row in rows)
        self.assertEqual(got, sorted([
            (self._month(self._days(45)), 10.0, 0.0, 10.0),
            (self._month(self._days(30)), 0.0, 12.0, 12.0),
        ]))
        self.assertEqual(total[2:5], (10.0, 12.0, 22.0))

    def test_export_respects_team_rules(self):
        values, __ = self._workbooks(self._export("forecast", self._domain(), user=self.salesperson_b))
        rows, __ = self._sheet_rows(values["Pipeline"])
        self.assertEqual([row[1] for row in rows], [self.opp_team_b.name])

    def test_user_without_bridge_group_cannot_export(self):
        with self.assertRaises(AccessError):
            self.env["crm.erp.report.xlsx"].with_user(self.internal_user)._export_xlsx("forecast")

    def test_unknown_export_refused(self):
        with self.assertRaises(UserError):
            self.env["crm.erp.report.xlsx"].with_user(self.salesperson_a)._export_xlsx("nope")

    def test_domain_must_be_a_list(self):
        with self.assertRaises(UserError):
            self.env["crm.erp.report.xlsx"].with_user(self.salesperson_a)._export_xlsx(
                "forecast", json.loads('{"a": 1}')
            )

    def test_failed_build_leaves_no_temporary_file(self):
        """A builder raising half-way: the error reaches the caller, no file stays on disk."""
        exporter = self.env["crm.erp.report.xlsx"].with_user(self.salesperson_a)

        def broken_builder(self_, workbook, styles, report, domain):
            sheet = workbook.add_worksheet("Half")
            sheet.write_row(0, 0, ["written", "before", "the", "failure"])
            raise ValueError("builder failed")

        with tempfile.TemporaryDirectory() as tmpdir:
            with (
                patch.object(tempfile, "tempdir", tmpdir),
                patch.object(type(exporter), "_xlsx_build_forecast", broken_builder),
                self.assertRaisesRegex(ValueError, "builder failed"),
            ):
                exporter._export_xlsx("forecast")
            self.assertEqual(os.listdir(tmpdir), [])

    def test_successful_build_leaves_no_temporary_file(self):
        with tempfile.TemporaryDirectory() as tmpdir:
            with patch.object(tempfile, "tempdir", tmpdir):
                content = self._export("capacity", [])
            self.assertEqual(os.listdir(tmpdir), [])
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(content)))


@tagged("post_install", "-at_install")
class TestReportXlsxRpc(HttpCase):
    """The export is reached through the download route only, never by RPC (issue 9)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, login="xlsx_rpc_salesman", groups="sales_team.group_sale_salesman")
        cls.internal = new_test_user(cls.env, login="xlsx_rpc_internal", groups="base.group_user")

    def _call_kw(self, method, args):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": "crm.erp.report.xlsx", "method": method, "args": args, "kwargs": {},
        })

    def test_export_not_callable_over_rpc(self):
        self.authenticate("xlsx_rpc_salesman", "xlsx_rpc_salesman")
        for method in ("export_xlsx", "_export_xlsx"):
            with self.subTest(method=method), self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
                self._call_kw(method, ["forecast"])

    def test_route_refuses_user_without_report_rights(self):
        self.authenticate("xlsx_rpc_internal", "xlsx_rpc_internal")
        with mute_logger("odoo.http"):
            response = self.url_open("/crm_erp_bridge/report/xlsx/forecast")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(zipfile.is_zipfile(io.BytesIO(response.content)))

    def test_route_serves_salesman(self):
        self.authenticate("xlsx_rpc_salesman", "xlsx_rpc_salesman")
        response = self.url_open("/crm_erp_bridge/report/xlsx/forecast")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(response.content)))
