import ast
import pathlib
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import WarrantyCommon
from .common_costs import WarrantyCostCommon

ADDON_DIR = pathlib.Path(__file__).resolve().parent.parent
# Context keys that only change presentation or ORM behaviour (never a control).
# mail_activity_quick_update: no "assigned to you" e-mail for the activities of the late-claim escalation.
PRESENTATION_CONTEXT_KEYS = {"lang", "tz", "active_test", "tracking_disable", "mail_create_nolog",
                             "mail_create_nosubscribe", "default_company_id", "mail_activity_quick_update"}


@tagged("post_install", "-at_install")
class TestNoContextKeyControls(TransactionCase):
    """A control switched off by a context key can be switched off by any RPC caller."""

    def _python_files(self):
        return [path for path in ADDON_DIR.rglob("*.py") if "tests" not in path.parts]

    def test_no_context_get_in_business_code(self):
        offenders = []
        for path in self._python_files():
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr == "context" \
                        and isinstance(node.ctx, ast.Load):
                    parent_source = ast.unparse(node)
                    if parent_source.endswith("env.context"):
                        offenders.append(f"{path.relative_to(ADDON_DIR)}:{node.lineno}")
        self.assertEqual(offenders, [], "Business code must not read the context to decide a control")

    def test_with_context_keys_are_presentation_only(self):
        offenders = []
        for path in self._python_files():
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr == "with_context":
                    keys = {keyword.arg for keyword in node.keywords}
                    unknown = keys - PRESENTATION_CONTEXT_KEYS
                    if unknown:
                        offenders.append(f"{path.relative_to(ADDON_DIR)}:{node.lineno} {sorted(unknown)}")
        self.assertEqual(offenders, [])


@tagged("post_install", "-at_install")
class TestPostedCostLinesLocked(WarrantyCostCommon):

    def _post(self):
        lines = self._add_costs(user=self.warranty_user)
        self.claim.with_user(self.warranty_manager).action_post_costs()
        return lines

    def test_posting_context_key_does_not_unlock_posted_lines(self):
        lines = self._post()
        with self.assertRaisesRegex(UserError, "cannot be modified"):
            lines.with_user(self.warranty_user).with_context(warranty_cost_posting=True).write({"state": "draft"})
        self.assertEqual(set(lines.mapped("state")), {"posted"})

    def test_reset_and_repost_is_impossible(self):
        lines = self._post()
        with self.assertRaises(UserError):
            lines.with_user(self.warranty_manager).with_context(warranty_cost_posting=True).write(
                {"state": "draft", "move_id": False})
        with self.assertRaisesRegex(UserError, "no draft cost"):
            self.claim.with_user(self.warranty_manager).action_post_costs()
        self.assertEqual(len(self.env["account.move"].search([
            ("warranty_claim_id", "=", self.claim.id), ("move_type", "=", "entry")])), 1)

    def test_draft_line_cannot_be_marked_posted_by_hand(self):
        lines = self._add_costs(user=self.warranty_user)
        with self.assertRaisesRegex(UserError, "only by the Post Costs action"):
            lines[0].with_user(self.warranty_manager).write({"state": "posted"})
        with self.assertRaisesRegex(UserError, "only by the Post Costs action"):
            lines[0].with_user(self.warranty_manager).write({"provision_used_amount": 10.0})

    def test_cost_line_cannot_be_created_posted(self):
        with self.assertRaisesRegex(UserError, "only by the Post Costs action"):
            self.env["warranty.claim.cost.line"].with_user(self.warranty_user).create({
                "claim_id": self.claim.id, "cost_type": "travel", "unit_cost": 10.0, "state": "posted"})


@tagged("post_install", "-at_install")
class TestRegistrationCompanyChecked(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Core test other company"})
        cls.foreign_partner = cls.env["res.partner"].create({
            "name": "Core test foreign customer", "company_id": cls.other_company.id})

    def test_trusted_batch_context_key_does_not_skip_company_check(self):
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.env["warranty.registration"].with_user(self.warranty_user).with_context(
                warranty_trusted_batch=True).create({
                    "partner_id": self.foreign_partner.id,
                    "product_id": self.plain_product.id,
                    "start_date": date(2025, 1, 10),
                })


@tagged("post_install", "-at_install")
class TestExtensionStaysOnItsOrder(WarrantyCommon):

    def test_same_order_context_key_does_not_spread_extension(self):
        order_policy = self.env["warranty.policy"].create({
            "name": "Core test order trigger", "duration": 1, "duration_unit": "year", "start_trigger": "order"})
        product = self.env["product.product"].create({
            "name": "Core test kettle", "is_storable": True, "warranty_policy_id": order_policy.id})
        extension = self.env["product.product"].create({
            "name": "Core test +24 months", "type": "service",
            "warranty_extension": True, "warranty_extension_months": 24,
        })
        buyer_order = self.env["sale.order"].create({"partner_id": self.business.id, "order_line": [
            Command.create({"product_id": product.id, "product_uom_qty": 1}),
            Command.create({"product_id": extension.id, "product_uom_qty": 1})]})
        other_order = self.env["sale.order"].create({"partner_id": self.other_customer.id, "order_line": [
            Command.create({"product_id": product.id, "product_uom_qty": 1})]})
        (buyer_order | other_order).with_context(warranty_same_order_only=False).action_confirm()
        other = self.env["warranty.registration"].search([("sale_order_id", "=", other_order.id)])
        self.assertEqual(len(other), 1)
        self.assertFalse(other.extension_ids, "another customer's order never gets the extension")
        mine = self.env["warranty.registration"].search([("sale_order_id", "=", buyer_order.id)])
        self.assertEqual(mine.extension_ids.months, 24)


@tagged("post_install", "-at_install")
class TestReactivationRights(WarrantyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registration = cls._register(cls.business, cls.plain_product, start=date(2025, 1, 10))
        cls.registration._close("Core test closed")

    def test_warranty_user_cannot_reactivate_by_rpc(self):
        with self.assertRaises(AccessError):
            self.registration.with_user(self.warranty_user).action_reactivate()
        self.assertEqual(self.registration.state, "closed")

    def test_manager_reactivates_and_it_is_logged(self):
        self.registration.with_user(self.warranty_manager).action_reactivate()
        self.assertEqual(self.registration.state, "active")
        self.assertIn("Reactivated by", self.registration.message_ids[0].body)


@tagged("post_install", "-at_install")
class TestActionsCheckAccess(WarrantyCostCommon):
    """Buttons returning an action check the user may read (or change) the record first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other_company = cls.env["res.company"].create({"name": "Core test actions other company"})
        cls.stranger = new_test_user(
            cls.env, "wacct_stranger", groups="warranty_management.group_warranty_manager",
            company_id=other_company.id, company_ids=[Command.set(other_company.ids)])

    def test_other_company_user_refused(self):
        self.policy.company_id = self.company  # shared policies (no company) are readable by all
        for record, method in ((self.claim, "action_view_cost_moves"), (self.claim, "action_view_supplier_claims"),
                               (self.policy, "action_view_registrations"),
                               (self.registration, "action_open_transfer_wizard")):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(record.with_user(self.stranger), method)()

    def test_warranty_user_opens_transfer_wizard(self):
        action = self.registration.with_user(self.warranty_user).action_open_transfer_wizard()
        self.assertEqual(action["res_model"], "warranty.registration.transfer")
