from odoo.exceptions import UserError
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

    def test_banner_lists_duplicates_for_salesman(self):
        form = Form(self.env["res.partner"].with_user(self.salesman))
        form.company_type = "company"
        form.name = "Pluvex Trasporti Spa"
        form.vat = "00743110157"
        form.country_id = self.italy
        self.assertEqual(form.cu_duplicate_count, 1)
        self.assertIn("Pluvex Trasporti S.p.A.", form.cu_duplicate_warning)

    def test_no_banner_when_rule_is_off(self):
        self.rule.prevention_mode = "off"
        form = Form(self.env["res.partner"].with_user(self.salesman))
        form.company_type = "company"
        form.name = "Pluvex Trasporti Spa"
        form.vat = "IT00743110157"
        self.assertEqual(form.cu_duplicate_count, 0)

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
