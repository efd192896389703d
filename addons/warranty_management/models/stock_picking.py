from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    warranty_claim_id = fields.Many2one(
        "warranty.claim", "Warranty Claim", index="btree_not_null", copy=False, readonly=True, check_company=True)

    def _action_done(self):
        result = super()._action_done()
        done = self.filtered(lambda p: p.state == "done")
        deliveries = done.filtered(lambda p: p._is_warranty_delivery())
        # the warehouse user validating needs no warranty, sales or accounting rights
        deliveries.move_ids.sudo()._warranty_register_delivered()
        done.filtered(lambda p: p._is_warranty_return()).move_ids.sudo()._warranty_close_returned()
        done.filtered(lambda p: p._is_warranty_replacement()).sudo()._warranty_register_replacements()
        done.filtered(lambda p: p._is_warranty_claim_return()).sudo()._warranty_notify_claim_returned()
        return result

    def _is_warranty_delivery(self):
        """A delivery to a customer that may start warranties (seam)."""
        self.ensure_one()
        return self.picking_type_code == "outgoing" and self.location_dest_id.usage == "customer" \
            and not self.warranty_claim_id

    def _is_warranty_return(self):
        """A return from a customer that ends the warranty of the units returned (seam)."""
        self.ensure_one()
        return self.location_id.usage == "customer" and any(self.move_ids.mapped("origin_returned_move_id"))

    def _is_warranty_replacement(self):
        """The delivery of a claim's replacement unit (not the return of the defective one)."""
        self.ensure_one()
        claim = self.sudo().warranty_claim_id  # the warehouse user may not read claims
        return bool(claim) and claim.replacement_picking_id.id == self.id

    def _is_warranty_claim_return(self):
        """The receipt of a claim's defective unit."""
        self.ensure_one()
        claim = self.sudo().warranty_claim_id
        return bool(claim) and claim.return_picking_id.id == self.id

    def _warranty_notify_claim_returned(self):
        """Tell the claim that its unit is back: the inspection, replacement or refund can go on."""
        for picking in self:
            picking.warranty_claim_id.message_post(body=self.env._(
                "Unit received back: return receipt %(picking)s validated.", picking=picking.name))

    def _warranty_register_replacements(self):
        """The new unit of a replacement takes over the remaining warranty of the replaced one."""
        for picking in self:
            claim = picking.warranty_claim_id
            old = claim.registration_id
            if not old:
                continue
            for move_line in picking.move_ids.move_line_ids.filtered("lot_id"):
                new = old.copy({
                    **old._get_carried_over_terms(),
                    "lot_id": move_line.lot_id.id,
                    "quantity": move_line.quantity,
                    "origin": "delivery",
                    "move_id": move_line.move_id.id,
                    "picking_id": picking.id,
                    "previous_registration_id": old.id,
                })
                old._close(self.env._("Unit replaced by %(lot)s (claim %(claim)s, registration %(new)s).",
                                      lot=move_line.lot_id.name, claim=claim.name, new=new.name))
