from odoo.tests import TransactionCase, new_test_user


class MergeCommon(TransactionCase):
    """Own partners, documents and users for the merge tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.manager = new_test_user(
            cls.env, login="cu_merge_manager", name="Merge Manager",
            groups="base.group_user,base.group_partner_manager,"
                   "customer_unification.group_customer_unification_manager")
        cls.unif_user = new_test_user(
            cls.env, login="cu_merge_user", name="Unification User",
            groups="base.group_user,base.group_partner_manager,customer_unification.group_customer_unification_user")
        Partner = cls.env["res.partner"]
        cls.master = Partner.create({"name": "Rossi Impianti S.r.l.", "email": "info@rossi-impianti.example",
                                     "is_company": True})
        cls.source = Partner.create({"name": "ROSSI IMPIANTI SRL", "phone": "+39 02 1234 5678",
                                     "is_company": True, "city": "Milano"})
        cls.follower = Partner.create({"name": "Giulia Bianchi"})
        cls.Wizard = cls.env["base.partner.merge.automatic.wizard"]

    def merge(self, partners, master, user=None, **wizard_vals):
        """Merge through the wizard as ``user`` (the manager by default)."""
        user = user or self.manager
        Wizard = self.Wizard.with_user(user).with_context(active_model="res.partner", active_ids=partners.ids)
        wizard = Wizard.create(dict({"dst_partner_id": master.id, "master_rule": "manual"}, **wizard_vals))
        wizard.action_merge()
        return wizard.merge_log_id
