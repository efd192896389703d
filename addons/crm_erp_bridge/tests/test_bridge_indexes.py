from contextlib import closing

from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_erp_bridge import uninstall_hook
from odoo.addons.crm_erp_bridge.models.bridge_index import bridge_indexed_models

#: the indexes the bridge adds to other modules' tables, and the table of each
EXPECTED = {
    "crm_lead_bridge_partner_closed_idx": "crm_lead",
    "sale_order_bridge_partner_open_idx": "sale_order",
    "sale_order_bridge_partner_signed_idx": "sale_order",
    "sale_order_bridge_opportunity_idx": "sale_order",
    "mail_message_bridge_author_date_idx": "mail_message",
}


@tagged("post_install", "-at_install")
class TestBridgeIndexes(TransactionCase):
    """Each index on another module's table is declared once, by the bridge's extension of the model
    owning the table, created by that model's ``init()`` and dropped by the uninstall hook."""

    def _declared(self):
        return {
            index.name: (model._table, index)
            for model in bridge_indexed_models(self.env)
            for index in model._bridge_indexes()
        }

    def _existing(self):
        """``{index name: (table, definition)}`` of the bridge's indexes in the database (any
        ``*_bridge_*_idx``, declared or not)."""
        self.env.cr.execute(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            ["%\\_bridge\\_%\\_idx"],
        )
        return {name: (table, definition) for name, table, definition in self.env.cr.fetchall()}

    def test_declared_by_the_models_owning_the_tables(self):
        declared = self._declared()
        self.assertEqual({name: table for name, (table, _index) in declared.items()}, EXPECTED)
        self.assertEqual(
            {model._name for model in bridge_indexed_models(self.env)},
            {"crm.lead", "sale.order", "mail.message"},
        )

    def test_indexes_exist_after_install_as_declared(self):
        existing = self._existing()
        self.assertEqual({name: table for name, (table, _definition) in existing.items()}, EXPECTED)
        for name, (_table, index) in self._declared().items():
            definition = existing[name][1]
            with self.subTest(index=name):
                self.assertEqual(" WHERE " in definition, bool(index.where))
                if index.include:
                    self.assertIn("INCLUDE (%s)" % ", ".join(index.include), definition)
                else:
                    self.assertNotIn("INCLUDE", definition)

    def test_init_creates_missing_indexes(self):
        for _table, index in self._declared().values():
            self.env.cr.execute(index.drop_sql())
        self.assertFalse(self._existing())
        for model in bridge_indexed_models(self.env):
            model.init()
        self.assertEqual({name: table for name, (table, _definition) in self._existing().items()}, EXPECTED)

    def test_uninstall_hook_drops_them_all(self):
        # DDL is transactional in PostgreSQL: rolling the savepoint back restores the indexes
        with closing(self.env.cr.savepoint(flush=False)):
            uninstall_hook(self.env)
            self.assertFalse(self._existing())
        self.assertEqual(set(self._existing()), set(EXPECTED))
