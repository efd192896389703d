"""Blocking: the phonetic name + zip and phonetic name + city passes are gone (the phonetic pass
within a region finds every pair they found); drop the indexes that only served them, and the city's
name index that ``res_partner__cu_city_key_name_address_index`` (the same, with the address keys)
replaces."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS res_partner__cu_phonetic_zip_index")
    cr.execute("DROP INDEX IF EXISTS res_partner__cu_phonetic_city_index")
    cr.execute("DROP INDEX IF EXISTS res_partner__cu_city_key_name_index")
