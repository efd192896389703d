from odoo import api, models

from .bridge_index import BridgeIndex, create_bridge_indexes


class MailMessage(models.Model):
    """The bridge's extension of messages: its index on ``mail_message``."""

    _inherit = "mail.message"

    @api.model
    def _bridge_indexes(self):
        """The bridge's indexes on ``mail_message`` (:class:`BridgeIndex`), created by :meth:`init`
        and dropped by the bridge's ``uninstall_hook``: the messages a customer wrote, newest first
        (the timeline's emails)."""
        return [
            BridgeIndex(
                "mail_message_bridge_author_date_idx", ["author_id", "date DESC", "id DESC"],
                where="author_id IS NOT NULL",
            ),
        ]

    def init(self):
        res = super().init()
        create_bridge_indexes(self)
        return res
