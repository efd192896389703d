from unittest.mock import patch

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .report_common import CrmErpReportCommon

MEASURES = [
    "pipeline_amount", "quotation_amount", "ordered_amount", "invoiced_amount", "paid_amount",
    "overdue_amount", "margin_amount",
]


@tagged("post_install", "-at_install")
class TestReportCustomer(CrmErpReportCommon):
    MODEL = "crm.erp.customer.report"

    def assertRow(self, record, source, date, company=None, **amounts):
        row = self._row(self.MODEL, record)
        self.assertEqual(len(row), 1, record.display_name)
        self.assertEqual(row.source, source)
        self.assertEqual(row.date, date)
        self.assertEqual(row.partner_id, self.customer_a if record != self.inv_b else self.customer_b)
        self.assertEqual(row.company_id, company or self.company_a)
        self.assertEqual(row.currency_id, (company or self.company_a).currency_id)
        for measure in MEASURES:
            self.assertAlmostEqual(row[measure], amounts.get(measure, 0.0), 2, f"{record.name} {measure}")

    def test_open_opportunity_weighted_on_commercial_partner(self):
        self.assertRow(self.opp_open, "opportunity", self._days(100), pipeline_amount=4000.0)

    def test_won_and_lost_opportunities_left_out(self):
        self.assertFalse(self._row(self.MODEL, self.opp_won))
        self.assertFalse(self._row(self.MODEL, self.opp_lost))

    def test_open_quotation_in_company_currency(self):
        self.assertRow(
            self.quote_eur, "quotation", self.quote_eur.date_order.date(), quotation_amount=1000.0
        )

    def test_cancelled_quotation_left_out(self):
        self.assertFalse(self._row(self.MODEL, self.quote_cancel))

    def test_confirmed_order(self):
        self.assertRow(self.order, "order", self.order.date_order.date(), ordered_amount=500.0)

    def test_partially_paid_overdue_invoice(self):
        self.assertRow(
            self.inv_partial, "invoice", self._days(-90), invoiced_amount=400.0, paid_amount=150.0,
            overdue_amount=250.0, margin_amount=400.0 - 4 * 30.0,
        )

    def test_foreign_currency_invoice_paid(self):
        self.assertRow(
            self.inv_eur, "invoice", self._days(-80), invoiced_amount=300.0, paid_amount=300.0,
            margin_amount=300.0,
        )

    def test_credit_note_counts_negative(self):
        self.assertRow(
            self.refund, "invoice", self._days(-40), invoiced_amount=-100.0, overdue_amount=-100.0,
            margin_amount=-(100.0 - 30.0),
        )

    def test_invoice_not_yet_due(self):
        self.assertRow(
            self.inv_recent, "invoice", self.today, invoiced_amount=200.0, margin_amount=200.0 - 60.0
        )

    def test_other_company_invoice_in_its_currency(self):
        self.assertRow(
            self.inv_company_b, "invoice", self._days(-10), company=self.company_b,
            invoiced_amount=1000.0, margin_amount=1000.0,
        )

    def test_customer_totals_per_company(self):
        groups = self.env[self.MODEL]._read_group(
            [("partner_id", "=", self.customer_a.id)], ["company_id"], [f"{m}:sum" for m in MEASURES],
        )
        totals = {company: values for company, *values in groups}
        self.assertEqual(
            [round(v, 2) for v in totals[self.company_a]],
            [4000.0 + 500.0, 1000.0, 500.0, 800.0, 450.0, 150.0, 280.0 + 300.0 - 70.0 + 140.0],
        )
        self.assertEqual(
            [round(v, 2) for v in totals[self.company_b]], [0.0, 0.0, 0.0, 1000.0, 0.0, 0.0, 1000.0]
        )

    def test_monthly_trend_groups_by_document_date(self):
        groups = self.env[self.MODEL]._read_group(
            [("partner_id", "=", self.customer_a.id), ("company_id", "=", self.company_a.id)],
            ["date:month"], ["invoiced_amount:sum"],
        )
        expected = {}
        for move in self.inv_partial | self.inv_eur | self.refund | self.inv_recent:
            expected.setdefault(self._month(move.invoice_date), 0.0)
            expected[self._month(move.invoice_date)] += move.amount_untaxed_signed
        got = {month: amount for month, amount in groups if amount}
        self.assertEqual(got, expected)

    def test_drill_down_opens_the_document(self):
        row = self._row(self.MODEL, self.inv_partial).with_user(self.salesperson_a)
        action = row.action_open_documents()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", self.inv_partial.id))

    def test_drill_down_from_several_rows_lists_documents(self):
        rows = self.env[self.MODEL].with_user(self.salesperson_a).search([
            ("partner_id", "=", self.customer_a.id), ("source", "=", "invoice"),
            ("company_id", "=", self.company_a.id),
        ])
        action = rows.action_open_documents()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(
            sorted(action["domain"][0][2]),
            sorted((self.inv_partial | self.inv_eur | self.refund | self.inv_recent).ids),
        )

    def test_pivot_opens_by_customer_months_collapsed(self):
        """The pivot opens on one line per customer, months not expanded (one click away)."""
        arch = self.env[self.MODEL].get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        pivot = etree.fromstring(arch)
        self.assertEqual([f.get("name") for f in pivot.iterfind("field[@type='row']")], ["partner_id"])
        self.assertFalse(pivot.findall("field[@type='col']"))

    def test_invoice_margin_one_row_per_invoice_with_several_lines(self):
        """An invoice of several product lines stays one row; its margin sums its lines."""
        invoice = self.inv_partial.copy({"invoice_date": self._days(-5)})
        invoice.invoice_line_ids[:1].copy({"move_id": invoice.id, "quantity": 2})
        invoice.action_post()
        self.env.flush_all()  # the report is a view over the tables
        lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        self.assertEqual(len(lines), 2)
        cost = sum(line.quantity * line.product_id.with_company(invoice.company_id).standard_price
                   for line in lines)
        self.assertRow(
            invoice, "invoice", self._days(-5), invoiced_amount=invoice.amount_untaxed_signed,
            overdue_amount=0.0 if invoice.invoice_date_due >= self.today else invoice.amount_residual_signed,
            margin_amount=-sum(lines.mapped("balance")) - cost,
        )

    # ------------------------------------------------------------------
    # The extension seam (issue 12): measure and branch registries
    # ------------------------------------------------------------------
    def _rebuild_view(self):
        """Re-create the view with the registries as patched by the test (rolled back with it)."""
        self.env["crm.erp.customer.report"].init()
        self.env.invalidate_all()

    def test_row_ids_derived_from_the_branch_key_and_stable(self):
        """Ids are unique across branches and the same after the view is built again."""
        report = self.env[self.MODEL].with_user(self.salesperson_a)
        documents = [self.opp_open, self.order, self.inv_partial]
        ids = [self._row(self.MODEL, record, report.env).id for record in documents]
        self.assertEqual(len(set(ids)), 3)
        keys = sorted(report._report_branches())
        for record, row_id, key in zip(documents, ids, ["opportunity", "order", "invoice"], strict=True):
            self.assertEqual(row_id, record.id * len(keys) + keys.index(key))
        self._rebuild_view()
        self.assertEqual([self._row(self.MODEL, record, report.env).id for record in documents], ids)
        all_ids = report.search([]).ids
        self.assertEqual(len(all_ids), len(set(all_ids)))

    def test_measure_registry_feeds_an_existing_branch(self):
        """A measure's value given for a branch key in the registry lands on that branch's rows
        only; the other branches read 0 (here the invoiced amount copied into the pipeline)."""
        report_class = type(self.env[self.MODEL])
        measures = report_class._report_measures

        def with_invoice_pipeline(model):
            return {**measures(model), "pipeline_amount": {"invoice": SQL("am.amount_untaxed_signed")}}

        with patch.object(report_class, "_report_measures", with_invoice_pipeline):
            self._rebuild_view()
            self.assertRow(
                self.inv_recent, "invoice", self.today, invoiced_amount=200.0,
                margin_amount=200.0 - 60.0, pipeline_amount=200.0,
            )
            self.assertRow(self.order, "order", self.order.date_order.date(), ordered_amount=500.0)

    def test_branch_columns_checked(self):
        """A branch missing a dimension, setting an unknown column or a measure the registry also
        gives for it is refused when the view is built."""
        report = self.env[self.MODEL]
        columns, body = report._branch_opportunities()
        incomplete = {name: value for name, value in columns.items() if name != "team_id"}
        with self.assertRaisesRegex(ValueError, "missing columns \\['team_id'\\]"):
            report._render_branch("opportunity", incomplete, body, slot=0, slots=1)
        with self.assertRaisesRegex(ValueError, "unknown columns \\['bogus_amount'\\]"):
            report._render_branch("opportunity", {**columns, "bogus_amount": SQL("1.0")}, body, slot=0, slots=1)
        report_class = type(report)
        measures = report_class._report_measures

        def twice(model):
            return {**measures(model), "pipeline_amount": {"opportunity": SQL("1.0")}}

        with patch.object(report_class, "_report_measures", twice), \
                self.assertRaisesRegex(ValueError, "measures set twice \\['pipeline_amount'\\]"):
            report._render_branch("opportunity", columns, body, slot=0, slots=1)

    def test_every_missing_measure_reads_zero(self):
        """A branch setting no measure yields 0 for all of them, in the registry's order."""
        report = self.env[self.MODEL]
        columns, body = report._branch_opportunities()
        del columns["pipeline_amount"]
        self.env.cr.execute(report._render_branch("opportunity", columns, body, slot=0, slots=1))
        row = self.env.cr.fetchone()
        self.assertEqual(len(row), len(report._report_columns()))
        self.assertEqual(list(row[-len(report._report_measures()):]), [0.0] * len(report._report_measures()))


