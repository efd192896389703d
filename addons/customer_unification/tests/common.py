from odoo.tests import TransactionCase, new_test_user


class CustomerUnificationMatchCase(TransactionCase):
    """Own company, users and partners for the matching tests (no demo data assumed)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "CU Match Other Co"})
        cls.italy = cls.env.ref("base.it")
        cls.unif_user = new_test_user(
            cls.env, login="cu_match_user", name="Unification Reviewer",
            groups="base.group_user,customer_unification.group_customer_unification_user",
            company_ids=[(6, 0, (cls.company | cls.other_company).ids)],
        )
        cls.unif_manager = new_test_user(
            cls.env, login="cu_match_manager", name="Unification Manager",
            groups="base.group_user,base.group_partner_manager,"
                   "customer_unification.group_customer_unification_manager",
        )
        cls.salesman = new_test_user(
            cls.env, login="cu_match_sales", name="Plain Salesman",
            groups="base.group_user,sales_team.group_sale_salesman",
        )
        cls.Partner = cls.env["res.partner"]

    @classmethod
    def _person(cls, name, **vals):
        values = {"name": name, "country_id": cls.italy.id, "is_company": False}
        values.update(vals)
        return cls.Partner.create(values)

    @classmethod
    def _company(cls, name, **vals):
        values = {"name": name, "country_id": cls.italy.id, "is_company": True}
        values.update(vals)
        return cls.Partner.create(values)

    def _pair(self, partner_1, partner_2):
        low, high = sorted((partner_1.id, partner_2.id))
        return self.env["customer.duplicate.pair"].search(
            [("partner_a_id", "=", low), ("partner_b_id", "=", high)])
