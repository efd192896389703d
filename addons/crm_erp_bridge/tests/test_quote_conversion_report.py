from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_followup import CrmErpBridgeFollowupCommon


@tagged("post_install", "-at_install")
class TestQuoteConversionReport(CrmErpBridgeFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.won = cls._sent_quotation(days_ago=4)
        cls.env["crm.erp.cadence.engine"]._run("sale.order", record_ids=cls.won.ids)
        cls.won.action_confirm()
        cls.expired = cls._sent_quotation(days_ago=1, validity_in=-1)
        cls.expired._bridge_mark_expired()
        cls.open_quote = cls._sent_quotation(days_ago=0)
        cls.other = cls._sent_quotation(days_ago=0, user=cls.other_salesman)
        cls.env.flush_all()

    def _figures(self, user):
        Report = self.env["crm.erp.quote.conversion.report"].with_user(user)
        domain = [("order_id", "in", (self.won | self.expired | self.open_quote | self.other).ids)]
        [row] = Report.read_group(
            domain,
            ["quotation_count:sum", "conversion_rate:avg", "expiry_rate:avg", "followups_per_won:avg"],
            [],
        )
        return row

    def test_salesman_sees_rates_of_own_quotations(self):
        row = self._figures(self.salesman)
        self.assertEqual(row["quotation_count"], 3)
        # confirmed / (confirmed + cancelled + expired): the open quotation is undecided
        self.assertAlmostEqual(row["conversion_rate"], 50.0, places=2)
        self.assertAlmostEqual(row["expiry_rate"], 100 / 3, places=2)
        self.assertEqual(row["followups_per_won"], 1)

    def test_manager_sees_all_salespeople(self):
        self.assertEqual(self._figures(self.bridge_manager)["quotation_count"], 4)

    def test_days_to_confirm_measured_on_won_quotations(self):
        self.env.cr.execute(
            "UPDATE sale_order SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=5), self.won.id),
        )
        self.env.invalidate_all()
        line = self.env["crm.erp.quote.conversion.report"].search([("order_id", "=", self.won.id)])
        self.assertAlmostEqual(line.days_to_confirm, 5, delta=0.1)
