import base64
import io

from odoo.exceptions import UserError
from odoo.tests import tagged

from .merge_common import MergeCommon


@tagged("post_install", "-at_install")
class TestImportHostileFiles(MergeCommon):
    """Files a user may upload by mistake (or on purpose) end in a clear message, never a crash."""

    def _wizard(self, data, filename="legacy.csv"):
        if isinstance(data, str):
            data = data.encode()
        return self.env["customer.import.wizard"].with_user(self.manager).create({
            "file": base64.b64encode(data), "filename": filename})

    def test_file_in_no_known_encoding_is_refused(self):
        # 0x81 and 0x8d are invalid UTF-8 starts and undefined in Windows-1252
        wizard = self._wizard(b"Name,Email\nCaf\x81 Ros\x8dsi,a@b.example\n")
        with self.assertRaisesRegex(UserError, "neither UTF-8 nor Windows-1252"):
            wizard.action_load()

    def test_windows_1252_file_is_read(self):
        wizard = self._wizard("Name,City\nCaffè Nerini,Forlì\n".encode("cp1252"))
        wizard.action_load()
        self.assertEqual(wizard.line_ids.name, "Caffè Nerini")

    def test_malformed_csv_is_refused_with_its_line(self):
        # an unterminated quote would otherwise swallow every following row into one cell
        wizard = self._wizard('Name,Notes\nGood Row,ok\nBroken Row,"never closed\nNext Row,x\nLast Row,y\n')
        with self.assertRaisesRegex(UserError, "not valid CSV near line 5"):
            wizard.action_load()

    def test_stray_quote_is_refused(self):
        wizard = self._wizard('Name,Notes\nGood Row,ok\nBad Row,"quoted"tail\n')
        with self.assertRaisesRegex(UserError, "not valid CSV near line 3"):
            wizard.action_load()

    def test_binary_file_is_refused(self):
        wizard = self._wizard(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        with self.assertRaisesRegex(UserError, "binary data"):
            wizard.action_load()

    def test_file_over_the_size_limit_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("customer_unification.import_max_bytes", "50")
        wizard = self._wizard("Name\n" + "Verdi Costruzioni\n" * 5)
        with self.assertRaisesRegex(UserError, "too large"):
            wizard.action_load()

    def test_file_over_the_row_limit_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param("customer_unification.import_max_rows", "3")
        self._wizard("Name\nA One\nB Two\nC Three\n").action_load()  # exactly at the limit
        wizard = self._wizard("Name\nA One\nB Two\nC Three\nD Four\n")
        with self.assertRaisesRegex(UserError, "more than 3 rows"):
            wizard.action_load()

    def test_unreadable_limit_parameter_falls_back_to_default(self):
        self.env["ir.config_parameter"].sudo().set_param("customer_unification.import_max_rows", "lots")
        self.assertEqual(self.env["customer.import.wizard"]._import_limits()[1], 100000)

    def test_corrupt_xlsx_is_refused(self):
        wizard = self._wizard(b"PK\x03\x04 definitely not a workbook", filename="export.xlsx")
        with self.assertRaisesRegex(UserError, "not a readable XLSX"):
            wizard.action_load()

    def test_xlsx_over_the_row_limit_is_refused(self):
        import openpyxl
        self.env["ir.config_parameter"].sudo().set_param("customer_unification.import_max_rows", "2")
        book = openpyxl.Workbook()
        for row in (["Name"], ["A One"], ["B Two"], ["C Three"]):
            book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        with self.assertRaisesRegex(UserError, "more than 2 rows"):
            self._wizard(buffer.getvalue(), filename="export.xlsx").action_load()

    def test_malformed_rows_are_reported_one_by_one(self):
        wizard = self._wizard(
            "Name,Email,Country\n"
            "Ok Uno S.r.l.,uno@ok.example,IT\n"
            "Short Row\n"
            ",,\n"
            ",missing-name@example.com,IT\n"
            "Extra Cells S.r.l.,extra@ok.example,IT,unexpected,cells\n"
            "Bad Mail S.r.l.,@@,IT\n")
        wizard.action_load()
        by_line = {line.line_number: line for line in wizard.line_ids}
        self.assertEqual(by_line[2].status, "new")
        self.assertEqual(by_line[3].status, "new")
        self.assertNotIn(4, by_line, "an empty row is ignored")
        self.assertEqual((by_line[5].status, by_line[5].reason), ("error", "the name is missing"))
        self.assertEqual(by_line[6].status, "new")
        self.assertEqual(by_line[7].status, "error")

    def test_a_finished_import_cannot_run_again(self):
        wizard = self._wizard("Name\nUnico Cliente S.r.l.\n")
        wizard.action_load()
        wizard.action_import()
        with self.assertRaisesRegex(UserError, "already been imported"):
            wizard.action_import()
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Unico Cliente S.r.l.")]), 1)

    def test_row_matching_customer_of_unreadable_company_is_rejected_without_its_name(self):
        other_company = self.env["res.company"].create({"name": "CU Import Other Co"})
        self.env["res.partner"].create({"name": "Zeta Forniture S.r.l.", "email": "info@zeta-forniture.example",
                                        "is_company": True, "company_id": other_company.id})
        self.manager.company_ids = self.env.company
        wizard = self._wizard("Name,Email\nZeta Forniture S.r.l.,info@zeta-forniture.example\n")
        wizard.action_load()
        self.assertEqual(wizard.line_ids.status, "error")
        self.assertFalse(wizard.line_ids.partner_id)
        self.assertIn("company you cannot access", wizard.line_ids.reason)
        self.assertNotIn("Zeta", wizard.line_ids.reason)
