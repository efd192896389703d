import gc
from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestInstalledBase(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create({"name": "Core test bar owner", "parent_id": cls.business.id})
        cls.lot = cls._make_serials(cls.serial_product, ["CT-IB-001"])
        cls.registration = cls._register(cls.business, cls.serial_product, cls.lot, start=date(2025, 1, 10))
        cls.claim = cls.env["warranty.claim"].create({
            "partner_id": cls.contact.id, "lot_id": cls.lot.id, "claim_date": date(2025, 3, 1)})

    def test_installed_base_counted_on_every_contact(self):
        partner = self.contact.with_user(self.warranty_user)
        self.assertEqual(partner.warranty_registration_count, 1)
        self.assertEqual(partner.warranty_claim_count, 1)

    def test_installed_base_action_lists_company_units(self):
        action = self.contact.with_user(self.warranty_user).action_view_installed_base()
        found = self.env["warranty.registration"].search(action["domain"])
        self.assertEqual(found, self.registration)

    def test_plain_employee_cannot_read_installed_base_count(self):
        with self.assertRaises(AccessError):
            self.contact.with_user(self.plain_employee).read(["warranty_registration_count"])

    def test_timeline_sources_return_registrations_and_claims(self):
        timeline = self.env["crm.erp.timeline"].with_user(self.warranty_user)
        sources = timeline._get_event_sources()
        partner_ids = (self.business | self.contact).ids
        registrations = sources["warranty_registration"](timeline._timeline_query(partner_ids, limit=10))
        claims = sources["warranty_claim"](
            timeline._timeline_query(partner_ids, date(2025, 1, 1), date(2025, 12, 31), limit=10))
        self.assertEqual([event["res_id"] for event in registrations], [self.registration.id])
        self.assertEqual([event["res_id"] for event in claims], [self.claim.id])
        self.assertEqual(claims[0]["event_type"], "warranty_claim")
        self.assertEqual(claims[0]["partner_id"], self.contact.id)
        self.assertIn("warranty_claim", dict(timeline._get_event_types()))

    def _count_timeline_queries(self):
        timeline = self.env["crm.erp.timeline"].with_user(self.warranty_user)
        self.env.invalidate_all()
        gc.collect()  # environments left by earlier calls keep cached records until collected
        before = self.cr.sql_log_count
        events = timeline._events_warranty_registration(timeline._timeline_query(self.business.ids, limit=50))
        return self.cr.sql_log_count - before, len(events)

    def test_timeline_source_query_count_is_constant(self):
        self._register(self.business, self.plain_product, start=date(2025, 2, 1))
        self._count_timeline_queries()  # warm the registry caches (access rights, rules)
        few_queries, few_events = self._count_timeline_queries()
        lots = self._make_serials(self.serial_product, [f"CT-IB-1{index:02d}" for index in range(10)])
        for index, lot in enumerate(lots):
            self._register(self.business, self.serial_product, lot, start=date(2025, 2, index + 1))
        many_queries, many_events = self._count_timeline_queries()
        self.assertEqual(many_events - few_events, 10)
        self.assertEqual(many_queries, few_queries)

    def test_timeline_empty_for_user_without_warranty_rights(self):
        timeline = self.env["crm.erp.timeline"].with_user(self.plain_employee)
        self.assertEqual(timeline._events_warranty_claim(timeline._timeline_query(self.business.ids, limit=10)), [])


@tagged("post_install", "-at_install")
class TestMultiCompany(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Core test company B"})
        cls.policy.company_id = False  # shared between the companies
        cls.registration_b = cls.env["warranty.registration"].with_company(cls.company_b).create({
            "partner_id": cls.business.id,
            "product_id": cls.plain_product.id,
            "company_id": cls.company_b.id,
            "start_date": date(2025, 1, 10),
        })

    def test_user_of_company_a_does_not_see_company_b_registrations(self):
        found = self.env["warranty.registration"].with_user(self.warranty_user).search(
            [("id", "=", self.registration_b.id)])
        self.assertFalse(found)

    def test_entitlement_ignores_other_company_registrations(self):
        result = self.env["warranty.registration"]._check_entitlement(
            partner=self.business, product=self.plain_product, date=date(2025, 6, 1))
        self.assertFalse(result["covered"])
        result_b = self.env["warranty.registration"].with_company(self.company_b)._check_entitlement(
            partner=self.business, product=self.plain_product, date=date(2025, 6, 1))
        self.assertEqual(result_b["registration"], self.registration_b)
