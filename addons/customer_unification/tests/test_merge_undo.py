from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .merge_common import MergeCommon


@tagged("post_install", "-at_install")
class TestMergeUndo(MergeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        partners = cls.master | cls.source
        cls.leads = env["crm.lead"].create([
            {"name": "Boiler", "partner_id": cls.source.id},
            {"name": "Heat pump", "partner_id": cls.master.id},
        ])
        cls.leads[0].message_subscribe(partner_ids=partners.ids)
        cls.leads[1].message_subscribe(partner_ids=cls.source.ids)
        for partner in partners:
            partner.message_subscribe(partner_ids=cls.follower.ids)
            partner.message_post(body=f"Note on {partner.name}")
            partner.activity_schedule("mail.mail_activity_data_todo", summary=f"Call {partner.name}")
            env["ir.attachment"].create(
                {"name": f"{partner.id}.txt", "raw": b"x", "res_model": "res.partner", "res_id": partner.id})
        if "sale.order" in env:
            product = env["product.product"].create({"name": "Service", "type": "service", "list_price": 10})
            cls.orders = env["sale.order"].create([
                {"partner_id": p.id, "order_line": [fields.Command.create({"product_id": product.id})]}
                for p in partners])
        if "account.move" in env:
            cls.invoices = env["account.move"].create([
                {"move_type": "out_invoice", "partner_id": p.id,
                 "invoice_line_ids": [fields.Command.create({"name": "Fee", "quantity": 1, "price_unit": 100})]}
                for p in partners])
            cls.invoices.action_post()
            journal = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1)
            cls.payments = env["account.payment"].create([
                {"partner_id": p.id, "amount": 10, "payment_type": "inbound", "partner_type": "customer",
                 "journal_id": journal.id}
                for p in partners])

    def _snapshot(self):
        """Every tracked row with the partner it points to, row by row."""
        ids = (self.master | self.source).ids
        env = self.env
        specs = [("crm.lead", "partner_id", []), ("mail.message", "res_id", [("model", "=", "res.partner")]),
                 ("ir.attachment", "res_id", [("res_model", "=", "res.partner")]),
                 ("mail.activity", "res_id", [("res_model", "=", "res.partner")]),
                 ("mail.followers", "res_id", [("res_model", "=", "res.partner")]),
                 ("mail.followers", "partner_id", [])]
        for model in ("sale.order", "account.move", "account.payment"):
            if model in env:
                specs.append((model, "partner_id", []))
        snapshot = {}
        for model, fname, domain in specs:
            records = env[model].with_context(active_test=False).search(domain + [(fname, "in", ids)])
            for record in records:
                value = record[fname]
                snapshot[(model, fname, record.id)] = value.id if hasattr(value, "id") else value
        return snapshot

    def test_merge_and_undo_conserve_every_row(self):
        before = self._snapshot()
        message_ids_before = set(self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "in", (self.master | self.source).ids)]).ids)

        log = self.merge(self.master | self.source, self.master)
        self.env.invalidate_all()
        after_merge = self._snapshot()
        # every row still exists and points to the master, except the dropped true duplicates
        dropped = {(ln.table_name, ln.row_id) for ln in log.line_ids if ln.kind == "dropped"}
        for (model, fname, rid), _value in before.items():
            if (self.env[model]._table, rid) in dropped:
                continue
            self.assertEqual(after_merge.get((model, fname, rid)), self.master.id, f"{model} {rid}")
        self.assertTrue(message_ids_before <= set(self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.master.id)]).ids))

        log.with_user(self.manager).action_undo()
        self.env.invalidate_all()
        after_undo = self._snapshot()
        for key, value in before.items():
            self.assertEqual(after_undo.get(key), value, key)
        self.assertTrue(self.source.active)
        self.assertEqual(self.source.phone, "+39 02 1234 5678")
        self.assertFalse(self.master.phone)
        self.assertEqual(log.state, "undone")

    def test_undo_refused_when_a_moved_row_was_reassigned(self):
        log = self.merge(self.master | self.source, self.master)
        self.leads[0].partner_id = self.follower
        with self.assertRaisesRegex(UserError, "crm_lead"):
            log.with_user(self.manager).action_undo()

    def test_undo_refused_when_master_merged_again(self):
        log = self.merge(self.master | self.source, self.master)
        self.merge(self.master | self.follower, self.follower)
        with self.assertRaisesRegex(UserError, "merged again"):
            log.with_user(self.manager).action_undo()

    def test_undo_refused_when_source_modified(self):
        log = self.merge(self.master | self.source, self.master)
        self.source.active = True
        with self.assertRaisesRegex(UserError, "modified after the merge"):
            log.with_user(self.manager).action_undo()

    def test_undo_refused_for_unification_user(self):
        log = self.merge(self.master | self.source, self.master)
        with self.assertRaises(AccessError):
            log.with_user(self.unif_user).action_undo()
        self.assertEqual(log.state, "done")

    def test_undo_restores_a_dropped_follower_with_its_subtypes(self):
        lead = self.leads[0]  # followed by both master and source
        follower = self.env["mail.followers"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id), ("partner_id", "=", self.source.id)])
        subtypes = follower.subtype_ids
        self.assertTrue(subtypes)
        log = self.merge(self.master | self.source, self.master)
        self.assertFalse(follower.exists())
        log.with_user(self.manager).action_undo()
        self.env.invalidate_all()
        self.assertTrue(follower.exists())
        self.assertEqual(follower.partner_id, self.source)
        self.assertEqual(follower.subtype_ids, subtypes)
