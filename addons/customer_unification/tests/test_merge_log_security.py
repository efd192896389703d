from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .merge_common import MergeCommon


@tagged("post_install", "-at_install")
class TestMergeLogSecurity(MergeCommon):
    def test_manager_of_another_company_does_not_see_the_log(self):
        self.master.company_id = self.env.company
        self.source.company_id = self.env.company
        log = self.merge(self.master | self.source, self.master)
        other_company = self.env["res.company"].create({"name": "Bianchi Distribuzione"})
        other_manager = new_test_user(
            self.env, login="cu_merge_other_manager", company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
            groups="base.group_user,base.group_partner_manager,"
                   "customer_unification.group_customer_unification_manager")
        Log = self.env["customer.merge.log"].with_user(other_manager)
        self.assertFalse(Log.search([("id", "=", log.id)]))
        self.assertEqual(self.env["customer.merge.log"].with_user(self.manager).search([("id", "=", log.id)]), log)

    def test_unification_user_cannot_read_merge_logs(self):
        log = self.merge(self.master | self.source, self.master)
        with self.assertRaises(AccessError):
            log.with_user(self.unif_user).read(["master_id"])

    def test_nobody_edits_a_log_by_hand(self):
        log = self.merge(self.master | self.source, self.master)
        with self.assertRaises(AccessError):
            log.with_user(self.manager).write({"reason": "rewritten"})
