import contextvars

from odoo import models

#: ids of the orders a legacy import is confirming (private to this process: not settable over RPC)
_LEGACY_CONFIRMING = contextvars.ContextVar("crm_erp_legacy_import_confirming", default=frozenset())


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _legacy_confirm(self):
        """Confirm orders a legacy import creates in the state they had in the system they
        come from (the standard confirmation: locking, deliveries of what is left to deliver)."""
        token = _LEGACY_CONFIRMING.set(frozenset(self.ids))
        try:
            return self.action_confirm()
        finally:
            _LEGACY_CONFIRMING.reset(token)

    def _bridge_request_delivery_confirmation(self, force=False, **kwargs):
        """An order confirmed long ago in the legacy system does not ask its customer, on import,
        to confirm a delivery agreed back then; the button still asks (``force``)."""
        legacy = self.browse() if force else self.filtered(lambda order: order.id in _LEGACY_CONFIRMING.get())
        return super(SaleOrder, self - legacy)._bridge_request_delivery_confirmation(force=force, **kwargs)
