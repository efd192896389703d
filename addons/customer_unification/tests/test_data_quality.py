from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CustomerUnificationMatchCase


@tagged("post_install", "-at_install")
class TestDataQuality(CustomerUnificationMatchCase):
    def test_dashboard_counts_invalid_vat(self):
        dashboard = self.env["customer.data.quality"].with_user(self.unif_user).create({})
        before = dashboard.vat_invalid_count
        self._company("Vatbroken Srl", vat="IT00743110158")
        dashboard.invalidate_recordset()
        self.assertEqual(dashboard.vat_invalid_count, before + 1)

    def test_indicator_opens_partners(self):
        partner = self._person("Nomail Person Quality")
        dashboard = self.env["customer.data.quality"].with_user(self.unif_user).create({})
        action = dashboard.with_context(indicator="email_missing").action_open_indicator()
        self.assertEqual(action["res_model"], "res.partner")
        self.assertIn(partner, self.env["res.partner"].search(action["domain"]))

    def test_salesman_has_no_dashboard(self):
        with self.assertRaises(AccessError):
            self.env["customer.data.quality"].with_user(self.salesman).create({})
