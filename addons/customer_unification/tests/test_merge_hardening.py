"""Regression tests of issue 9: merges and undo that cannot be bypassed,
that conserve every row, and that stay inside their company."""

import base64
import io
from unittest.mock import patch

from PIL import Image

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.customer_unification.models.customer_merge_repointer import CustomerMergeRepointer

from .merge_common import MergeCommon


def png():
    """A small PNG image, base64-encoded."""
    stream = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(stream, "PNG")
    return base64.b64encode(stream.getvalue())


@tagged("post_install", "-at_install")
class TestMergeNoContextBypass(MergeCommon):
    """Context keys an RPC caller can set change nothing any more."""

    def setUp(self):
        super().setUp()
        italy = self.env.ref("base.it").id
        self.master.write({"vat": "IT00743110157", "country_id": italy})
        self.source.write({"vat": "IT12345670017", "country_id": italy})

    def _rpc_wizard(self, **context):
        """The wizard as a client would create it, with extra context keys."""
        return self.Wizard.with_user(self.manager).with_context(
            active_model="res.partner", active_ids=(self.master | self.source).ids, **context,
        ).create({"dst_partner_id": self.master.id, "master_rule": "manual"})

    def test_dry_run_key_does_not_skip_the_reason(self):
        wizard = self._rpc_wizard(customer_merge_dry_run=True)
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_merge()
        self.assertTrue(self.source.active)

    def test_reason_key_is_not_a_reason(self):
        wizard = self._rpc_wizard(customer_merge_reason="injected")
        with self.assertRaisesRegex(UserError, "reason"):
            wizard.action_merge()
        self.assertTrue(self.source.active)

    def test_injected_log_id_and_score_are_ignored(self):
        self.source.vat = False
        other_log = self.merge(self.follower | self.env["res.partner"].create({"name": "Giulia B."}), self.follower)
        lines_before = len(other_log.line_ids)
        self.env["crm.lead"].create({"name": "Pump", "partner_id": self.source.id})
        engine_score = self.env["customer.match.rule"]._score_pair(self.master, self.source)[0]
        wizard = self._rpc_wizard(customer_merge_log_id=other_log.id, customer_merge_score=0.99)
        wizard.action_merge()
        log = wizard.merge_log_id
        self.assertNotEqual(log, other_log)
        self.assertEqual(len(other_log.line_ids), lines_before)
        self.assertIn("crm_lead", log.line_ids.mapped("table_name"))
        self.assertLess(engine_score, 0.99)
        self.assertAlmostEqual(log.score, round(engine_score, 2), places=2,
                               msg="the engine's score, not the injected one")

    def test_group_of_other_contacts_gives_neither_score_nor_state(self):
        self.source.vat = False
        others = self.env["res.partner"].create([{"name": "Verdi"}, {"name": "Verdi S.r.l."}])
        group = self.env["customer.duplicate.group"].create(
            {"partner_ids": [Command.set(others.ids)], "max_score": 0.99})
        engine_score = self.env["customer.match.rule"]._score_pair(self.master, self.source)[0]
        wizard = self._rpc_wizard(default_duplicate_group_id=group.id)
        wizard.action_merge()
        self.assertFalse(wizard.merge_log_id.duplicate_group_id)
        self.assertAlmostEqual(wizard.merge_log_id.score, round(engine_score, 2), places=2,
                               msg="the engine's score of these contacts, not the other group's")
        self.assertEqual(group.state, "open")


