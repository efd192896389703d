import importlib.util
import os

from odoo.tests import TransactionCase, tagged

from odoo.addons.customer_unification.tools import normalize


def _migration(version):
    """The post-migrate module of a version of this addon (migrations are not importable packages)."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations", version, "post-migrate.py")
    spec = importlib.util.spec_from_file_location(f"customer_unification_migration_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigrationKeys(TransactionCase):
    """18.0.1.4.0 recomputes the stored match keys the new normalization changes; the others stay."""

    def test_keys_of_an_older_version_are_recomputed(self):
        person = self.env["res.partner"].create(
            {"name": "Dott. Mario De Luca", "street": "Via Roma 5 int. 8", "city": "Messina (ME)"})
        firm = self.env["res.partner"].create({"name": "Studio Dott. Bianchi", "is_company": True})
        untouched = self.env["res.partner"].create({"name": "Anna Neri", "street": "Via Po 3"})
        lead = self.env["crm.lead"].create({"name": "Offer", "contact_name": "Sig.ra Anna De Luca"})
        expected = {partner: (partner.cu_name_key, partner.cu_phonetic_key, partner.cu_street_key,
                              partner.cu_house_key, partner.cu_city_key) for partner in person | firm | untouched}
        self.assertEqual(expected[person], ("deluca mario", "MR TLK", "via roma 5", "5", "messina"))
        self.assertEqual(lead.cu_contact_key, "anna deluca")
        self.env.flush_all()
        # the keys as 18.0.1.3.0 stored them
        self.env.cr.execute(
            """UPDATE res_partner SET cu_name_key = 'de dott luca mario', cu_phonetic_key = 'LK MR T TT',
                      cu_street_key = 'via roma 5 8', cu_house_key = '8', cu_city_key = 'messina me'
                WHERE id = %s""", [person.id])
        self.env.cr.execute("UPDATE crm_lead SET cu_contact_key = 'anna de luca ra sig' WHERE id = %s", [lead.id])

        _migration("18.0.1.4.0").migrate(self.env.cr, "18.0.1.3.0")
        self.env.invalidate_all()

        for partner, keys in expected.items():
            self.assertEqual((partner.cu_name_key, partner.cu_phonetic_key, partner.cu_street_key,
                              partner.cu_house_key, partner.cu_city_key), keys, partner.name)
        self.assertEqual(lead.cu_contact_key, "anna deluca")
        self.assertEqual(firm.cu_name_key, normalize.normalize_name("Studio Dott. Bianchi", is_company=True))

    def test_a_new_install_runs_nothing(self):
        partner = self.env["res.partner"].create({"name": "Mr John Smith"})
        self.env.flush_all()
        self.env.cr.execute("UPDATE res_partner SET cu_name_key = 'stale' WHERE id = %s", [partner.id])
        _migration("18.0.1.4.0").migrate(self.env.cr, None)
        self.env.invalidate_all()
        self.assertEqual(partner.cu_name_key, "stale")
