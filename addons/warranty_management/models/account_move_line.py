from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _warranty_register_invoiced(self):
        """Register the units of policies started by the invoice, in one batch.

        Non-tracked products: one registration per invoice line with its quantity.
        Tracked products: one per serial already delivered for the sale line (the ones
        delivered later are registered at delivery with the invoice date).
        """
        units = []
        for line in self.filtered(
                lambda aml: aml.sale_line_ids and aml.product_id.type == "consu" and aml.quantity > 0):
            policy = line.product_id._get_warranty_policy()
            if policy.start_trigger != "invoice":
                continue
            sale_line = line.sale_line_ids[:1]
            base = {
                "partner": sale_line.order_id.partner_id,
                "product": line.product_id,
                "policy": policy,
                "start_date": line.move_id.invoice_date,
                "origin": "invoice",
                "company": line.company_id,
                "sale_line": sale_line,
                "invoice_line": line,
            }
            if line.product_id.tracking == "none":
                units.append({**base, "quantity": line.quantity})
                continue
            delivered = sale_line.move_ids.filtered(
                lambda m: m.state == "done" and m.location_dest_id.usage == "customer")
            for move_line in delivered.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity > 0):
                units.append({**base, "lot": move_line.lot_id, "quantity": move_line.quantity,
                              "move": move_line.move_id})
        return self.env["warranty.registration"].sudo()._register_units(units)
