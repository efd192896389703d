from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestPrevention(CustomerUnificationMatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.existing = cls._company("Pluvex Trasporti S.p.A.", vat="IT00743110157",
                                    email="info@pluvex.it", phone="051 765 4321")
        cls.rule = cls.env.ref("customer_unification.customer_match_rule_company")

    def _check(self, user=None, partner_id=False, **values):
        """What the form's banner asks while the user types (``cu_duplicate_check``)."""
        return self.env["res.partner"].with_user(user or self.salesman).cu_duplicate_check(
            {"is_company": True, **values}, partner_id=partner_id)

    def test_banner_lists_duplicates_for_salesman(self):
        result = self._check(name="Pluvex Trasporti Spa", vat="00743110157", country_id=self.italy.id)
        self.assertEqual(result["count"], 1)
        self.assertIn("Pluvex Trasporti S.p.A.", result["html"])

    def test_no_banner_when_rule_is_off(self):
        self.rule.prevention_mode = "off"
        result = self._check(name="Pluvex Trasporti Spa", vat="IT00743110157")
        self.assertEqual(result, {"count": 0, "html": ""})

    def test_banner_leaves_out_the_partner_being_edited(self):
        result = self._check(partner_id=self.existing.id, name="Pluvex Trasporti S.p.A.", vat="IT00743110157")
        self.assertEqual(result["count"], 0)

    def test_banner_check_refuses_other_fields(self):
        with self.assertRaisesRegex(UserError, "comment"):
            self._check(name="Pluvex Trasporti Spa", comment="<script/>")

    def test_banner_check_is_read_only_and_refused_without_partner_rights(self):
        """Marked ``@api.readonly`` (a replica answers on a ``db_replica_host`` deployment); a user
        who may not read the edited partner gets nothing."""
        self.assertTrue(type(self.env["res.partner"]).cu_duplicate_check._readonly)
        portal = self.env["res.users"].create({
            "name": "Prevention portal", "login": "cu_prev_portal",
            "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)]})
        with self.assertRaises(AccessError):
            self._check(user=portal, partner_id=self.existing.id, name="Pluvex")

    def test_form_onchange_no_longer_runs_the_check(self):
        """The form view holds the banner widget only: typing does not run the check in the
        (read/write) onchange as well."""
        form = Form(self.env["res.partner"].with_user(self.salesman))
        self.assertNotIn("cu_duplicate_warning", form._view["fields"])

    def test_block_mode_refuses_api_create(self):
        self.rule.prevention_mode = "block"
        with self.assertRaisesRegex(UserError, "Pluvex Trasporti S.p.A."):
            self.env["res.partner"].with_user(self.salesman).create({
                "name": "PLUVEX TRASPORTI", "is_company": True, "vat": "IT 00743110157",
                "country_id": self.italy.id,
            })

    def test_block_mode_refuses_import(self):
        self.rule.prevention_mode = "block"
        result = self.env["res.partner"].load(
            ["name", "is_company", "vat"], [["Pluvex Trasporti srl", "1", "IT00743110157"]])
        self.assertTrue(result["messages"])
        self.assertIn("Pluvex", result["messages"][0]["message"])

    def test_block_mode_lets_new_customer_in(self):
        self.rule.prevention_mode = "block"
        partner = self.env["res.partner"].with_user(self.salesman).create({
            "name": "Altra Ditta Nuova", "is_company": True, "country_id": self.italy.id})
        self.assertTrue(partner)

    def test_warn_mode_does_not_block(self):
        partner = self.env["res.partner"].create({"name": "Pluvex Trasporti", "is_company": True,
                                                  "vat": "IT00743110157"})
        self.assertTrue(partner)
