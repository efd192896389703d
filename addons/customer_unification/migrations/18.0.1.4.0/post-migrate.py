"""Match keys: recompute the stored keys the new normalization changes, in batches of partners:

* ``cu_name_key`` and ``cu_phonetic_key`` of individuals, and ``cu_contact_key`` of leads (titles
  dropped, family-name particles glued, as the scoring reads the names);
* ``cu_street_key`` and ``cu_house_key`` (a flat's number, "int. 8", "Flat 3", is not the house number
  when the street has another one);
* ``cu_city_key`` (a province or state code in brackets dropped: "Messina (ME)")."""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

BATCH = 20000
#: the stored partner keys the new normalization may change (from res.partner._cu_prepare_keys)
PARTNER_KEYS = ("cu_name_key", "cu_phonetic_key", "cu_street_key", "cu_house_key", "cu_city_key")


def _new_keys(partner_model, is_company, name, street, city):
    """The keys ``res.partner._cu_prepare_keys`` (the seam a custom module may override) gives now."""
    keys = partner_model._cu_prepare_keys({"name": name, "is_company": is_company, "street": street, "city": city})
    return tuple(keys[column] or None for column in PARTNER_KEYS)


def migrate(cr, version):
    if not version:
        return
    partner_model = api.Environment(cr, SUPERUSER_ID, {})["res.partner"]
    _migrate_partners(cr, partner_model)
    _migrate_leads(cr, partner_model)


def _migrate_leads(cr, partner_model):
    last_id = 0
    while True:
        cr.execute(SQL(
            """SELECT id, contact_name, cu_contact_key FROM crm_lead
                WHERE id > %s AND contact_name IS NOT NULL ORDER BY id LIMIT %s""", last_id, BATCH))
        rows = cr.fetchall()
        if not rows:
            return
        last_id = rows[-1][0]
        changed = [(key, lead_id) for lead_id, contact_name, old in rows
                   if (key := _new_keys(partner_model, False, contact_name, None, None)[0]) != old]
        if changed:
            cr.execute(SQL(
                "UPDATE crm_lead l SET cu_contact_key = v.key FROM (VALUES %s) AS v(key, id) WHERE l.id = v.id",
                SQL(", ").join(SQL("(%s, %s)", *row) for row in changed)))


def _migrate_partners(cr, partner_model):
    last_id = 0
    while True:
        cr.execute(SQL(
            """SELECT id, COALESCE(is_company, FALSE), name, street, city,
                      cu_name_key, cu_phonetic_key, cu_street_key, cu_house_key, cu_city_key
                 FROM res_partner WHERE id > %s ORDER BY id LIMIT %s""", last_id, BATCH))
        rows = cr.fetchall()
        if not rows:
            return
        last_id = rows[-1][0]
        changed = [(*keys, pid) for pid, is_company, name, street, city, *old in rows
                   if (keys := _new_keys(partner_model, is_company, name, street, city)) != tuple(old)]
        if changed:
            cr.execute(SQL(
                """UPDATE res_partner p SET cu_name_key = v.name_key, cu_phonetic_key = v.phonetic,
                          cu_street_key = v.street_key, cu_house_key = v.house, cu_city_key = v.city_key
                     FROM (VALUES %s) AS v(name_key, phonetic, street_key, house, city_key, id)
                    WHERE p.id = v.id""",
                SQL(", ").join(SQL("(%s, %s, %s, %s, %s, %s)", *row) for row in changed)))
