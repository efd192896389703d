"""Refresh each addon's i18n/<addon>.pot from a database and merge it into i18n/it.po.

Usage (with the suite's virtual environment, on a database where the addons are installed):

    python scripts/i18n_update.py -c odoo.conf -d DB [--addons a,b] [--fragments DIR] [--check]

- The template is exported by Odoo itself (the same export as `odoo-bin --i18n-export`).
- it.po keeps its existing translations; new entries are taken from PO fragments in --fragments
  (any *.po file, matched by msgid), and entries that disappeared from the template are dropped.
- --check exits with status 1 when an entry of it.po is left untranslated (they are listed).
"""

import argparse
import glob
import io
import os
import sys

import polib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = ("customer_unification", "crm_erp_bridge", "crm_erp_bridge_stock", "crm_erp_legacy_import",
          "warranty_management")


def export_pot(cr, addon):
    """Return the addon's template as exported by Odoo (a polib.POFile)."""
    from odoo.tools.translate import trans_export

    buf = io.BytesIO()
    trans_export(None, [addon], buf, "po", cr)
    return polib.pofile(buf.getvalue().decode())


def load_fragments(folder):
    """Return {msgid: msgstr} from every PO fragment in folder (later files win)."""
    known = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.po"))) if folder else []:
        for entry in polib.pofile(path):
            if entry.msgstr and not entry.obsolete:
                known[entry.msgid] = entry.msgstr
    return known


def merge(pot, old_po, fragments, addon):
    """Build the Italian catalogue for pot, keeping translations of old_po, completing from fragments."""
    previous = {e.msgid: e.msgstr for e in old_po if e.msgstr and not e.obsolete} if old_po else {}
    po = polib.POFile(wrapwidth=78)
    po.metadata = {
        "Project-Id-Version": "Odoo Server 18.0",
        "Report-Msgid-Bugs-To": "",
        "Last-Translator": "",
        "Language-Team": "Italian",
        "Language": "it",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    missing = []
    for entry in pot:
        new = polib.POEntry(
            msgid=entry.msgid,
            msgstr=previous.get(entry.msgid) or fragments.get(entry.msgid, ""),
            occurrences=entry.occurrences,
            comment=entry.comment,
            tcomment=entry.tcomment,
            flags=[f for f in entry.flags if f != "fuzzy"],
        )
        if not new.msgstr:
            missing.append(entry.msgid)
        po.append(new)
    return po, missing


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons", default=",".join(ADDONS))
    parser.add_argument("--fragments")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    import odoo

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    fragments = load_fragments(args.fragments)
    registry = odoo.modules.registry.Registry.new(args.database)
    untranslated = 0
    with registry.cursor() as cr:
        for addon in args.addons.split(","):
            base = "addons" if os.path.isdir(os.path.join(ROOT, "addons", addon)) else "examples"
            folder = os.path.join(ROOT, base, addon, "i18n")
            os.makedirs(folder, exist_ok=True)
            pot = export_pot(cr, addon)
            pot.save(os.path.join(folder, "%s.pot" % addon))
            po_path = os.path.join(folder, "it.po")
            old = polib.pofile(po_path) if os.path.exists(po_path) else None
            po, missing = merge(pot, old, fragments, addon)
            po.save(po_path)
            untranslated += len(missing)
            sys.stdout.write("%s: %d entries, %d untranslated\n" % (addon, len(pot), len(missing)))
            for msgid in missing:
                sys.stdout.write("    %r\n" % msgid[:100])
    return 1 if (args.check and untranslated) else 0


if __name__ == "__main__":
    sys.exit(main())