@tagged("post_install", "-at_install")
class TestMergePreviewChangesNothing(MergeCommon):
    def _state(self, group):
        """Row counts of every table the merge writes, and the review states."""
        cr = self.env.cr
        self.env.flush_all()
        counts = {}
        for table in ("res_partner", "crm_lead", "mail_message", "mail_followers",
                      "res_partner_res_partner_category_rel", "customer_merge_log", "customer_merge_log_line",
                      "customer_duplicate_pair", "customer_duplicate_group"):
            cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
            counts[table] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM res_partner WHERE active")
        counts["active partners"] = cr.fetchone()[0]
        cr.execute("SELECT state FROM customer_duplicate_group WHERE id = %s", [group.id])
        counts["group"] = cr.fetchone()[0]
        cr.execute("SELECT array_agg(state ORDER BY id) FROM customer_duplicate_pair WHERE group_id = %s",
                   [group.id])
        counts["pairs"] = cr.fetchone()[0]
        return counts

    def test_preview_from_a_group_leaves_pairs_and_group_open(self):
        third = self.env["res.partner"].create({"name": "Rossi Impianti", "is_company": True})
        self.env["crm.lead"].create({"name": "Pump", "partner_id": self.source.id})
        pairs = self.env["customer.duplicate.pair"].create([
            {"partner_a_id": self.master.id, "partner_b_id": self.source.id, "score": 0.9},
            {"partner_a_id": self.master.id, "partner_b_id": third.id, "score": 0.8},
        ])
        group = self.env["customer.duplicate.group"].create({
            "partner_ids": [Command.set((self.master | self.source | third).ids)], "max_score": 0.9,
            "pair_ids": [Command.set(pairs.ids)]})
        before = self._state(group)
        snapshot = self.reference_snapshot(self.partner_tree_ids(self.master | self.source | third))
        action = group.with_user(self.manager).action_merge()
        wizard = self.Wizard.with_user(self.manager).with_context(**action["context"]).create(
            {"dst_partner_id": self.master.id, "master_rule": "manual"})
        wizard.action_preview()
        self.assertIn("crm_lead", wizard.preview_html)
        self.assertEqual(self._state(group), before)
        self.assertEqual(before["group"], "open")
        self.assertSnapshotEqual(snapshot, self.reference_snapshot(
            self.partner_tree_ids(self.master | self.source | third)))
        self.assertEqual(pairs.mapped("state"), ["open", "open"])


@tagged("post_install", "-at_install")
class TestMergeManySources(MergeCommon):
    """Shared many2many rows between sources the master lacks."""

    def _partners(self, count):
        partners = self.master | self.env["res.partner"].create(
            [{"name": f"Rossi Impianti {i}", "is_company": True} for i in range(count - 1)])
        sources = partners - self.master
        tag = self.env["res.partner.category"].create({"name": "Installer"})
        sources.write({"category_id": [Command.link(tag.id)]})
        lead = self.env["crm.lead"].create({"name": "Shared"})
        lead.message_subscribe(partner_ids=sources.ids)
        message = lead.message_post(body="Offer", partner_ids=sources.ids, message_type="comment")
        return partners, tag, lead, message

    def _merge_and_undo(self, count):
        partners, tag, lead, message = self._partners(count)
        sources = partners - self.master
        before = self.reference_snapshot(self.partner_tree_ids(partners))
        log = self.merge(partners, self.master)
        self.assertEqual(self.master.category_id, tag)
        self.assertIn(self.master, message.partner_ids)
        self.assertIn(self.master, lead.message_partner_ids)
        self.assertFalse(any(sources.mapped("active")))
        log.action_undo()
        self.env.invalidate_all()
        self.assertSnapshotEqual(before, self.reference_snapshot(self.partner_tree_ids(partners)))
        self.assertEqual(message.partner_ids, sources)

    def test_three_contacts_sharing_a_tag_and_a_message(self):
        self._merge_and_undo(3)

    def test_four_contacts_sharing_a_tag_and_a_message(self):
        self._merge_and_undo(4)


