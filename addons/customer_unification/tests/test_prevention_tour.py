from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPreventionTour(HttpCase):
    def test_banner_while_typing_as_salesman(self):
        """A salesperson types a customer who exists: the banner names them while typing (the
        read-only check of the form, not the onchange), and goes away when the values change."""
        new_test_user(self.env, login="cu_prevention_tour", password="cu_prevention_tour",
                      groups="base.group_user,sales_team.group_sale_salesman")
        self.env["res.partner"].create({"name": "Brambillasca Serramenti S.r.l.", "is_company": True,
                                        "email": "info@brambillasca.it", "city": "Lecco"})
        self.start_tour("/odoo/contacts/new", "customer_unification_prevention_tour", login="cu_prevention_tour")
        self.assertFalse(self.env["res.partner"].search(
            [("name", "in", ("Brambillasca Serramenti srl", "Zappacosta Arredi"))]), "the tour discards the contact")
