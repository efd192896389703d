from odoo import api, models

from .bridge_index import BridgeIndex, create_bridge_indexes


class AccountMoveLine(models.Model):
    """The bridge's extension of journal items: its index on ``account_move_line``."""

    _inherit = "account.move.line"

    @api.model
    def _bridge_indexes(self):
        """The bridge's indexes on ``account_move_line`` (:class:`BridgeIndex`), created by
        :meth:`init` and dropped by the bridge's ``uninstall_hook``: the posted product lines of
        each move with every column the customer report's margin reads (index-only scan, in move
        order)."""
        return [
            BridgeIndex(
                "account_move_line_bridge_margin_idx", ["move_id"],
                where="display_type = 'product' AND parent_state = 'posted'",
                include=["product_id", "product_uom_id", "company_id", "quantity", "balance"],
            ),
        ]

    def init(self):
        res = super().init()
        create_bridge_indexes(self)
        return res
