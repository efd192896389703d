"""Blocking: the phonetic name + zip and phonetic name + city passes are gone (the phonetic pass
within a region finds every pair they found); drop the indexes that only served them."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS res_partner__cu_phonetic_zip_index")
    cr.execute("DROP INDEX IF EXISTS res_partner__cu_phonetic_city_index")
