"""Zip match keys: recompute the stored ``cu_zip_key`` of partners whose key the new normalization
changes (numeric postal codes: country prefix, province and ZIP+4 extension dropped)."""

from odoo.tools import SQL

from odoo.addons.customer_unification.tools import normalize


def migrate(cr, version):
    if not version:
        return
    cr.execute(SQL(
        """SELECT p.id, p.zip, c.code, p.cu_zip_key FROM res_partner p
             LEFT JOIN res_country c ON c.id = p.country_id
            WHERE p.zip IS NOT NULL AND c.code = ANY(%s)""",
        list(normalize.NUMERIC_ZIP_LENGTHS)))
    changed = [(key, pid) for pid, zip_code, country, old in cr.fetchall()
               if (key := normalize.normalize_zip(zip_code, country) or None) != old]
    for start in range(0, len(changed), 5000):
        batch = changed[start:start + 5000]
        cr.execute(SQL(
            "UPDATE res_partner p SET cu_zip_key = v.key FROM (VALUES %s) AS v(key, id) WHERE p.id = v.id",
            SQL(", ").join(SQL("(%s, %s)", key, pid) for key, pid in batch)))
