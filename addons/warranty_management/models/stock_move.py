from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _warranty_register_delivered(self):
        """Register the units delivered by ``self`` (done customer deliveries) in one batch.

        - serial/lot tracked products: one registration per serial (per lot with its quantity),
          whatever the trigger; the start date is the trigger's date (order, delivery, or the
          first posted invoice — when not invoiced yet, the invoice will register them);
        - other products with the 'delivery' trigger: one registration per move with its quantity.
        """
        units = []
        moves = self.filtered(lambda m: m.state == "done" and m.sale_line_id and m.product_id.type == "consu")
        for move in moves:
            policy = move.product_id._get_warranty_policy()
            if not policy or policy.start_trigger == "registration":
                continue
            start_date = move._warranty_start_date(policy)
            if not start_date:
                continue
            base = {
                "partner": move.sale_line_id.order_id.partner_id,
                "product": move.product_id,
                "policy": policy,
                "start_date": start_date,
                "origin": policy.start_trigger,
                "company": move.company_id,
                "sale_line": move.sale_line_id,
                "move": move,
            }
            if move.product_id.tracking == "none":
                if policy.start_trigger == "delivery" and move.quantity > 0:
                    units.append({**base, "quantity": move.quantity})
                continue
            for move_line in move.move_line_ids:
                if move_line.lot_id and move_line.quantity > 0:
                    units.append({**base, "lot": move_line.lot_id, "quantity": move_line.quantity})
        return self.env["warranty.registration"].sudo()._register_units(units)

    def _warranty_start_date(self, policy):
        """Start date of the warranty of a unit delivered by this move under ``policy`` (seam)."""
        self.ensure_one()
        if policy.start_trigger == "order":
            return fields.Date.context_today(self, self.sale_line_id.order_id.date_order)
        if policy.start_trigger == "invoice":
            invoices = self.sale_line_id.invoice_lines.move_id.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice")
            return invoices and min(invoices.mapped("invoice_date"))
        return fields.Date.context_today(self, self.date or self.picking_id.date_done)

    def _warranty_close_returned(self):
        """Close (or reduce) the registrations of the units returned by the customer."""
        registration_model = self.env["warranty.registration"].sudo()
        moves = self.filtered(lambda m: m.state == "done" and m.origin_returned_move_id)
        lots = moves.move_line_ids.lot_id
        reason = self.env._("Unit returned by the customer (%(pickings)s).",
                            pickings=", ".join(moves.picking_id.mapped("name")))
        if lots:
            registration_model.search([("lot_id", "in", lots.ids), ("state", "=", "active")])._close(reason)
        untracked = moves.filtered(lambda m: m.product_id.tracking == "none")
        if not untracked:
            return
        registrations = registration_model.search([
            ("move_id", "in", untracked.origin_returned_move_id.ids + untracked.sale_line_id.move_ids.ids),
            ("lot_id", "=", False), ("state", "=", "active")])
        registrations |= registration_model.search([
            ("sale_line_id", "in", untracked.sale_line_id.ids), ("lot_id", "=", False), ("state", "=", "active"),
            ("origin", "in", ("order", "invoice"))])
        for move in untracked:
            returned = move.quantity
            sale_lines = move.sale_line_id | move.origin_returned_move_id.sale_line_id
            for registration in registrations.filtered(
                    lambda r, product=move.product_id, sale_lines=sale_lines:
                    r.product_id == product and r.sale_line_id in sale_lines):
                if returned <= 0:
                    break
                if returned >= registration.quantity:
                    returned -= registration.quantity
                    registration._close(reason)
                else:
                    registration.quantity -= returned
                    registration.message_post(body=reason)
                    returned = 0
