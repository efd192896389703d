"""Every menu, view and filter of the suite opens in Chromium without an error.

Odoo's own click-everywhere bot walks each app: it opens every menu, switches every view type
and toggles every filter, failing on any client error. The suite's apps are walked as an
administrator and as their least-privileged users.
"""

from odoo.tests import HttpCase, new_test_user, tagged

CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    ".startClickEverywhere('%s');"
)


@tagged("post_install", "-at_install")
class TestClickEverywhere(HttpCase):
    allow_end_on_form = True

    def _click_app(self, menu_xmlid, login):
        self.browser_js(
            "/odoo",
            CLICKBOT % menu_xmlid,
            "odoo.isReady === true",
            login=login,
            timeout=900,
            success_signal="clickbot test succeeded",
        )

    def test_unification_app_as_manager(self):
        self._click_app("customer_unification.menu_customer_unification_root", "admin")

    def test_unification_app_as_user(self):
        new_test_user(self.env, login="cu_clickbot", groups="customer_unification.group_customer_unification_user")
        self._click_app("customer_unification.menu_customer_unification_root", "cu_clickbot")

    def test_warranty_app_as_manager(self):
        self._click_app("warranty_management.menu_warranty_root", "admin")

    def test_warranty_app_as_user(self):
        new_test_user(self.env, login="w_clickbot", groups="warranty_management.group_warranty_user")
        self._click_app("warranty_management.menu_warranty_root", "w_clickbot")

    def test_sales_app_with_bridge_as_salesman(self):
        new_test_user(self.env, login="b_clickbot", groups="sales_team.group_sale_salesman")
        self._click_app("sale.sale_menu_root", "b_clickbot")
