import base64

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .merge_common import MergeCommon

CSV = (
    "Customer Name,E-mail,Phone,Country,VAT\n"
    "Rossi Impianti S.r.l.,INFO@rossi-impianti.example,,IT,\n"
    "Verdi Costruzioni,verdi@costruzioni.example,+39 06 5550101,IT,\n"
    ",nobody@example.com,,IT,\n"
    "Blu Logistica,not-an-email,,IT,\n"
    "Neri Trasporti,neri@trasporti.example,,Atlantis,\n"
)


@tagged("post_install", "-at_install")
class TestCustomerImport(MergeCommon):
    def _wizard(self, content=CSV, user=None, filename="legacy_crm.csv"):
        wizard = self.env["customer.import.wizard"].with_user(user or self.manager).create({
            "file": base64.b64encode(content.encode()), "filename": filename})
        wizard.action_load()
        return wizard

    def test_preview_tells_match_new_and_errors_with_line_numbers(self):
        wizard = self._wizard()
        by_line = {line.line_number: line for line in wizard.line_ids}
        self.assertEqual(by_line[2].status, "match")
        self.assertEqual(by_line[2].partner_id, self.master)
        self.assertTrue(by_line[2].reason)
        self.assertEqual(by_line[3].status, "new")
        self.assertEqual((by_line[4].status, by_line[4].reason), ("error", "the name is missing"))
        self.assertIn("not-an-email", by_line[5].reason)
        self.assertIn("Atlantis", by_line[6].reason)
        self.assertFalse(self.env["res.partner"].search([("email", "=", "verdi@costruzioni.example")]))

    def test_import_creates_new_completes_matches_and_skips_bad_rows(self):
        wizard = self._wizard()
        wizard.action_import()
        verdi = self.env["res.partner"].search([("email", "=", "verdi@costruzioni.example")])
        self.assertEqual(len(verdi), 1)
        self.assertEqual(verdi.country_id, self.env.ref("base.it"))
        self.assertEqual(self.master.country_id, self.env.ref("base.it"))
        self.assertEqual(self.master.email, "info@rossi-impianti.example")
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Rossi Impianti S.r.l.")]), 1)
        self.assertFalse(self.env["res.partner"].search([("name", "in", ("Blu Logistica", "Neri Trasporti"))]))
        self.assertIn("1 customers created", wizard.summary)

    def test_import_twice_creates_no_duplicate(self):
        self._wizard().action_import()
        wizard = self._wizard()
        verdi_line = wizard.line_ids.filtered(lambda ln: ln.line_number == 3)
        self.assertEqual(verdi_line.status, "match")
        wizard.action_import()
        self.assertEqual(self.env["res.partner"].search_count([("email", "=", "verdi@costruzioni.example")]), 1)

    def test_xlsx_file(self):
        import io

        import openpyxl
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["Name", "Email"])
        sheet.append(["Gialli Serramenti", "gialli@serramenti.example"])
        buffer = io.BytesIO()
        book.save(buffer)
        wizard = self.env["customer.import.wizard"].with_user(self.manager).create({
            "file": base64.b64encode(buffer.getvalue()), "filename": "export.xlsx"})
        wizard.action_load()
        self.assertEqual(wizard.line_ids.mapped("status"), ["new"])

    def test_unification_user_may_not_import(self):
        with self.assertRaises(AccessError):
            self._wizard(user=self.unif_user)
