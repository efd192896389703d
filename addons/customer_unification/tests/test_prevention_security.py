from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import new_test_user, tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestPreventionSecurity(CustomerUnificationMatchCase):
    """The duplicate check cannot be switched off from outside and never names what the user cannot read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env.ref("customer_unification.customer_match_rule_company")
        # a customer of the other company only
        cls.hidden = cls._company("Zarvek Meccanica S.r.l.", vat="IT01234567897", email="info@zarvek.it",
                                  company_id=cls.other_company.id)
        cls.user_main_only = new_test_user(
            cls.env, login="cu_prev_main_only", name="Main Company Salesman",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)],
        )

    def _zarvek_values(self):
        return {"name": "ZARVEK MECCANICA", "is_company": True, "vat": "IT 01234567897",
                "country_id": self.italy.id}

    def test_context_key_does_not_skip_the_block(self):
        self.rule.prevention_mode = "block"
        existing = self._company("Pluvex Trasporti S.p.A.", vat="IT00743110157")
        with self.assertRaisesRegex(UserError, existing.name):
            self.env["res.partner"].with_user(self.salesman).with_context(
                customer_unification_skip_check=True).create({
                    "name": "PLUVEX TRASPORTI", "is_company": True, "vat": "IT 00743110157",
                    "country_id": self.italy.id})

    def test_trusted_server_code_may_create_without_check(self):
        self.rule.prevention_mode = "block"
        self._company("Pluvex Trasporti S.p.A.", vat="IT00743110157")
        partner = self.env["res.partner"]._cu_create_without_duplicate_check([{
            "name": "PLUVEX TRASPORTI", "is_company": True, "vat": "IT 00743110157",
            "country_id": self.italy.id}])
        self.assertTrue(partner)
        # the check is back for the next create of the same thread
        with self.assertRaises(UserError):
            self.env["res.partner"].create({"name": "Pluvex Trasporti", "is_company": True,
                                            "vat": "IT00743110157", "country_id": self.italy.id})

    def test_unchecked_create_is_not_callable_over_rpc(self):
        with self.assertRaises(AccessError):
            get_public_method(self.env["res.partner"], "_cu_create_without_duplicate_check")

    def _zarvek_typed(self):
        return {"is_company": True, "name": "Zarvek Meccanica", "vat": "01234567897", "country_id": self.italy.id}

    def test_banner_does_not_name_partner_of_unreadable_company(self):
        result = self.env["res.partner"].with_user(self.user_main_only).cu_duplicate_check(self._zarvek_typed())
        self.assertEqual(result["count"], 1)
        self.assertNotIn("Zarvek", result["html"])
        self.assertNotIn(f"/odoo/contacts/{self.hidden.id}", result["html"])
        self.assertIn("company you cannot access", result["html"])

    def test_banner_names_partner_user_may_read(self):
        user = self.user_main_only
        user.company_ids |= self.other_company
        result = self.env["res.partner"].with_user(user).with_context(
            allowed_company_ids=(self.company | self.other_company).ids).cu_duplicate_check(self._zarvek_typed())
        self.assertIn("Zarvek Meccanica S.r.l.", result["html"])

    def test_block_still_blocks_but_hides_partner_of_unreadable_company(self):
        self.rule.prevention_mode = "block"
        with self.assertRaises(UserError) as caught:
            self.env["res.partner"].with_user(self.user_main_only).create(self._zarvek_values())
        message = str(caught.exception)
        self.assertIn("company you cannot access", message)
        self.assertNotIn("Zarvek Meccanica S.r.l.", message)
        self.assertNotIn(str(self.hidden.id), message.replace("ZARVEK", ""))

    def test_lead_is_not_linked_to_partner_of_unreadable_company(self):
        user = self.user_main_only
        user.groups_id |= self.env.ref("sales_team.group_sale_salesman")
        lead = self.env["crm.lead"].with_user(user).create({
            "name": "Lead", "type": "lead", "partner_name": "ZARVEK MECCANICA",
            "email_from": "Info@Zarvek.it", "country_id": self.italy.id, "company_id": False})
        self.assertNotEqual(lead._find_matching_partner(), self.hidden)