@tagged("post_install", "-at_install")
class TestMergeUndoPropagation(MergeCommon):
    """Undo puts back what the ORM propagated, proved on every referencing row."""

    def test_undo_restores_child_contacts_and_users(self):
        company = self.env.company
        branch = self.env["res.company"].create({"name": "Rossi Branch"})
        self.master.write({"company_id": company.id})
        self.source.write({"street": "Via Torino 5", "zip": "20123", "website": "https://rossi.example"})
        child = self.env["res.partner"].create({"name": "Anna Rossi", "parent_id": self.master.id,
                                                "type": "contact"})
        source_child = self.env["res.partner"].create({"name": "Bruno Rossi", "parent_id": self.source.id})
        user = new_test_user(self.env, login="cu_rossi_user", partner_id=self.source.id, groups="base.group_user",
                             company_id=branch.id, company_ids=[Command.set(branch.ids)])
        self.env["crm.lead"].create({"name": "Pump", "partner_id": self.master.id})
        partners = self.master | self.source
        tree = self.partner_tree_ids(partners)
        before = self.reference_snapshot(tree)

        log = self.merge(partners, self.master)
        self.assertEqual(child.street, "Via Torino 5")  # address synced to the master's contacts
        self.assertEqual(user.company_id, company)
        self.assertEqual(source_child.parent_id, self.master)

        log.action_undo()
        self.env.invalidate_all()
        self.assertSnapshotEqual(before, self.reference_snapshot(tree))
        self.assertFalse(child.street)
        self.assertEqual(user.company_id, branch)
        self.assertEqual(user.company_ids, branch)

    def test_undo_refused_when_a_propagated_value_changed_since(self):
        self.source.write({"street": "Via Torino 5"})
        child = self.env["res.partner"].create({"name": "Anna Rossi", "parent_id": self.master.id,
                                                "type": "contact"})
        log = self.merge(self.master | self.source, self.master)
        self.assertEqual(child.street, "Via Torino 5")
        self.env.cr.execute("UPDATE res_partner SET street = 'Via Roma 1' WHERE id = %s", [child.id])
        with self.assertRaisesRegex(UserError, "changed after the merge"):
            log.action_undo()


@tagged("post_install", "-at_install")
class TestMergeFieldAttachments(MergeCommon):
    def test_source_avatar_stays_with_the_source(self):
        self.source.image_1920 = png()
        image = self.env["ir.attachment"].sudo().search([
            ("res_model", "=", "res.partner"), ("res_id", "=", self.source.id), ("res_field", "=", "image_1920")])
        self.assertTrue(image)
        document = self.env["ir.attachment"].create(
            {"name": "contract.txt", "raw": b"x", "res_model": "res.partner", "res_id": self.source.id})

        self.merge(self.master | self.source, self.master)

        self.assertEqual(image.res_id, self.source.id)
        self.assertEqual(document.res_id, self.master.id)
        self.assertFalse(self.master.image_1920)
        self.assertTrue(self.source.image_1920)


@tagged("post_install", "-at_install")
class TestMergeCustomField(MergeCommon):
    def test_manual_many2one_added_at_runtime_is_repointed(self):
        repointer = self.env["customer.merge.repointer"]
        self.assertTrue(repointer._get_fk_specs("res_partner"))  # the catalog is cached now
        self.env["ir.model.fields"].create({
            "model_id": self.env["ir.model"]._get_id("crm.lead"), "name": "x_cu_installer_id",
            "field_description": "Installer", "ttype": "many2one", "relation": "res.partner",
        })
        lead = self.env["crm.lead"].create({"name": "Pump"})
        self.env.cr.execute("UPDATE crm_lead SET x_cu_installer_id = %s WHERE id = %s", [self.source.id, lead.id])

        log = self.merge(self.master | self.source, self.master)

        self.env.cr.execute("SELECT x_cu_installer_id FROM crm_lead WHERE id = %s", [lead.id])
        self.assertEqual(self.env.cr.fetchone()[0], self.master.id)
        log.action_undo()
        self.env.cr.execute("SELECT x_cu_installer_id FROM crm_lead WHERE id = %s", [lead.id])
        self.assertEqual(self.env.cr.fetchone()[0], self.source.id)


