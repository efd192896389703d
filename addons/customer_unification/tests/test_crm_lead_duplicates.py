from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import Form, new_test_user, tagged

from .common import CustomerUnificationMatchCase

INCOMING_EMAIL = """Return-Path: <{sender_email}>
To: {to}
From: {sender}
Subject: {subject}
Message-ID: <{msg_id}@example.com>
Date: Mon, 30 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

We would like a quotation for the sliding gates.
"""


@tagged("post_install", "-at_install")
class TestCrmLeadDuplicates(CustomerUnificationMatchCase):
    """Duplicate leads: the partner matching engine (rules, thresholds, banner settings) on leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_rule = cls.env.ref("customer_unification.customer_match_rule_company")
        cls.person_rule = cls.env.ref("customer_unification.customer_match_rule_individual")
        cls.customer = cls._company("Travimex Costruzioni S.p.A.", email="info@travimex.it",
                                    phone="051 998 1122", city="Bologna")
        cls.Lead = cls.env["crm.lead"]
        cls.existing = cls.Lead.with_user(cls.salesman).create({
            "name": "Gates for the new plant", "type": "lead", "partner_name": "Orsolini Impianti S.r.l.",
            "contact_name": "Marta Orsolini", "email_from": "marta@orsolini-impianti.it",
            "phone": "+39 0544 123 456", "city": "Ravenna", "country_id": cls.italy.id,
        })
        cls.no_crm_user = new_test_user(cls.env, login="cu_lead_no_crm", groups="base.group_user")
        cls.other_salesman = new_test_user(
            cls.env, login="cu_lead_other_sales", groups="base.group_user,sales_team.group_sale_salesman")

    def _duplicate_values(self, **vals):
        return dict({
            "name": "Sliding gates", "type": "lead", "partner_name": "ORSOLINI IMPIANTI SRL",
            "contact_name": "Orsolini Marta", "email_from": "Marta@Orsolini-Impianti.it",
            "country_id": self.italy.id,
        }, **vals)

    def _check(self, user=None, lead_id=False, **values):
        """What the lead form's banner asks while the user types (``cu_duplicate_check``)."""
        values = values or {key: value for key, value in self._duplicate_values().items()
                            if key not in ("name", "type")}
        return self.Lead.with_user(user or self.salesman).cu_duplicate_check(values, lead_id=lead_id)

    def _set_mode(self, mode):
        (self.company_rule | self.person_rule).prevention_mode = mode

    # -- the banner -------------------------------------------------------------------------------

    def test_banner_names_duplicate_lead_for_salesman(self):
        result = self._check()
        self.assertEqual(result["lead_count"], 1)
        self.assertIn(self.existing.display_name, result["html"])
        self.assertIn(f"/odoo/crm.lead/{self.existing.id}", result["html"])
        self.assertIn("Email", result["html"], "the reasons of the score are shown")

    def test_banner_names_existing_customer(self):
        result = self._check(partner_name="TRAVIMEX COSTRUZIONI", email_from="Info@Travimex.it",
                             country_id=self.italy.id)
        self.assertEqual(result["lead_count"], 0)
        self.assertEqual(result["count"], 1)
        self.assertIn("Travimex Costruzioni S.p.A.", result["html"])

    def test_banner_of_a_lead_linked_to_its_customer_does_not_propose_customers(self):
        result = self._check(partner_name="TRAVIMEX COSTRUZIONI", email_from="Info@Travimex.it",
                             country_id=self.italy.id, partner_id=self.customer.id)
        self.assertEqual(result["count"], 0)

    def test_banner_leaves_out_the_lead_being_edited(self):
        result = self._check(lead_id=self.existing.id, partner_name="Orsolini Impianti S.r.l.",
                             email_from="marta@orsolini-impianti.it")
        self.assertEqual(result["count"], 0)

    def test_no_banner_when_rules_are_off(self):
        self._set_mode("off")
        self.assertEqual(self._check(), {"count": 0, "lead_count": 0, "html": ""})

    def test_banner_counts_but_does_not_name_an_unreadable_lead(self):
        """A salesman reads his own and unassigned leads only: another's lead is counted, never named."""
        self.existing.user_id = self.other_salesman
        result = self._check()
        self.assertEqual((result["count"], result["lead_count"]), (1, 0))
        self.assertNotIn("Orsolini", result["html"])
        self.assertIn("lead(s) you cannot access", result["html"])

    def test_banner_check_refuses_other_fields(self):
        with self.assertRaisesRegex(UserError, "description"):
            self._check(partner_name="Orsolini", description="<script/>")

    def test_banner_check_is_read_only_and_refused_without_crm_rights(self):
        self.assertTrue(type(self.Lead).cu_duplicate_check._readonly)
        with self.assertRaises(AccessError):
            self._check(user=self.no_crm_user)

    def test_smart_button_counts_duplicates(self):
        duplicate = self.Lead.with_user(self.salesman).create(self._duplicate_values())
        self.assertEqual(duplicate.cu_duplicate_lead_count, 1)
        self.assertEqual(duplicate.cu_duplicate_lead_ids, self.existing)

    def test_mapping_is_one_overridable_method(self):
        """Matching reads the lead through ``_cu_lead_raw_values``: an override changes what matches."""
        def without_name_and_email(lead, is_company):
            return dict(original(lead, is_company), name="Zzyzx Qwvbn", email=False)

        original = type(self.Lead)._cu_lead_raw_values
        with patch.object(type(self.Lead), "_cu_lead_raw_values", without_name_and_email):
            self.assertEqual(self._check()["lead_count"], 0)

    def test_saved_lead_profile_is_the_typed_one(self):
        """A saved lead's profile reads its stored phone keys: the same profile as the lead typed."""
        values = {"contact_name": "Marta Orsolini", "email_from": "marta@orsolini-impianti.it",
                  "phone": "+39 0544 123 456", "mobile": "347 555 0101", "city": "Ravenna",
                  "country_id": self.italy.id}
        saved = self.Lead.create(dict(values, name="Gates", type="lead"))
        typed = self.Lead.new(dict(values, company_id=saved.company_id.id))
        self.assertEqual(saved._cu_lead_profile(False), typed._cu_lead_profile(False))

    # -- creation: warn flags, block refuses ------------------------------------------------------

    def test_warn_mode_flags_api_create(self):
        lead = self.Lead.with_user(self.salesman).create(self._duplicate_values())
        self.assertEqual(lead.cu_duplicate_of_id, self.existing)
        self.assertFalse(self.existing.cu_duplicate_of_id, "only the later lead is flagged")

    def test_lead_of_existing_customer_is_flagged_with_the_customer(self):
        lead = self.Lead.with_user(self.salesman).create({
            "name": "Scaffolding", "type": "lead", "partner_name": "Travimex Costruzioni Spa",
            "email_from": "info@travimex.it", "country_id": self.italy.id})
        self.assertEqual(lead.cu_matched_partner_id, self.customer)
        self.assertFalse(lead.partner_id, "flagged, not linked: the lead keeps its own e-mail")

    def test_block_mode_refuses_api_create(self):
        self._set_mode("block")
        with self.assertRaisesRegex(UserError, "duplicates the open lead"):
            self.Lead.with_user(self.salesman).create(self._duplicate_values())

    def test_block_mode_is_not_bypassed_by_a_context_key(self):
        self._set_mode("block")
        with self.assertRaises(UserError):
            self.Lead.with_user(self.salesman).with_context(
                customer_unification_skip_check=True, mail_create_nolog=True, import_file=True,
            ).create(self._duplicate_values())

    def test_block_mode_refuses_import(self):
        self._set_mode("block")
        result = self.Lead.with_user(self.salesman).load(
            ["name", "type", "partner_name", "email_from"],
            [["Gates", "lead", "Orsolini Impianti srl", "marta@orsolini-impianti.it"]])
        self.assertFalse(result["ids"])
        self.assertIn("Orsolini", result["messages"][0]["message"])

    def test_block_mode_refuses_form(self):
        self._set_mode("block")
        form = Form(self.Lead.with_user(self.salesman).with_context(default_type="lead"))
        form.name = "Gates"
        form.partner_name = "Orsolini Impianti srl"
        form.email_from = "marta@orsolini-impianti.it"
        with self.assertRaisesRegex(UserError, "Orsolini"):
            form.save()

    def test_block_mode_lets_a_new_lead_and_a_lead_of_a_customer_in(self):
        self._set_mode("block")
        new = self.Lead.with_user(self.salesman).create({
            "name": "Windows", "type": "lead", "partner_name": "Zappacosta Arredi", "country_id": self.italy.id})
        customer_lead = self.Lead.with_user(self.salesman).create({
            "name": "Scaffolding", "type": "lead", "partner_name": "Travimex Costruzioni Spa",
            "email_from": "info@travimex.it", "country_id": self.italy.id})
        self.assertTrue(new)
        self.assertEqual(customer_lead.cu_matched_partner_id, self.customer)

    def test_leads_of_the_same_customer_are_repeat_business(self):
        """Two opportunities linked to the same customer are not duplicates: never blocked nor flagged."""
        self._set_mode("block")
        Lead = self.Lead.with_user(self.salesman)
        first = Lead.create({"name": "Scaffolding", "type": "opportunity", "partner_id": self.customer.id})
        second = Lead.create({"name": "Cranes", "type": "opportunity", "partner_id": self.customer.id})
        self.assertFalse((first | second).cu_duplicate_of_id)
        self.assertFalse(second.cu_duplicate_lead_ids)

    def test_block_mode_hides_an_unreadable_lead_in_the_refusal(self):
        self._set_mode("block")
        self.existing.user_id = self.other_salesman
        with self.assertRaises(UserError) as caught:
            self.Lead.with_user(self.salesman).create(self._duplicate_values())
        self.assertIn("open lead you cannot access", str(caught.exception))
        self.assertNotIn("Gates for the new plant", str(caught.exception))

    def test_unchecked_create_is_not_callable_over_rpc(self):
        with self.assertRaises(AccessError):
            get_public_method(self.Lead, "_cu_create_without_duplicate_check")

    # -- creation by e-mail -----------------------------------------------------------------------

    def _receive(self, subject, sender="Marta Orsolini <marta@orsolini-impianti.it>"):
        raw = INCOMING_EMAIL.format(sender=sender, sender_email=sender.split("<")[-1].rstrip(">"),
                                    to="sales@example.com", subject=subject, msg_id=subject.replace(" ", "."))
        thread_id = self.env["mail.thread"].message_process("crm.lead", raw)
        return self.Lead.browse(thread_id)

    def test_mail_gateway_flags_instead_of_blocking(self):
        self._set_mode("block")
        lead = self._receive("Sliding gates quotation")
        self.assertTrue(lead.exists(), "a lead received by e-mail is never lost")
        self.assertEqual(lead.contact_name, "Marta Orsolini")
        self.assertEqual(lead.cu_duplicate_of_id, self.existing)

    def test_message_new_over_rpc_is_no_gateway(self):
        """A user calling ``message_new`` himself is not the mail gateway: block mode refuses him."""
        self._set_mode("block")
        with self.assertRaises(UserError):
            self.Lead.with_user(self.salesman).message_new(
                {"subject": "Gates", "from": "Marta Orsolini <marta@orsolini-impianti.it>"},
                custom_values={"type": "lead", "partner_name": "Orsolini Impianti srl"})

    # -- merge ------------------------------------------------------------------------------------

    def test_merge_from_duplicates_links_matched_customer(self):
        """Odoo's merge wizard, opened from the duplicate lead, merges the leads and links the result
        to the customer they match."""
        first = self.Lead.with_user(self.salesman).create({
            "name": "Scaffolding", "type": "lead", "partner_name": "Travimex Costruzioni Spa",
            "email_from": "info@travimex.it", "country_id": self.italy.id})
        second = self.Lead.with_user(self.salesman).create({
            "name": "Scaffolding (fair)", "type": "lead", "partner_name": "TRAVIMEX COSTRUZIONI",
            "phone": "051 9981122", "email_from": "info@travimex.it", "country_id": self.italy.id})
        action = second.with_user(self.salesman).action_cu_merge_duplicates()
        self.assertEqual(action["res_model"], "crm.merge.opportunity")
        wizard = Form(self.env["crm.merge.opportunity"].with_user(self.salesman).with_context(action["context"]))
        self.assertEqual(set(wizard.opportunity_ids.ids), {first.id, second.id})
        result = wizard.save().action_merge()
        merged = self.Lead.browse(result["res_id"])
        self.assertEqual(len((first | second).exists()), 1)
        self.assertEqual(merged.partner_id, self.customer)

    def test_merge_is_refused_without_crm_rights(self):
        duplicate = self.Lead.create(self._duplicate_values())
        with self.assertRaises(AccessError):
            duplicate.with_user(self.no_crm_user).action_cu_merge_duplicates()
        with self.assertRaises(AccessError):
            self.env["crm.merge.opportunity"].with_user(self.no_crm_user).create(
                {"opportunity_ids": [(6, 0, (duplicate | self.existing).ids)]})

    def test_merge_without_duplicate_is_a_clear_error(self):
        with self.assertRaisesRegex(UserError, "No open lead duplicates"):
            self.existing.with_user(self.salesman).action_cu_merge_duplicates()
