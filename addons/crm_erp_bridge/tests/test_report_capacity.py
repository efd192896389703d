from odoo.tests import tagged

from .report_common import CrmErpReportCommon


@tagged("post_install", "-at_install")
class TestReportCapacity(CrmErpReportCommon):
    MODEL = "crm.erp.capacity.report"

    def _line_row(self, order):
        return self.env[self.MODEL].search([("res_id", "=", order.id), ("res_model", "=", "sale.order")])

    def test_confirmed_backlog_quantity_to_deliver(self):
        row = self._line_row(self.order)
        self.assertEqual(len(row), 1)
        self.assertEqual((row.component, row.date), ("backlog", self._days(45)))
        self.assertEqual((row.product_id, row.categ_id, row.uom_id),
                         (self.product, self.category, self.product.uom_id))
        self.assertAlmostEqual(row.backlog_qty, 10.0, 3)
        self.assertAlmostEqual(row.pipeline_qty, 0.0, 3)
        self.assertAlmostEqual(row.total_qty, 10.0, 3)

    def test_quotation_lines_weighted_in_product_unit(self):
        row = self._line_row(self.quote_eur)
        self.assertEqual((row.component, row.date), ("pipeline", self._days(30)))
        # 2 dozen = 24 units, at the team's 50 % conversion rate
        self.assertAlmostEqual(row.pipeline_qty, 12.0, 3)
        self.assertAlmostEqual(row.backlog_qty, 0.0, 3)

    def test_cancelled_quotation_left_out(self):
        self.assertFalse(self._line_row(self.quote_cancel))

    def test_by_category_and_month(self):
        groups = self.env[self.MODEL]._read_group(
            [("categ_id", "=", self.category.id)], ["date:month", "component"],
            ["backlog_qty:sum", "pipeline_qty:sum", "total_qty:sum"],
        )
        got = {(month, component): [round(v, 3) for v in values] for month, component, *values in groups}
        self.assertEqual(got, {
            (self._month(self._days(45)), "backlog"): [10.0, 0.0, 10.0],
            (self._month(self._days(30)), "pipeline"): [0.0, 12.0, 12.0],
        })
