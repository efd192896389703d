import gc

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .merge_common import MergeCommon


@tagged("post_install", "-at_install")
class TestMergeRepoint(MergeCommon):
    def test_follower_conflict_moves_the_rest_and_records_the_duplicate(self):
        lead_both = self.env["crm.lead"].create({"name": "Both follow"})
        lead_source = self.env["crm.lead"].create({"name": "Only source follows"})
        lead_both.message_subscribe(partner_ids=(self.master | self.source).ids)
        lead_source.message_subscribe(partner_ids=self.source.ids)
        duplicate = self.env["mail.followers"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead_both.id), ("partner_id", "=", self.source.id)])

        log = self.merge(self.master | self.source, self.master)

        self.assertIn(self.master, lead_source.message_partner_ids)
        self.assertIn(self.master, lead_both.message_partner_ids)
        self.assertFalse(duplicate.exists())
        dropped = log.line_ids.filtered(lambda ln: ln.kind == "dropped")
        self.assertEqual(dropped.mapped("table_name"), ["mail_followers"])
        self.assertEqual(dropped.row_id, duplicate.id)
        self.assertEqual(dropped.before_image["row"]["res_id"], lead_both.id)
        self.assertEqual(dropped.before_image["row"]["partner_id"], self.source.id)

    def test_documents_of_any_model_are_repointed(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "contract.txt", "raw": b"x", "res_model": "res.partner", "res_id": self.source.id})
        message = self.source.message_post(body="Call back")
        activity = self.source.activity_schedule("mail.mail_activity_data_todo", summary="Call")
        event = self.env["calendar.event"].create(
            {"name": "Visit", "res_model": "res.partner", "res_id": self.source.id,
             "res_model_id": self.env["ir.model"]._get_id("res.partner")})

        self.merge(self.master | self.source, self.master)

        self.assertEqual(attachment.res_id, self.master.id)
        self.assertEqual(message.res_id, self.master.id)
        self.assertEqual(activity.res_id, self.master.id)
        self.assertEqual(event.res_id, self.master.id)

    def test_res_id_pairs_are_discovered_generically(self):
        tables = {spec[0] for spec in self.env["customer.merge.repointer"]._get_res_id_specs()}
        self.assertTrue({"ir_attachment", "mail_message", "mail_activity", "mail_followers",
                         "calendar_event"} <= tables)

    def test_foreign_keys_and_m2m_rows_are_moved(self):
        lead = self.env["crm.lead"].create({"name": "Pump", "partner_id": self.source.id})
        tag = self.env["res.partner.category"].create({"name": "Legacy CRM"})
        self.source.category_id = tag
        contact = self.env["res.partner"].create({"name": "Anna Rossi", "parent_id": self.source.id})

        log = self.merge(self.master | self.source, self.master)

        self.assertEqual(lead.partner_id, self.master)
        self.assertIn(tag, self.master.category_id)
        self.assertEqual(contact.parent_id, self.master)
        self.assertEqual(log.moved_count, len(log.line_ids.filtered(lambda ln: ln.kind == "moved")))

    def test_more_than_three_contacts_are_merged_and_archived(self):
        others = self.env["res.partner"].create([{"name": f"Rossi {i}"} for i in range(3)])
        partners = self.master | self.source | others

        log = self.merge(partners, self.master)

        self.assertEqual(log.source_ids, self.source | others)
        self.assertFalse(any((self.source | others).mapped("active")))
        self.assertTrue(self.master.active)

    def test_unification_user_may_not_merge(self):
        with self.assertRaises(AccessError):
            self.merge(self.master | self.source, self.master, user=self.unif_user)
        self.assertTrue(self.source.active)

    def test_query_count_does_not_grow_with_rows(self):
        def merge_with_leads(count):
            # every measurement starts from the same database state: only the number of leads differs
            with self.env.cr.savepoint() as savepoint:
                Partner = self.env["res.partner"]
                master, source = Partner.create([{"name": "Q master"}, {"name": "Q source"}])
                self.env["crm.lead"].create([{"name": f"Lead {i}", "partner_id": source.id} for i in range(count)])
                self.env.flush_all()
                self.env.invalidate_all()
                # Environments left over by earlier merges still hold cached records until the
                # garbage collector frees them, which saves a query now and then: collect first
                # so that every measurement starts with the same ORM state.
                gc.collect()
                before = self.env.cr.sql_log_count
                log = self.Wizard._merge((master | source).ids, master)
                self.assertEqual(log.moved_count, count + 1)  # the leads and the source's commercial partner
                queries = self.env.cr.sql_log_count - before
                savepoint.rollback()
            self.env.invalidate_all()
            return queries

        merge_with_leads(1)  # warm the catalog and ORM caches
        self.assertEqual(merge_with_leads(2), merge_with_leads(40))
