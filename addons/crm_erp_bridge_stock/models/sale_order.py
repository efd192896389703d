from odoo import models


class SaleOrder(models.Model):
    """The glue's extension of sales orders: the order's own incoterm (added by Inventory's
    ``sale_stock``) in the bridge's delivery confirmation, and the customer's applied delivery
    changes carried to the open deliveries."""

    _inherit = "sale.order"

    def _bridge_delivery_incoterm(self):
        """The order's incoterm, else the bridge's rule (the company's default)."""
        self.ensure_one()
        return self.incoterm or super()._bridge_delivery_incoterm()

    def _bridge_delivery_proposal_values(self):
        """The proposed incoterm becomes the order's incoterm."""
        values = super()._bridge_delivery_proposal_values()
        if self.bridge_delivery_answer_incoterm_id:
            values["incoterm"] = self.bridge_delivery_answer_incoterm_id.id
        return values

    def _bridge_open_deliveries(self):
        """The order's outgoing deliveries not done nor cancelled."""
        self.ensure_one()
        return self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )

    def _bridge_delivery_picking_values(self, values):
        """Values written on the open deliveries for the order ``values`` just applied."""
        picking_values = {}
        if values.get("partner_shipping_id"):
            picking_values["partner_id"] = values["partner_shipping_id"]
        if values.get("commitment_date"):
            picking_values["scheduled_date"] = values["commitment_date"]
        return picking_values

    def _bridge_apply_delivery_to_pickings(self, values):
        """Carry the new delivery address and date to the order's open deliveries."""
        res = super()._bridge_apply_delivery_to_pickings(values)
        picking_values = self._bridge_delivery_picking_values(values)
        if picking_values:
            pickings = self._bridge_open_deliveries()
            pickings.write(picking_values)
            if "partner_id" in picking_values:
                # sale_stock just asked (warning activity) to update the deliveries' address: done above
                warning = self.env.ref("mail.mail_activity_data_warning", raise_if_not_found=False)
                pickings.activity_ids.filtered(
                    lambda a: a.activity_type_id == warning and a.create_date == self.env.cr.now()
                ).unlink()
        return res

    def _bridge_delivery_request_expired(self):
        """A request also expires once everything was delivered: nothing left to change."""
        if super()._bridge_delivery_request_expired():
            return True
        pickings = self.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        return bool(pickings) and all(p.state in ("done", "cancel") for p in pickings)
