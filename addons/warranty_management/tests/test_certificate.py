from datetime import date

from odoo.tests import tagged

from .common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestCertificate(WarrantyCommon):

    def test_warranty_user_prints_certificate(self):
        self.policy.terms = "<p>Core test terms: keep the receipt.</p>"
        lot = self._make_serials(self.serial_product, ["CT-CE-001"])
        registration = self._register(self.consumer, self.serial_product, lot, start=date(2025, 1, 10))
        report = self.env["ir.actions.report"].with_user(self.warranty_user)
        html, __ = report._render_qweb_html(
            "warranty_management.warranty_certificate_report_action", registration.ids)
        html = html.decode()
        self.assertIn("CT-CE-001", html)
        self.assertIn("Core test terms: keep the receipt.", html)
        self.assertIn(registration.name, html)
