"""Each customised rule is checked through the path production takes (cron, delivery,
claim intake, confirmation, timeline page, report pivot and export), not by calling the overridden
method."""
import io

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_erp_bridge.tests.common_followup import CrmErpBridgeFollowupCommon
from odoo.addons.crm_erp_bridge.tests.report_common import CrmErpReportCommon
from odoo.addons.warranty_management.tests.common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestExampleFollowupRule(CrmErpBridgeFollowupCommon):

    def test_cron_skips_small_quotations(self):
        small = self._sent_quotation(days_ago=4, price=100.0)
        big = self._sent_quotation(days_ago=4, price=1000.0)
        self.env["sale.order"]._cron_bridge_followup()
        self.assertFalse(self._followup_logs(small))
        self.assertEqual(self._followup_logs(big).followup_step_id, self.step_email)


@tagged("post_install", "-at_install")
class TestExampleCreditRule(CrmErpBridgeFollowupCommon):

    def test_confirmation_allows_the_grace_amount(self):
        self.company.write({"bridge_credit_block": True, "account_use_credit_limit": True,
                            "bridge_overdue_days_threshold": 30})
        self.customer.credit_limit = 100.0
        self._create_invoice(price=100.0)
        order = self._create_order(user=self.salesman, price=100.0).with_user(self.salesman)
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            order.action_confirm()
        self.company.example_credit_grace_amount = 300.0
        order.action_confirm()
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install")
class TestExampleTimelineSource(CrmErpBridgeFollowupCommon):

    def test_timeline_page_shows_contacts_added(self):
        colleague = self.env["res.partner"].create({"name": "Example new buyer", "parent_id": self.customer.id})
        timeline = self.env["crm.erp.timeline"].with_user(self.salesman)
        data = timeline.get_timeline_data(self.customer.id, event_types=["contact_added"])
        self.assertIn(("contact_added", "res.partner", colleague.id),
                      {(e["event_type"], e["res_model"], e["res_id"]) for e in data["events"]})
        self.assertIn(["contact_added", "Contact added"], data["event_types"])


@tagged("post_install", "-at_install")
class TestExampleCoverageRule(WarrantyCommon):

    def test_claims_after_the_first_year_get_no_labour(self):
        lot = self._make_serials(self.serial_product, ["EXAMPLE-001"])
        self._deliver(self._sell(self.consumer, self.serial_product, 1), lot)  # consumer: 24 months
        registration = self.env["warranty.registration"].search([("lot_id", "=", lot.id)])
        claims = self.env["warranty.claim"].with_user(self.warranty_user).create([
            {"partner_id": self.consumer.id, "lot_id": lot.id,
             "claim_date": registration.start_date + relativedelta(months=months)}
            for months in (6, 18)
        ])
        self.assertEqual(claims.mapped("coverage_labor_pct"), [50.0, 0.0])
        self.assertEqual(claims.mapped("coverage_parts_pct"), [100.0, 100.0])


@tagged("post_install", "-at_install")
class TestExampleMatchingRule(TransactionCase):

    def _scan_namesakes(self):
        """Two namesakes in one town with the same customer reference, two with different ones;
        a full scan: the pairs (possibly empty) of the first two and of the last two."""
        town = {"city": "Gallarate", "is_company": False}
        same_a, same_b, other_a, other_b = self.env["res.partner"].create([
            {**town, "name": "Ettore Quadrelli", "ref": "K-1045"},
            {**town, "name": "Ettore Quadrelli", "ref": "K-1045"},
            {**town, "name": "Ottavio Brambati", "ref": "K-2087"},
            {**town, "name": "Ottavio Brambati", "ref": "C-7731"},
        ])
        self.env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
        pairs = self.env["customer.duplicate.pair"].search([("partner_a_id", "in", (same_a | other_a).ids)])
        return (pairs.filtered(lambda p: p.partner_b_id == same_b),
                pairs.filtered(lambda p: p.partner_b_id == other_b))

    def test_full_scan_compares_the_customer_reference(self):
        """Same name and town only: not enough to propose a pair (probability about 0.7 with the
        default weights), unless the customer reference agrees too."""
        self.env.ref("customer_unification.customer_match_rule_individual").write(
            {"scoring": "learned", "threshold": 0.9})
        same, other = self._scan_namesakes()
        self.assertEqual(len(same), 1)
        ref_line = [line for line in same.explanation if line["field"] == "ref"]
        self.assertEqual([line["level"] for line in ref_line], ["exact"])
        self.assertFalse(other)

    def test_manual_rule_line_can_compare_the_customer_reference(self):
        """The same entry offers the field to manual rules (an override): a line on it,
        added by the consultant in the rule form, scores it in the full scan."""
        rule = self.env.ref("customer_unification.customer_match_rule_individual")
        self.assertIn("ref", dict(self.env["customer.match.rule.line"]._selection_field()))
        rule.write({"scoring": "manual", "threshold": 0.7,
                    "line_ids": [Command.create({"field": "ref", "comparator": "exact", "weight": 0.4})]})
        same, other = self._scan_namesakes()
        ref_line = [line for line in same.explanation if line["field"] == "ref"]
        self.assertEqual([(line["label"], line["contribution"]) for line in ref_line], [("Customer Reference", 0.4)])
        self.assertFalse(other)


@tagged("post_install", "-at_install")
class TestExampleCustomerReportMeasure(CrmErpReportCommon):

    def test_pivot_and_export_show_what_is_left_to_invoice(self):
        """The order of 10 x 50, 4 units invoiced: 300 left to invoice, on the order row only."""
        invoice = self.order._create_invoices()
        invoice.invoice_line_ids.quantity = 4.0
        invoice.action_post()
        self.env.flush_all()
        domain = [("partner_id", "=", self.customer_a.id), ("company_id", "=", self.company_a.id)]
        report = self.env["crm.erp.customer.report"].with_user(self.salesperson_a)
        pivot = report.web_read_group(domain, ["example_to_invoice_amount:sum"], ["source"])
        by_source = {group["source"]: group["example_to_invoice_amount"] for group in pivot["groups"]}
        self.assertEqual(by_source.pop("order"), 300.0)
        self.assertFalse(any(by_source.values()))
        self.assertIn("example_to_invoice_amount", report.fields_get(attributes=["type"]))
        __, content = self.env["crm.erp.report.xlsx"].with_user(self.salesperson_a).with_context(
            allowed_company_ids=self.company_a.ids)._export_xlsx("customer", domain)
        rows = list(openpyxl.load_workbook(io.BytesIO(content), data_only=True)["By Customer"].values)
        column = rows[0].index("Ordered, To Invoice")
        self.assertEqual((rows[1][0], rows[1][column]), (self.customer_a.display_name, 300.0))