@tagged("post_install", "-at_install")
class TestInvoiceMarginStored(CrmErpReportCommon):
    """The invoice margin is stored at posting (issue 11): product cost of that moment."""

    MODEL = "crm.erp.customer.report"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing = new_test_user(
            cls.env, login="report_billing", groups="account.group_account_invoice",
            company_id=cls.company_a.id, company_ids=[Command.set((cls.company_a | cls.company_b).ids)],
        )

    def _post_invoice(self, lines, move_type="out_invoice"):
        move = self.env["account.move"].with_user(self.billing).create({
            "move_type": move_type, "partner_id": self.customer_a.id, "invoice_date": self.today,
            "team_id": self.team_a.id, "invoice_user_id": self.salesperson_a.id,
            "invoice_line_ids": [Command.create({"tax_ids": [Command.clear()], **line}) for line in lines],
        })
        move.action_post()
        return move

    def assertMargin(self, move, amount):
        """Stored on the invoice and read as such by the report (as a salesperson)."""
        self.assertAlmostEqual(move.bridge_margin_amount, amount, 2)
        self.env.flush_all()
        self.env["crm.erp.customer.report"].invalidate_model()  # a view over the tables
        row = self._row(self.MODEL, move, self.env(user=self.salesperson_a))
        self.assertEqual(len(row), 1 if move.state == "posted" else 0)
        self.assertAlmostEqual(sum(row.mapped("margin_amount")), amount, 2)

    def test_invoice(self):
        """3 x 100 of a product costing 30: 300 - 90."""
        move = self._post_invoice([{"product_id": self.product.id, "quantity": 3.0, "price_unit": 100.0}])
        self.assertMargin(move, 210.0)

    def test_credit_note(self):
        """A credit note of 2 x 100: revenue and cost both count back, -(200 - 60)."""
        move = self._post_invoice(
            [{"product_id": self.product.id, "quantity": 2.0, "price_unit": 100.0}], move_type="out_refund")
        self.assertMargin(move, -140.0)

    def test_line_in_another_unit(self):
        """2 dozens at 1,000 a dozen of a product costing 30 a unit: 2,000 - 24 x 30; a line
        without product has no cost."""
        move = self._post_invoice([
            {"product_id": self.product.id, "quantity": 2.0, "price_unit": 1000.0,
             "product_uom_id": self.env.ref("uom.product_uom_dozen").id},
            {"name": "Service without product", "quantity": 1.0, "price_unit": 50.0},
        ])
        self.assertMargin(move, 2000.0 - 720.0 + 50.0)

    def test_cost_change_after_posting_keeps_the_margin(self):
        move = self._post_invoice([{"product_id": self.product.id, "quantity": 1.0, "price_unit": 100.0}])
        self.product.with_company(self.company_a).standard_price = 80.0
        self.assertMargin(move, 70.0)

    def test_reset_to_draft_and_post_again_takes_the_new_cost(self):
        move = self._post_invoice([{"product_id": self.product.id, "quantity": 1.0, "price_unit": 100.0}])
        self.assertMargin(move, 70.0)
        move.button_draft()
        self.assertMargin(move, 0.0)
        self.product.with_company(self.company_a).standard_price = 80.0
        move.action_post()
        self.assertMargin(move, 20.0)

    def test_backfill_applies_the_same_rule(self):
        """The statement run when the field is created gives the margins posting gave."""
        moves = self.inv_partial | self.refund | self.inv_recent | self.inv_company_b
        posted = moves.mapped("bridge_margin_amount")
        self.assertEqual(posted, [280.0, -70.0, 140.0, 1000.0])
        self.env.cr.execute("UPDATE account_move SET bridge_margin_amount = NULL WHERE id IN %s", [tuple(moves.ids)])
        self.env["account.move"]._bridge_store_all_margins()
        self.assertEqual(moves.mapped("bridge_margin_amount"), posted)

    def test_vendor_bill_has_no_margin(self):
        bill = self.env["account.move"].with_user(self.billing).create({
            "move_type": "in_invoice", "partner_id": self.customer_a.id, "invoice_date": self.today,
            "invoice_line_ids": [Command.create({"product_id": self.product.id, "quantity": 1.0,
                                                 "price_unit": 100.0, "tax_ids": [Command.clear()]})],
        })
        bill.sudo().action_post()
        self.assertFalse(bill.bridge_margin_amount)

    def test_user_without_invoicing_rights_cannot_read_it(self):
        with self.assertRaises(AccessError):
            self.inv_recent.with_user(self.internal_user).bridge_margin_amount  # noqa: B018
