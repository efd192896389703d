"""One customer master across the suite: a merge moves CRM, sales, invoicing and warranty
documents to the surviving customer, the 360° timeline shows them all, and undo puts every
document back where it was."""

from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

DOCUMENT_MODELS = ("crm.lead", "sale.order", "account.move", "warranty.registration", "warranty.claim")


@tagged("post_install", "-at_install")
class TestCustomerMasterAcrossAddons(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unification_manager = new_test_user(
            cls.env,
            login="cross_unification_manager",
            groups="base.group_user,customer_unification.group_customer_unification_manager",
        )
        Partner = cls.env["res.partner"]
        cls.master = Partner.create({"name": "Ferramenta Rossi S.r.l.", "is_company": True,
                                     "email": "info@ferramenta-rossi.example"})
        cls.legacy = Partner.create({"name": "FERRAMENTA ROSSI SRL", "is_company": True,
                                     "email": "Info@Ferramenta-Rossi.example"})
        policy = cls.env["warranty.policy"].create({"name": "Two years", "duration": 2, "duration_unit": "year"})
        cls.product = cls.env["product.product"].create({
            "name": "Cordless drill X1", "type": "consu", "list_price": 120.0, "warranty_policy_id": policy.id,
        })
        cls.lead = cls.env["crm.lead"].create({
            "name": "Drills for the new shop", "type": "opportunity", "partner_id": cls.legacy.id,
        })
        cls.order = cls.env["sale.order"].create({
            "partner_id": cls.legacy.id,
            "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 2})],
        })
        cls.order.action_confirm()
        cls.invoice = cls.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": cls.legacy.id,
            "invoice_line_ids": [Command.create({"product_id": cls.product.id, "quantity": 2, "price_unit": 120.0})],
        })
        cls.invoice.action_post()
        cls.registration = cls.env["warranty.registration"].create({
            "partner_id": cls.legacy.id, "product_id": cls.product.id,
        })
        cls.claim = cls.env["warranty.claim"].create({
            "partner_id": cls.legacy.id, "product_id": cls.product.id, "registration_id": cls.registration.id,
        })
        cls.documents = (cls.lead, cls.order, cls.invoice, cls.registration, cls.claim)

    def _counts(self):
        return {model: self.env[model].with_context(active_test=False).search_count([]) for model in DOCUMENT_MODELS}

    def _owners(self):
        return {(doc._name, doc.id): doc.partner_id for doc in self.documents}

    def test_merge_moves_every_document_and_undo_restores_them(self):
        counts_before = self._counts()
        self.assertEqual(set(self._owners().values()), {self.legacy})

        log = self.env["base.partner.merge.automatic.wizard"].with_user(self.unification_manager).merge_partners(
            self.master | self.legacy, master=self.master, reason="Same customer imported from the legacy CRM",
        )
        self.env.invalidate_all()
        self.assertEqual(set(self._owners().values()), {self.master})
        self.assertFalse(self.legacy.active, "the merged source is archived, not deleted")
        self.assertEqual(self._counts(), counts_before, "a merge neither creates nor deletes documents")

        log.with_user(self.unification_manager).action_undo()
        self.env.invalidate_all()
        self.assertEqual(set(self._owners().values()), {self.legacy})
        self.assertTrue(self.legacy.active)
        self.assertEqual(self._counts(), counts_before)

    def test_timeline_of_the_surviving_customer_shows_documents_of_both_addons(self):
        self.env["base.partner.merge.automatic.wizard"].with_user(self.unification_manager).merge_partners(
            self.master | self.legacy, master=self.master, reason="Same customer",
        )
        timeline = self.env["crm.erp.timeline"].get_timeline(self.master, limit=200)
        shown = {(event["res_model"], event["res_id"]) for event in timeline["events"]}
        for document in (self.lead, self.order, self.invoice, self.claim):
            self.assertIn((document._name, document.id), shown)
