from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _post_process(self):
        # Before super(): a paid quotation gets confirmed there, and "paid" is the truer reason.
        self._bridge_stop_paid_followups()
        return super()._post_process()

    def _bridge_stop_paid_followups(self):
        """Stop the follow-up of the quotations these authorized or done transactions pay."""
        paid = self.filtered(lambda tx: tx.state in ("authorized", "done") and tx.operation != "validation")
        paid.sale_order_ids.filtered(lambda o: o.state in ("draft", "sent"))._bridge_followup_stop("paid")
