import base64
from unittest.mock import patch

from odoo.tests import tagged

from .merge_common import MergeCommon

CSV = (
    "Name,Email,City\n"
    "Primo Cliente S.r.l.,primo@clienti.example,Bologna\n"
    "Guasto Cliente S.r.l.,guasto@clienti.example,Modena\n"
    "Terzo Cliente S.r.l.,terzo@clienti.example,Parma\n"
    "Rossi Impianti S.r.l.,info@rossi-impianti.example,Milano\n"
)


@tagged("post_install", "-at_install")
class TestImportFaults(MergeCommon):
    """A row failing in the middle of an import: reported, nothing half-written, the others imported."""

    def _wizard(self):
        wizard = self.env["customer.import.wizard"].with_user(self.manager).create({
            "file": base64.b64encode(CSV.encode()), "filename": "legacy.csv"})
        wizard.action_load()
        return wizard

    def _partner_count(self):
        return self.env["res.partner"].with_context(active_test=False).search_count([])

    def test_row_failing_on_create_is_reported_and_others_are_imported(self):
        wizard = self._wizard()
        Partner = self.registry["res.partner"]
        original = Partner.create

        def create(records, vals_list):
            partners = original(records, vals_list)  # the row is written, then the failure hits
            if "Guasto" in str(partners.mapped("name")):
                raise RuntimeError("disk on fire")
            return partners

        before = self._partner_count()
        with patch.object(Partner, "create", create), self.assertLogs(
                "odoo.addons.customer_unification.wizard.customer_import_wizard", level="ERROR"):
            wizard.action_import()
        by_line = {line.line_number: line for line in wizard.line_ids}
        self.assertEqual((by_line[3].status, by_line[3].result), ("error", False))
        self.assertIn("disk on fire", by_line[3].reason)
        self.assertFalse(by_line[3].partner_id)
        self.assertFalse(self.env["res.partner"].search([("email", "=", "guasto@clienti.example")]),
                         "nothing half-written")
        self.assertEqual(by_line[2].result, "done")
        self.assertEqual(by_line[4].result, "done")
        self.assertEqual(by_line[5].result, "done")
        self.assertEqual(self._partner_count() - before, 2, "partners created == rows imported as new")
        self.assertIn("2 customers created", wizard.summary)
        self.assertIn("1 rows rejected", wizard.summary)

    def test_matched_row_failing_mid_update_leaves_the_customer_untouched(self):
        wizard = self._wizard()
        Line = self.registry["customer.import.line"]
        original = Line._apply_to_match

        def apply_then_fail(line, complete):
            original(line, complete)
            raise RuntimeError("crash after the write")

        with patch.object(Line, "_apply_to_match", apply_then_fail), self.assertLogs(
                "odoo.addons.customer_unification.wizard.customer_import_wizard", level="ERROR"):
            wizard.action_import()
        self.assertFalse(self.master.city, "the matched customer keeps its values")
        match_line = wizard.line_ids.filtered(lambda ln: ln.line_number == 5)
        self.assertEqual(match_line.status, "error")
        self.assertEqual(len(wizard.line_ids.filtered(lambda ln: ln.result == "done")), 3)

    def test_import_conserves_partner_count(self):
        wizard = self._wizard()
        before = self._partner_count()
        wizard.action_import()
        created = wizard.line_ids.filtered(lambda ln: ln.status == "new" and ln.result == "done")
        self.assertEqual(len(created), 3)
        self.assertEqual(self._partner_count() - before, len(created))
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Rossi Impianti S.r.l.")]), 1)
