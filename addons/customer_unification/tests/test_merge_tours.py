from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestMergeTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="cu_merge_tour_manager", name="Tour Merge Manager",
            groups="base.group_user,base.group_partner_manager,"
                   "customer_unification.group_customer_unification_manager")

    def test_review_group_and_merge(self):
        Partner = self.env["res.partner"]
        master = Partner.create({"name": "Tour Alpha Impianti", "is_company": True, "email": "alpha@tour.example"})
        source = Partner.create({"name": "TOUR ALPHA IMPIANTI SRL", "is_company": True})
        lead = self.env["crm.lead"].create({"name": "Tour lead", "partner_id": source.id})
        pair = self.env["customer.duplicate.pair"].create(
            {"partner_a_id": master.id, "partner_b_id": source.id, "score": 0.95})
        group = self.env["customer.duplicate.group"].create({
            "partner_ids": [Command.set((master | source).ids)], "pair_ids": [Command.set(pair.ids)],
            "max_score": 0.95, "partner_count": 2})
        self.start_tour("/odoo/action-customer_unification.customer_duplicate_group_action",
                        "customer_unification_merge_group_tour", login=self.manager.login)
        self.assertEqual(group.state, "merged")
        # the master is chosen by the "most used" rule: the contact that has the lead
        self.assertFalse(master.active)
        self.assertEqual(lead.partner_id, source)
        log = self.env["customer.merge.log"].search([("duplicate_group_id", "=", group.id)])
        self.assertEqual(log.source_ids, master)

    def test_undo_from_merge_log(self):
        Partner = self.env["res.partner"]
        master = Partner.create({"name": "Tour Beta Serramenti", "is_company": True})
        source = Partner.create({"name": "Tour Beta Serramenti S.p.A.", "is_company": True})
        lead = self.env["crm.lead"].create({"name": "Tour lead", "partner_id": source.id})
        log = self.env["base.partner.merge.automatic.wizard"].merge_partners(master | source, master)
        self.assertEqual(lead.partner_id, master)
        self.start_tour("/odoo/action-customer_unification.customer_merge_log_action",
                        "customer_unification_undo_tour", login=self.manager.login)
        self.assertEqual(log.state, "undone")
        self.assertTrue(source.active)
        self.assertEqual(lead.partner_id, source)
