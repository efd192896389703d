from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestMergeConcurrency(TransactionCase):
    """Two merges of overlapping contacts in two real, parallel transactions.

    The test transaction is never committed, so the contacts both transactions
    merge are created and committed by a third one, and deleted at the end.
    """

    def _cursor(self):
        cr = db_connect(self.env.cr.dbname).cursor()
        # a bug must fail the test, not hang it
        cr.execute("SET lock_timeout = '10s'")
        return cr

    def _merge(self, cr, ids, master_id):
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        partners = env["res.partner"].browse(ids)
        return env["base.partner.merge.automatic.wizard"].merge_partners(partners, partners.browse(master_id))

    def test_overlapping_merges_one_wins_the_other_gets_a_clear_error(self):
        with self._cursor() as setup_cr:
            env = api.Environment(setup_cr, SUPERUSER_ID, {})
            a_id, b_id, c_id = env["res.partner"].create(
                [{"name": f"CU Concurrency {name}", "is_company": True} for name in "ABC"]).ids
            setup_cr.commit()
        try:
            with self._cursor() as cr1, self._cursor() as cr2:
                log = self._merge(cr1, [a_id, b_id], a_id)  # holds its locks until cr1 ends
                self.assertTrue(log)
                with self.assertRaisesRegex(UserError, "someone else"):
                    self._merge(cr2, [b_id, c_id], c_id)
                cr2.rollback()
                cr1.rollback()
                # nothing is left locked: the second merge now goes through
                self.assertTrue(self._merge(cr2, [b_id, c_id], c_id))
                cr2.rollback()
        finally:
            with self._cursor() as cleanup_cr:
                cleanup_cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [[a_id, b_id, c_id]])
                cleanup_cr.commit()