@tagged("post_install", "-at_install")
class TestMergeHashedEntries(MergeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        journal = cls.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", cls.env.company.id)], limit=1)
        journal.restrict_mode_hash_table = True
        cls.invoice = cls.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": cls.source.id, "journal_id": journal.id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({"name": "Fee", "quantity": 1, "price_unit": 100})]})
        cls.invoice.action_post()

    def test_merging_away_hashed_entries_is_refused(self):
        self.assertTrue(self.invoice.inalterable_hash)
        with self.assertRaisesRegex(UserError, self.invoice.name):
            self.merge(self.master | self.source, self.master)
        self.assertEqual(self.invoice.line_ids.partner_id, self.source)
        self.assertTrue(self.source.active)

    def test_contact_with_hashed_entries_can_stay_master(self):
        self.merge(self.master | self.source, self.source, reason="Hashed entries stay on this contact")
        self.assertEqual(self.invoice.line_ids.partner_id, self.source)
        self.assertFalse(self.master.active)
        self.assertTrue(self.invoice.inalterable_hash)


@tagged("post_install", "-at_install")
class TestMergeMultiCompany(MergeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Bianchi Distribuzione"})
        cls.manager_b = new_test_user(
            cls.env, login="cu_merge_manager_b", company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
            groups="base.group_user,base.group_partner_manager,"
                   "customer_unification.group_customer_unification_manager")

    def test_log_of_shared_contacts_belongs_to_the_merging_company(self):
        self.master.bank_ids = [Command.create({"acc_number": "IT60X0542811101000000123456"})]
        self.source.bank_ids = [Command.create({"acc_number": "IT60X0542811101000000123456"})]
        log = self.merge(self.master | self.source, self.master)
        self.assertEqual(log.company_id, self.env.company)
        self.assertTrue(log.line_ids)
        self.assertEqual(set(log.line_ids.mapped("company_id")), {self.env.company})
        self.assertFalse(self.env["customer.merge.log.line"].with_user(self.manager_b).search(
            [("log_id", "=", log.id)]))
        self.assertFalse(self.env["customer.merge.log"].with_user(self.manager_b).search([("id", "=", log.id)]))
        with self.assertRaises(AccessError):
            log.line_ids.with_user(self.manager_b).read(["before_image"])

    def test_manager_of_another_company_cannot_undo_by_id(self):
        log = self.merge(self.master | self.source, self.master)
        with self.assertRaises(AccessError):
            self.env["customer.merge.log"].with_user(self.manager_b).browse(log.id).action_undo()
        self.assertEqual(log.state, "done")
        self.assertFalse(self.source.active)

    def test_manager_of_the_company_undoes(self):
        log = self.merge(self.master | self.source, self.master)
        log.with_user(self.manager).action_undo()
        self.assertEqual(log.state, "undone")


@tagged("post_install", "-at_install")
class TestMergeFaultInjection(MergeCommon):
    """A step failing mid-merge leaves nothing half-written, with a clear error."""

    def _fail_in(self, method_name, error):
        before_lead = self.env["crm.lead"].create({"name": "Pump", "partner_id": self.source.id})
        self.source.category_id = self.env["res.partner.category"].create({"name": "Installer"})
        self.source.message_post(body="Call back")
        tree = self.partner_tree_ids(self.master | self.source)
        before = self.reference_snapshot(tree)
        logs = self.env["customer.merge.log"].search_count([])
        original = getattr(CustomerMergeRepointer, method_name)
        calls = []

        def failing(repointer, *args, **kwargs):
            calls.append(args)
            if len(calls) == 2:  # after a first step went through
                repointer.env.cr.execute(error)
            return original(repointer, *args, **kwargs)

        wizard_logger = "odoo.addons.customer_unification.wizard.base_partner_merge_automatic_wizard"
        with patch.object(CustomerMergeRepointer, method_name, failing), mute_logger("odoo.sql_db", wizard_logger):
            with self.assertRaisesRegex(UserError, "nothing was changed"):
                self.merge(self.master | self.source, self.master)
        self.assertGreaterEqual(len(calls), 2)
        self.env.invalidate_all()
        self.assertSnapshotEqual(before, self.reference_snapshot(tree))
        self.assertEqual(self.env["customer.merge.log"].search_count([]), logs)
        self.assertEqual(before_lead.partner_id, self.source)
        self.assertTrue(self.source.active)

    def test_database_error_while_moving_rows(self):
        self._fail_in("_repoint_rows", "SELECT 1 / 0")

    def test_database_error_while_moving_relation_rows(self):
        self._fail_in("_journal", "SELECT 'x'::int")
