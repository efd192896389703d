from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReviewTour(HttpCase):
    def _reviewer(self, login):
        """A Unification User (the least privilege that reviews duplicates), password = login."""
        return new_test_user(self.env, login=login, password=login,
                             groups="base.group_user,customer_unification.group_customer_unification_user")

    def test_review_tour_as_reviewer(self):
        self._reviewer("cu_match_tour_reviewer")
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

    def test_group_split_tour_as_reviewer(self):
        """Relatives linked through a surname-only record: two groups, each showing the other."""
        self._reviewer("cu_split_tour_reviewer")
        self.env.ref("customer_unification.customer_match_rule_individual").write(
            {"scoring": "learned", "threshold": 0.9})
        address = {"street": "Via Cavour 12", "zip": "20121", "city": "Milano", "is_company": False,
                   "country_id": self.env.ref("base.it").id}
        partners = self.env["res.partner"]
        mario = partners.create({"name": "Mario Tourvalli", **address})
        family = partners.create({"name": "Tourvalli", **address})
        anna = partners.create({"name": "Anna Tourvalli", **address})
        self.env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
        groups = self.env["customer.duplicate.group"].search([("partner_ids", "in", family.ids)])
        self.assertEqual(sorted(groups.mapped(lambda group: len(group.partner_ids))), [2, 2])
        self.assertFalse(groups.filtered(lambda group: mario | anna <= group.partner_ids))
        self.start_tour("/odoo", "customer_unification_group_split_tour", login="cu_split_tour_reviewer")
