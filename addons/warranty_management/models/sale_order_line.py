from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _warranty_register_on_confirmation(self):
        """Register the non-tracked units of policies started by the order confirmation.

        Serial-tracked units are registered at delivery (their serial is known then),
        with the order date as start date.
        """
        units = []
        for line in self:
            product = line.product_id
            if line.display_type or not product or product.type != "consu" or product.tracking != "none":
                continue
            policy = product._get_warranty_policy()
            if policy.start_trigger != "order" or line.product_uom_qty <= 0:
                continue
            units.append({
                "partner": line.order_id.partner_id,
                "product": product,
                "policy": policy,
                "quantity": line.product_uom_qty,
                "start_date": fields.Date.context_today(line, line.order_id.date_order),
                "origin": "order",
                "company": line.company_id,
                "sale_line": line,
            })
        return self.env["warranty.registration"].sudo()._register_units(units)

    def _warranty_extension_covers(self, registration):
        """Return True when the extended warranty sold on this line may cover ``registration`` (seam)."""
        self.ensure_one()
        covered_products = self.product_id.warranty_extension_product_ids
        return registration.state == "active" and (
            not covered_products or registration.product_tmpl_id in covered_products)

    def _warranty_extend(self, registrations, same_order_only=True):
        """Apply the extended warranties of ``self`` to the matching ``registrations``.

        :param same_order_only: only to registrations of the line's own order (default); the
            trusted "sold later" path passes False after choosing the customer's registrations.
        """
        extension_model = self.env["warranty.registration.extension"].sudo()
        lines = self.filtered(lambda sol: sol.product_id.warranty_extension)
        if not lines or not registrations:
            return extension_model
        existing = set(extension_model.search_fetch(
            [("sale_line_id", "in", lines.ids), ("registration_id", "in", registrations.ids)],
            ["sale_line_id", "registration_id"]).mapped(lambda e: (e.sale_line_id.id, e.registration_id.id)))
        vals_list = []
        for line in lines:
            for registration in registrations:
                if (line.id, registration.id) in existing or not line._warranty_extension_covers(registration):
                    continue
                if same_order_only and registration.sale_order_id and registration.sale_order_id != line.order_id:
                    continue
                vals_list.append(line._prepare_warranty_extension_vals(registration))
        return extension_model.create(vals_list)

    def _prepare_warranty_extension_vals(self, registration):
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        return {
            "registration_id": registration.id,
            "product_id": self.product_id.id,
            "sale_line_id": self.id,
            "months": template.warranty_extension_months,
            "coverage_pct": template.warranty_extension_coverage_pct,
        }

    def _warranty_apply_extensions_sold_later(self):
        """Extended warranties sold on an order without covered units extend the customer's units.

        They cover the customer's active registrations of the covered products, at most
        one registration per unit of extension sold, those ending soonest first.
        """
        lines = self.filtered(lambda sol: sol.product_id.warranty_extension and sol.product_uom_qty > 0)
        if not lines:
            return
        registration_model = self.env["warranty.registration"].sudo()
        same_order = registration_model.search([("sale_order_id", "in", lines.order_id.ids)])
        pending_orders = self.filtered(
            lambda sol: not sol.product_id.warranty_extension and sol.product_id._get_warranty_policy()).order_id
        lines_later = lines.filtered(lambda sol: sol.order_id not in same_order.sale_order_id | pending_orders)
        (lines - lines_later)._warranty_extend(same_order)
        if not lines_later:
            return
        candidates = registration_model.search([
            ("commercial_partner_id", "in", lines_later.order_id.partner_id.commercial_partner_id.ids),
            ("state", "=", "active"),
        ], order="end_date, id")
        for line in lines_later:
            commercial = line.order_id.partner_id.commercial_partner_id
            mine = candidates.filtered(
                lambda r, line=line, commercial=commercial: r.commercial_partner_id == commercial
                and line._warranty_extension_covers(r))
            line._warranty_extend(mine[:max(int(line.product_uom_qty), 1)], same_order_only=False)

    def _warranty_revoke_on_cancel(self):
        """A cancelled order grants nothing: close the registrations its confirmation started (units
        delivered keep theirs) and remove the extended warranties it sold. Re-confirming the order
        restores both, once."""
        registration_model = self.env["warranty.registration"].sudo()
        self.env["warranty.registration.extension"].sudo().search([("sale_line_id", "in", self.ids)]).unlink()
        registrations = registration_model.search([
            ("sale_line_id", "in", self.ids), ("origin", "=", "order"), ("move_id", "=", False),
            ("state", "=", "active")])
        if not registrations:
            return
        registrations._close(self.env._("Sale order %(orders)s cancelled.",
                                        orders=", ".join(registrations.sale_order_id.mapped("name"))))
        registrations.closed_by_order_cancel = True

    def _warranty_reactivate_cancelled(self):
        """Reactivate the registrations closed when the order of ``self`` was cancelled."""
        registrations = self.env["warranty.registration"].sudo().search([
            ("sale_line_id", "in", self.ids), ("state", "=", "closed"), ("closed_by_order_cancel", "=", True)])
        registrations._reactivate()
