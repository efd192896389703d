from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReviewTour(HttpCase):
    def test_review_tour_as_reviewer(self):
        new_test_user(
            self.env, login="cu_match_tour_reviewer", password="cu_match_tour_reviewer",
            groups="base.group_user,customer_unification.group_customer_unification_user",
        )
        # the tour reads a learned explanation (levels, match weights, probability)
        self.env.ref("customer_unification.customer_match_rule_company").write(
            {"scoring": "learned", "threshold": 0.9})
        partners = self.env["res.partner"]
        italy = self.env.ref("base.it")
        first = partners.create({"name": "Tourmalina Ceramiche S.r.l.", "is_company": True,
                                 "vat": "IT04987654326", "country_id": italy.id, "city": "Faenza"})
        second = partners.create({"name": "TOURMALINA CERAMICHE SRL", "is_company": True,
                                  "vat": "04987654326", "country_id": italy.id, "city": "Faenza"})
        self.env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
        group = self.env["customer.duplicate.group"].search([("partner_ids", "in", first.ids)])
        self.assertEqual(group.partner_ids, first | second)
        self.start_tour("/odoo", "customer_unification_review_tour", login="cu_match_tour_reviewer")
