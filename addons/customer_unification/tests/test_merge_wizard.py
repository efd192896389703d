from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.customer_unification.wizard.base_partner_merge_automatic_wizard import (
    BasePartnerMergeAutomaticWizard,
)

from .merge_common import MergeCommon


@tagged("post_install", "-at_install")
class TestMergeWizard(MergeCommon):
    def _wizard(self, partners, **vals):
        return self.Wizard.with_user(self.manager).with_context(
            active_model="res.partner", active_ids=partners.ids).create(vals)

    def test_master_rule_most_used(self):
        self.env["crm.lead"].create([{"name": f"Lead {i}", "partner_id": self.source.id} for i in range(3)])
        wizard = self._wizard(self.master | self.source, master_rule="used")
        self.assertEqual(wizard.dst_partner_id, self.source)

    def test_master_rule_oldest_and_most_complete(self):
        Wizard = self.Wizard.with_user(self.manager)
        partners = self.master | self.source
        self.assertEqual(Wizard._select_master(partners, "oldest"), self.master)
        self.source.write({"email": "rossi@example.com", "vat": "IT00743110157"})
        self.assertEqual(Wizard._select_master(partners, "complete"), self.source)

    def test_empty_value_never_overwrites(self):
        self.source.write({"website": "https://rossi.example"})
        self.master.write({"city": "Roma"})
        self.merge(self.master | self.source, self.master)
        self.assertEqual(self.master.city, "Roma")
        self.assertEqual(self.master.website, "https://rossi.example")
        self.assertEqual(self.master.email, "info@rossi-impianti.example")
        self.assertEqual(self.master.phone, "+39 02 1234 5678")

    def test_validated_email_survives(self):
        self.master.email = "not an email"
        self.source.email = "ordini@rossi.example"
        self.merge(self.master | self.source, self.master)
        self.assertEqual(self.master.email, "ordini@rossi.example")

    def test_per_field_rule_most_recent(self):
        self.master.write({"city": "Roma"})
        self.source.write({"city": "Milano"})
        city = self.env["ir.model.fields"]._get("res.partner", "city")
        self.merge(self.master | self.source, self.master,
                   survivorship_line_ids=[Command.create({"field_id": city.id, "strategy": "recent"})])
        self.assertEqual(self.master.city, "Milano")

    def test_preview_lists_tables_and_changes_nothing(self):
        lead = self.env["crm.lead"].create({"name": "Pump", "partner_id": self.source.id})
        log_count = self.env["customer.merge.log"].search_count([])
        wizard = self._wizard(self.master | self.source, dst_partner_id=self.master.id, master_rule="manual")
        wizard.action_preview()
        self.assertIn("crm_lead", wizard.preview_html)
        self.assertEqual(lead.partner_id, self.source)
        self.assertTrue(self.source.active)
        self.assertEqual(self.env["customer.merge.log"].search_count([]), log_count)

    def test_different_valid_vats_need_a_reason(self):
        self.master.write({"vat": "IT00743110157", "country_id": self.env.ref("base.it").id})
        self.source.write({"vat": "IT12345670017", "country_id": self.env.ref("base.it").id})
        with self.assertRaisesRegex(UserError, "reason"):
            self.merge(self.master | self.source, self.master)
        self.assertTrue(self.source.active)
        log = self.merge(self.master | self.source, self.master, reason="Same customer, VAT changed in 2024")
        self.assertIn("VAT", log.warnings)
        self.assertEqual(log.reason, "Same customer, VAT changed in 2024")

    def test_same_vat_written_two_ways_is_no_conflict(self):
        """The wizard compares VAT numbers with the match keys' normaliser: "IT 00743110157" and
        "00743110157" of an Italian contact are one number, not two legal entities."""
        italy = self.env.ref("base.it").id
        self.master.write({"vat": "IT 00743110157", "country_id": italy})
        self.source.write({"vat": "00743110157", "country_id": italy})
        self.assertFalse(self.Wizard._check_vat_conflict(self.master | self.source))

    def test_validators_are_the_normalisers(self):
        Wizard = self.Wizard
        self.master.country_id = self.env.ref("base.it")
        self.assertTrue(Wizard._is_value_validated("email", self.master, '"Rossi" <Ordini@Rossi.example>'))
        self.assertFalse(Wizard._is_value_validated("email", self.master, "ordini@rossi"))
        self.assertTrue(Wizard._is_value_validated("phone", self.master, "02 1234 5678"))
        self.assertFalse(Wizard._is_value_validated("phone", self.master, "12"))
        self.assertFalse(Wizard._is_value_validated("vat", self.master, "IT00743110158"))

    def test_different_companies_are_warned(self):
        other = self.env["res.company"].create({"name": "Rossi Holding"})
        self.source.company_id = other
        warnings = self.Wizard._get_merge_warnings(self.master | self.source)
        self.assertEqual(warnings, [])  # master is shared: no second company
        self.master.company_id = self.env.company
        warnings = self.Wizard._get_merge_warnings(self.master | self.source)
        self.assertTrue(any("companies" in w for w in warnings))

    def test_error_mid_merge_leaves_database_unchanged(self):
        lead = self.env["crm.lead"].create({"name": "Pump", "partner_id": self.source.id})
        log_count = self.env["customer.merge.log"].search_count([])

        def boom(*args, **kwargs):
            raise ValueError("boom")

        with patch.object(BasePartnerMergeAutomaticWizard, "_update_values", boom):
            with self.assertRaisesRegex(ValueError, "boom"), self.env.cr.savepoint():
                self.merge(self.master | self.source, self.master)
        self.env.invalidate_all()
        self.assertEqual(lead.partner_id, self.source)
        self.assertTrue(self.source.active)
        self.assertEqual(self.env["customer.merge.log"].search_count([]), log_count)

    def test_concurrent_merge_fails_cleanly(self):
        # rows created by this test are invisible to another transaction: use a committed one
        shared = self.env.ref("base.partner_root")
        self.env.flush_all()
        with db_connect(self.env.cr.dbname).cursor() as other_cr:
            other_cr.execute("SELECT id FROM res_partner WHERE id = %s FOR UPDATE NOWAIT", [shared.id])
            with self.assertRaisesRegex(UserError, "someone else"):
                self.Wizard.with_user(self.manager)._merge((shared | self.source).ids, shared)
            other_cr.rollback()
        self.assertTrue(self.source.active)
        # once the other transaction is over, the lock is granted
        self.Wizard.with_user(self.manager)._lock_partners([shared.id, self.source.id])

    def test_duplicate_group_is_closed(self):
        pair = self.env["customer.duplicate.pair"].create({
            "partner_a_id": self.master.id, "partner_b_id": self.source.id, "score": 0.93})
        group = self.env["customer.duplicate.group"].create({
            "partner_ids": [Command.set((self.master | self.source).ids)], "max_score": 0.93,
            "pair_ids": [Command.set(pair.ids)]})
        action = group.with_user(self.manager).action_merge()
        wizard = self.Wizard.with_user(self.manager).with_context(**action["context"]).create(
            {"dst_partner_id": self.master.id, "master_rule": "manual"})
        wizard.action_merge()
        self.assertEqual(pair.state, "merged")
        self.assertEqual(group.state, "merged")
        self.assertEqual(wizard.merge_log_id.duplicate_group_id, group)
        self.assertAlmostEqual(wizard.merge_log_id.score, 0.93)
        wizard.merge_log_id.action_undo()
        self.assertEqual(pair.state, "open")

    def test_merge_from_contacts_finds_the_scans_group(self):
        """A merge started from the contacts list (no group given) of contacts a scan grouped
        is logged with that group and its score, and closes it."""
        group = self.env["customer.duplicate.group"].create({
            "partner_ids": [Command.set((self.master | self.source).ids)], "max_score": 0.88})
        other = self.env["customer.duplicate.group"].create({
            "partner_ids": [Command.set((self.master | self.follower).ids)], "max_score": 0.99})
        log = self.merge(self.master | self.source, self.master)
        self.assertEqual(log.duplicate_group_id, group, "the group holding both merged contacts, not a better one")
        self.assertAlmostEqual(log.score, 0.88)
        self.assertEqual(group.state, "merged")
        self.assertEqual(other.state, "open")

    def test_merge_without_group_logs_the_engines_score(self):
        """Contacts no scan grouped: the log keeps the matching engine's score of the pair."""
        expected, _explanation = self.env["customer.match.rule"]._score_pair(self.master, self.source)
        self.assertGreater(expected, 0.0)
        log = self.merge(self.master | self.source, self.master)
        self.assertFalse(log.duplicate_group_id)
        self.assertAlmostEqual(log.score, round(expected, 2), places=2)

    def test_preview_of_a_risky_merge_needs_no_reason_yet(self):
        self.master.write({"vat": "IT00743110157", "country_id": self.env.ref("base.it").id})
        self.source.write({"vat": "IT12345670017", "country_id": self.env.ref("base.it").id})
        wizard = self._wizard(self.master | self.source, dst_partner_id=self.master.id, master_rule="manual")
        self.assertIn("VAT", wizard.warning_text)
        wizard.action_preview()
        self.assertIn("VAT", wizard.preview_html)
        self.assertTrue(self.source.active)

    def test_contact_and_its_parent_company_are_not_merged(self):
        employee = self.env["res.partner"].create({"name": "Mario Rossi", "parent_id": self.master.id})
        grandchild = self.env["res.partner"].create({"name": "Ufficio acquisti", "parent_id": employee.id})
        with self.assertRaisesRegex(UserError, "parent"):
            self.merge(self.master | grandchild, self.master)
        self.assertTrue(grandchild.active)

    def test_preview_lists_conflicts(self):
        lead = self.env["crm.lead"].create({"name": "Both follow"})
        lead.message_subscribe(partner_ids=(self.master | self.source).ids)
        wizard = self._wizard(self.master | self.source, dst_partner_id=self.master.id, master_rule="manual")
        wizard.action_preview()
        self.assertIn("Conflicts", wizard.preview_html)
        self.assertIn("mail_followers", wizard.preview_html)
        self.assertIn(self.source, lead.message_partner_ids)
