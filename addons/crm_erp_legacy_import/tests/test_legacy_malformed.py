import base64
import csv
import io

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import INVOICE_HEADER, OPPORTUNITY_HEADER, ORDER_HEADER, LegacyImportCommon

CUSTOMER = "C-1,Legacymatch Impianti S.r.l.,info@legacymatch.example"


@tagged("post_install", "-at_install")
class TestLegacyMalformed(LegacyImportCommon):
    """Bad rows reject their document only, each with its reason; bad files are refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inactive = cls.env.ref("base.AFN")
        cls.inactive.active = False

    def test_bad_rows_reject_their_document_only(self):
        cur = self.company_currency
        content = ORDER_HEADER + (
            f"SO-OK,{CUSTOMER},,2024-11-15,draft,{cur},LEG-DESK,,1,100\n"
            f"SO-DATE,{CUSTOMER},,2024-13-45,draft,{cur},LEG-DESK,,1,100\n"
            f"SO-QTY,{CUSTOMER},,2024-11-15,draft,{cur},LEG-DESK,,1,100\n"
            f"SO-QTY,{CUSTOMER},,2024-11-15,draft,{cur},LEG-DESK,,-3,100\n"
            f"SO-PROD,{CUSTOMER},,2024-11-15,draft,{cur},NOPE-404,,1,100\n"
            f"SO-CUR,{CUSTOMER},,2024-11-15,draft,XYZ,LEG-DESK,,1,100\n"
            f"SO-OFF,{CUSTOMER},,2024-11-15,draft,AFN,LEG-DESK,,1,100\n"
            f"SO-STATE,{CUSTOMER},,2024-11-15,shipped,{cur},LEG-DESK,,1,100\n"
            f"SO-USER,{CUSTOMER},nobody_at_all,2024-11-15,draft,{cur},LEG-DESK,,1,100\n"
            f",{CUSTOMER},,2024-11-15,draft,{cur},LEG-DESK,,1,100\n"
            f"SO-NOCUST,,,,,2024-11-15,draft,{cur},LEG-DESK,,1,100\n"
        )
        job = self._job("order", content)
        docs = self._docs(job)
        self.assertEqual(docs["SO-OK"].status, "create")
        reasons = {ref: doc.reason for ref, doc in docs.items() if doc.status == "reject"}
        self.assertIn("2024-13-45", reasons["SO-DATE"])
        self.assertIn("must not be below 0", reasons["SO-QTY"])
        self.assertIn("line 5", reasons["SO-QTY"])
        self.assertIn("NOPE-404", reasons["SO-PROD"])
        self.assertIn("XYZ is unknown", reasons["SO-CUR"])
        self.assertIn("AFN is not active", reasons["SO-OFF"])
        self.assertIn("shipped", reasons["SO-STATE"])
        self.assertIn("nobody_at_all", reasons["SO-USER"])
        self.assertIn("document reference is missing", reasons[False])
        self.assertIn("customer is missing", reasons["SO-NOCUST"])
        self.assertEqual((job.row_count, job.create_row_count, job.reject_row_count), (11, 1, 10))
        self.assertConserved(job)
        job.action_import()
        orders = self.env["sale.order"].search([("client_order_ref", "like", "SO-")])
        self.assertEqual(orders.mapped("client_order_ref"), ["SO-OK"], "no half document: SO-QTY's good row too")
        self.assertEqual((job.created_row_count, job.reject_row_count), (1, 10))
        self.assertConserved(job)

    def test_error_file_has_every_rejected_row_and_its_reason(self):
        content = OPPORTUNITY_HEADER + (
            f"OPP-1,{CUSTOMER},IT,,Good one,,100,10,\n"
            f"OPP-2,{CUSTOMER},IT,,Bad date,,100,10,31.02.2024\n"
            f"OPP-3,{CUSTOMER},IT,,Bad probability,,100,140,\n"
            f"OPP-3,{CUSTOMER},IT,,Second row,,100,10,\n"
        )
        job = self._job("opportunity", content)
        action = job.action_download_errors()
        self.assertIn("/error_file/", action["url"])
        text = base64.b64decode(job.error_file).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0][:3], ["Line", "Document Reference", "Reason"])
        by_line = {row[0]: row for row in rows[1:]}
        self.assertEqual(set(by_line), {"3", "4", "5"})
        self.assertIn("31.02.2024", by_line["3"][2])
        self.assertIn("must not be above 100", by_line["4"][2])
        self.assertIn("rejected with its document", by_line["5"][2])
        self.assertEqual(by_line["5"][3:5], ["OPP-3", "C-1"], "the original cells follow")

    def test_document_failing_at_creation_is_rejected_alone(self):
        """A negative invoice passes the row checks but not the posting: rejected alone, nothing left."""
        content = INVOICE_HEADER + (
            f"INV-GOOD,{CUSTOMER},,2024-10-31,,,,Service,1,100\n"
            f"INV-NEG,{CUSTOMER},,2024-10-31,,,,Refund,1,-100\n"
            f"INV-GOOD2,{CUSTOMER},,2024-10-31,,,,Service,1,200\n"
        )
        job = self._job("invoice", content, user=self.billing_importer)
        self.assertEqual(job.create_row_count, 3)
        job.action_import()
        moves = self.env["account.move"].search([("ref", "like", "INV-")])
        self.assertEqual(sorted(moves.mapped("ref")), ["INV-GOOD", "INV-GOOD2"])
        docs = self._docs(job)
        self.assertEqual(docs["INV-NEG"].result, "rejected")
        self.assertTrue(docs["INV-NEG"].reason)
        self.assertFalse(self.env["crm.erp.legacy.ref"].search([("reference", "=", "INV-NEG")]))
        self.assertEqual((job.created_row_count, job.reject_row_count), (2, 1))
        self.assertConserved(job)

    def test_opportunity_on_two_rows_is_rejected(self):
        content = OPPORTUNITY_HEADER + (
            f"OPP-1,{CUSTOMER},IT,,First,,100,10,\n"
            f"OPP-1,{CUSTOMER},IT,,Again,,100,10,\n"
        )
        job = self._job("opportunity", content)
        self.assertIn("one row", job.document_ids.reason)

    def test_invalid_customer_email_rejected_with_the_engine_reason(self):
        content = OPPORTUNITY_HEADER + "OPP-1,C-9,Someone,not-an-email,IT,,First,,100,10,\n"
        job = self._job("opportunity", content)
        self.assertIn("not-an-email", job.document_ids.reason)

    def test_empty_file_refused(self):
        with self.assertRaisesRegex(UserError, "Choose a CSV or XLSX file"):
            self._job("opportunity", "")
        with self.assertRaisesRegex(UserError, "empty"):
            self._job("opportunity", OPPORTUNITY_HEADER)

    def test_wrong_encoding_refused(self):
        with self.assertRaisesRegex(UserError, "not a CSV text file"):
            self._job("opportunity", (OPPORTUNITY_HEADER + f"OPP-1,{CUSTOMER},IT,,X,,1,1,\n").encode("utf-16"))

    def test_missing_reference_column_refused(self):
        with self.assertRaisesRegex(UserError, "document_ref"):
            self._job("opportunity", "name,customer_name\nX,Y\n")

    def test_xlsx_file(self):
        import openpyxl
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(OPPORTUNITY_HEADER.strip().split(","))
        sheet.append(["OPP-X", "C-1", "Legacymatch Impianti S.r.l.", "info@legacymatch.example", "IT", "",
                      "From a spreadsheet", "", 100, 10, ""])
        buffer = io.BytesIO()
        book.save(buffer)
        job = self._job("opportunity", buffer.getvalue(), filename="legacy.xlsx")
        self.assertEqual(job.create_row_count, 1)
        job.action_import()
        self.assertTrue(self.env["crm.lead"].search([("name", "=", "From a spreadsheet")]))
