from odoo import fields, models


class AccountMove(models.Model):
    """Warranty provision accrual on customer invoices and links to warranty claims."""

    _inherit = "account.move"

    warranty_provision_move_id = fields.Many2one(
        "account.move", "Warranty Provision Entry", readonly=True, copy=False, index="btree_not_null",
        help="Entry accruing the warranty provision of this customer invoice (or reducing it, for a credit note).")
    warranty_claim_id = fields.Many2one(
        "warranty.claim", "Warranty Claim", readonly=True, copy=False, index="btree_not_null",
        help="Claim whose costs this entry or invoice books.")
    warranty_supplier_claim_id = fields.Many2one(
        "warranty.supplier.claim", "Supplier Warranty Claim", copy=False, index="btree_not_null",
        check_company=True,
        domain="[('vendor_id', '=', commercial_partner_id), ('state', 'in', ('expected', 'partial'))]",
        help="Vendor warranty claim this credit note reimburses.")

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        self.env["warranty.provision"]._accrue_for_invoices(posted)
        self.env["warranty.provision"]._reverse_for_refunds(posted)
        self.env["warranty.supplier.claim"]._match_refunds(posted)
        return posted

    def button_draft(self):
        self._warranty_cancel_unused_provisions()
        # button_cancel passes through button_draft for posted moves
        self.env["warranty.provision"]._cancel_refund_reversals(self.filtered(lambda m: m.state == "posted"))
        return super().button_draft()

    def _warranty_cancel_unused_provisions(self):
        """Undo the provision accrued for invoices reset to draft.

        Only layers nothing was drawn from are undone (their accrual entry is reversed);
        a provision already used by claims stays, being backed by real costs.
        """
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.warranty_provision_move_id)
        if not invoices:
            return
        provisions = self.env["warranty.provision"].sudo().search([("invoice_id", "in", invoices.ids)])
        untouched = provisions.filtered(lambda p: not (p.amount_used or p.amount_released))
        for invoice in invoices:
            invoice_provisions = provisions.filtered(lambda p, inv=invoice: p.invoice_id == inv)
            if invoice_provisions and invoice_provisions <= untouched:
                accrual = invoice.warranty_provision_move_id.sudo()
                accrual._reverse_moves(
                    [{"ref": self.env._("Reversal of %(entry)s", entry=accrual.name),
                      "date": accrual.date}], cancel=True)
                invoice_provisions.unlink()
                invoice.sudo().warranty_provision_move_id = False
