from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestClaimSla(WarrantyCommon):
    """Late claims: stored flag, 'Late Claims' filter, escalation cron (chunked, isolated, idempotent)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lots = cls._make_serials(cls.serial_product, ["CT-SLA-001", "CT-SLA-002", "CT-SLA-003"])
        for lot in cls.lots:
            cls._register(cls.business, cls.serial_product, lot, start=fields.Date.today() - timedelta(days=30))
        cls.today = fields.Date.today()
        # claims already in the database (demo data) are out of the cron's way
        cls.env["warranty.claim"].search([]).write({"sla_escalated_stage": "resolution"})

    def _claims(self, count=1):
        return self.env["warranty.claim"].with_user(self.warranty_user).create([
            {"partner_id": self.business.id, "lot_id": lot.id} for lot in self.lots[:count]])

    def _late_activities(self, claims):
        return self.env["mail.activity"].search([
            ("res_model", "=", "warranty.claim"), ("res_id", "in", claims.ids), ("summary", "like", "Late claim")])

    def test_new_claim_is_not_late(self):
        claim = self._claims()
        self.assertEqual(claim.sla_review_deadline, self.today + timedelta(days=2))
        self.assertFalse(claim.sla_late)
        self.assertFalse(claim.sla_late_stage)

    def test_late_flag_and_filter_as_warranty_user(self):
        claim = self._claims()
        claim.sla_review_deadline = self.today - timedelta(days=1)
        self.assertTrue(claim.sla_late)
        self.assertEqual(claim.sla_late_stage, "review")
        found = self.env["warranty.claim"].with_user(self.warranty_user).search(
            [("sla_late", "=", True), ("id", "=", claim.id)])
        self.assertEqual(found, claim)
        claim.action_review()  # reviewed: no longer late for the review
        self.assertFalse(claim.sla_late)

    def test_plain_employee_cannot_list_late_claims(self):
        with self.assertRaises(AccessError):
            self.env["warranty.claim"].with_user(self.plain_employee).search([("sla_late", "=", True)])

    def test_company_default_sla_without_policy(self):
        product = self.env["product.product"].create({"name": "Core test no-policy kettle", "type": "consu"})
        self.company.write({"warranty_sla_review_days": 1, "warranty_sla_resolution_days": 5})
        claim = self.env["warranty.claim"].with_user(self.warranty_user).create({
            "partner_id": self.business.id, "product_id": product.id})
        self.assertFalse(claim.policy_id)
        self.assertEqual(claim.sla_review_deadline, self.today + timedelta(days=1))
        self.assertEqual(claim.sla_deadline, self.today + timedelta(days=5))

    def test_cron_flags_escalates_once_per_stage(self):
        claims = self._claims(2)
        with freeze_time(self.today + timedelta(days=3)):
            done, remaining = self.env["warranty.claim"]._cron_escalate_late_claims()
            self.assertEqual((done, remaining), (2, 0))
            self.assertEqual(set(claims.mapped("sla_late_stage")), {"review"})
            self.assertEqual(set(claims.mapped("sla_escalated_stage")), {"review"})
            activities = self._late_activities(claims)
            self.assertEqual(len(activities), 2)
            self.assertEqual(activities.user_id, self.warranty_user)
            self.assertIn(self.warranty_manager.partner_id, claims[0].message_partner_ids)
            self.assertIn("Escalated to the warranty managers", claims[0].message_ids[0].body)
            # run again the same day: nothing new
            self.assertEqual(self.env["warranty.claim"]._cron_escalate_late_claims(), (0, 0))
            self.assertEqual(len(self._late_activities(claims)), 2)
        claims[0].action_review()
        with freeze_time(self.today + timedelta(days=11)):
            self.env["warranty.claim"]._cron_escalate_late_claims()
            self.assertEqual(claims[0].sla_escalated_stage, "resolution")
            self.assertEqual(len(self._late_activities(claims)), 4)
            self.env["warranty.claim"]._cron_escalate_late_claims()
            self.assertEqual(len(self._late_activities(claims)), 4)

    def test_resolved_claims_never_escalated(self):
        claim = self._claims()
        claim.write({"reject_reason": "Not a defect"})
        claim.action_reject()
        with freeze_time(self.today + timedelta(days=30)):
            self.assertEqual(self.env["warranty.claim"]._cron_escalate_late_claims(), (0, 0))
        self.assertFalse(self._late_activities(claim))

    def test_cron_chunks_and_isolates_a_bad_claim(self):
        claims = self._claims(3)
        bad = claims[1]
        model = type(self.env["warranty.claim"])
        original = model._prepare_late_activity_vals

        def failing(claim, stage):
            if claim == bad:
                raise ValueError("broken responsible")
            return original(claim, stage)

        with freeze_time(self.today + timedelta(days=3)), \
                patch.object(model, "_get_escalation_chunk_size", lambda self: 2), \
                patch.object(model, "_prepare_late_activity_vals", failing), \
                self.assertLogs("odoo.addons.crm_erp_bridge.models.crm_erp_batch_job", "ERROR") as logs:
            first = self.env["warranty.claim"]._cron_escalate_late_claims()
            second = self.env["warranty.claim"]._cron_escalate_late_claims()
            third = self.env["warranty.claim"]._cron_escalate_late_claims()
        self.assertEqual(first, (1, 1))   # claims 1 and 2: the bad one fails alone
        self.assertEqual(second, (1, 0))  # claim 3; the bad one waits for tomorrow
        self.assertEqual(third, (0, 0))
        self.assertEqual(len(logs.records), 1, "the bad claim is reported once")
        self.assertEqual((claims - bad).mapped("sla_escalated_stage"), ["review", "review"])
        self.assertFalse(bad.sla_escalated_stage)
        self.assertEqual(bad.job_error_date, self.today + timedelta(days=3))
        self.assertIn("broken responsible", bad.job_error)

    def test_overridden_late_rule_drives_flag_and_cron(self):
        claims = self._claims(2)
        model = type(self.env["warranty.claim"])
        original = model._get_sla_late_domains

        def only_first(self, today=None):
            return {stage: domain + [("id", "=", claims[0].id)] for stage, domain in original(self, today).items()}

        with freeze_time(self.today + timedelta(days=3)), patch.object(model, "_get_sla_late_domains", only_first):
            self.assertEqual(self.env["warranty.claim"]._cron_escalate_late_claims(), (1, 0))
        self.assertEqual(claims.mapped("sla_late"), [True, False])
        self.assertEqual(len(self._late_activities(claims)), 1)
