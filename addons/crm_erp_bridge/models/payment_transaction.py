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

    def _check_amount_and_confirm_order(self):
        # A paid quotation always confirms: the payment clears the credit risk. Otherwise
        # action_confirm raises, the payment is not recorded and the provider retries for days.
        self._bridge_override_credit_block_of_paid_orders()
        return super()._check_amount_and_confirm_order()

    def _bridge_paid_quotations(self):
        """Return the quotations ``super()._check_amount_and_confirm_order`` is about to confirm:
        exactly one quotation per transaction, whose confirmation amount the payments reach."""
        quotations = self.env["sale.order"]
        for tx in self:
            if len(tx.sale_order_ids) == 1:
                quotation = tx.sale_order_ids.filtered(lambda so: so.state in ("draft", "sent"))
                if quotation and quotation._is_confirmation_amount_reached():
                    quotations |= quotation
        return quotations

    def _bridge_override_credit_block_of_paid_orders(self):
        """Record (and log) an automatic credit override on the blocked quotations these
        transactions pay, so that their confirmation goes through."""
        for tx in self:
            for order in tx._bridge_paid_quotations():
                if order.bridge_credit_override_user_id:
                    continue
                block = order._bridge_get_credit_block_reason()
                if block:
                    order._bridge_record_credit_override(
                        self.env._(
                            "Paid online (transaction %(reference)s, %(amount)s): the payment clears "
                            "the credit risk. Blocked because: %(reason)s",
                            reference=tx.reference,
                            amount=tx.currency_id.format(tx.amount),
                            reason=block,
                        ),
                        automatic=True,
                    )
