"""Italian is a first-class language: every addon's template is current and its it.po complete."""

import io
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

ROOT = Path(__file__).resolve().parents[1]
ADDONS = ("customer_unification", "crm_erp_bridge", "crm_erp_bridge_stock", "crm_erp_legacy_import",
          "warranty_management")


@tagged("post_install", "-at_install")
class TestItalianTranslations(TransactionCase):
    def _fresh_template(self, addon):
        buf = io.BytesIO()
        trans_export(None, [addon], buf, "po", self.env.cr)
        return polib.pofile(buf.getvalue().decode())

    def test_committed_templates_match_the_code(self):
        for addon in ADDONS:
            with self.subTest(addon=addon):
                committed = polib.pofile(str(ROOT / "addons" / addon / "i18n" / ("%s.pot" % addon)))
                fresh = {entry.msgid for entry in self._fresh_template(addon)}
                committed_ids = {entry.msgid for entry in committed}
                hint = "run scripts/i18n_update.py to refresh %s.pot" % addon
                self.assertFalse(fresh - committed_ids, "strings missing from the template: " + hint)
                self.assertFalse(committed_ids - fresh, "stale strings in the template: " + hint)

    def test_italian_catalogue_is_complete(self):
        for addon in ADDONS:
            with self.subTest(addon=addon):
                folder = ROOT / "addons" / addon / "i18n"
                template = {entry.msgid for entry in polib.pofile(str(folder / ("%s.pot" % addon)))}
                italian = polib.pofile(str(folder / "it.po"))
                self.assertEqual(italian.metadata.get("Language"), "it")
                self.assertEqual({entry.msgid for entry in italian}, template)
                untranslated = [e.msgid for e in italian if not e.msgstr or "fuzzy" in e.flags]
                self.assertFalse(untranslated, "untranslated in %s/i18n/it.po: %s" % (addon, untranslated[:10]))

    def test_italian_terms_load_into_odoo(self):
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(list(ADDONS), ["it_IT"], overwrite=True)
        for addon, xmlid in (
            ("customer_unification", "customer_unification.module_category_customer_unification"),
            ("crm_erp_bridge", "crm_erp_bridge.module_category_crm_erp_bridge"),
            ("warranty_management", "warranty_management.module_category_warranty_management"),
        ):
            with self.subTest(addon=addon):
                record = self.env.ref(xmlid)
                english = record.with_context(lang="en_US").name
                expected = {e.msgid: e.msgstr for e in polib.pofile(str(ROOT / "addons" / addon / "i18n" / "it.po"))}
                self.assertEqual(record.with_context(lang="it_IT").name, expected[english])
