from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from .warranty_registration import COST_TYPES

INSPECTION_RESULTS = [
    ("confirmed_defect", "Confirmed defect"),
    ("no_fault_found", "No fault found"),
    ("customer_damage", "Damaged by customer"),
]


class WarrantyClaim(models.Model):
    """Return of the defective unit and its inspection."""

    _inherit = "warranty.claim"

    return_picking_id = fields.Many2one(
        "stock.picking", "Return Receipt", readonly=True, copy=False, check_company=True, index="btree_not_null",
        help="Receipt of the defective unit sent back by the customer.")
    return_state = fields.Selection(related="return_picking_id.state", string="Return Status")
    return_required = fields.Boolean(
        compute="_compute_return_required",
        help="The policy makes replacements and refunds wait for the return of the defective unit.")
    inspection_result = fields.Selection(
        INSPECTION_RESULTS, readonly=True, copy=False, tracking=True,
        help="What the inspection of the unit found. 'No fault found' and 'Damaged by customer' "
             "remove the warranty coverage of the claim.")
    inspection_reason = fields.Text(readonly=True, copy=False)
    inspection_user_id = fields.Many2one("res.users", "Inspected By", readonly=True, copy=False)

    @api.depends("registration_id.policy_id", "product_id")
    def _compute_return_required(self):
        for claim in self:
            claim.return_required = claim._get_return_policy().require_return_before_resolution

    def _get_return_policy(self):
        """Policy deciding whether the unit must come back first: the registration's, else the product's."""
        self.ensure_one()
        return self.registration_id.policy_id or (
            self.product_id and self.product_id._get_warranty_policy()) or self.env["warranty.policy"]

    # ------------------------------------------------------------------
    # Return receipt
    # ------------------------------------------------------------------
    def _return_allowed_states(self):
        """Claim states in which the unit may be sent back (seam)."""
        return ("under_review", "approved", "in_progress")

    def _check_can_create_return(self):
        self.ensure_one()
        self.check_access("write")
        if self.state not in self._return_allowed_states():
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(self.env._(
                "Claim %(claim)s is %(state)s: no return can be received for it.",
                claim=self.name, state=labels[self.state].lower()))
        if self.return_picking_id and self.return_picking_id.state != "cancel":
            raise UserError(self.env._("Claim %(claim)s already has the return %(picking)s.",
                                       claim=self.name, picking=self.return_picking_id.name))
        if not self.product_id:
            raise UserError(self.env._("Set the product of claim %(claim)s before receiving it back.",
                                       claim=self.name))
        if self.product_id.tracking != "none" and not self.lot_id:
            raise UserError(self.env._(
                "Set the serial/lot number of claim %(claim)s: the return receipt records the unit received.",
                claim=self.name))

    def action_create_return(self):
        """Create the receipt of the defective unit from the customer, serial set on its move line.

        Created as superuser after the check: a warranty user needs no inventory rights to ask the
        customer for the unit; the warehouse validates the receipt when it arrives.
        """
        self.ensure_one()
        self._check_can_create_return()
        picking_type = self.sudo()._get_return_picking_type()
        if not picking_type:
            raise UserError(self.env._("No receipt operation type found for company %(company)s.",
                                       company=self.company_id.name))
        picking = self.env["stock.picking"].sudo().create(self.sudo()._prepare_return_picking_vals(picking_type))
        picking.action_confirm()
        if self.lot_id:
            picking.move_ids.move_line_ids.unlink()
            self.env["stock.move.line"].sudo().create(self.sudo()._prepare_return_move_line_vals(picking))
        self.write({"return_picking_id": picking.id})
        self.message_post(body=self.env._("Return receipt %(picking)s created.", picking=picking.name))
        return self.action_view_return()

    def _get_return_picking_type(self):
        """Operation type of return receipts (seam): the company warehouse's receipt type."""
        warehouse = self.env["stock.warehouse"].sudo().search([("company_id", "=", self.company_id.id)], limit=1)
        return warehouse.in_type_id

    def _prepare_return_picking_vals(self, picking_type):
        """Values of the return receipt (seam): from the customer's location to the receipt's destination."""
        self.ensure_one()
        source = self.partner_id.with_company(self.company_id).property_stock_customer
        dest = picking_type.default_location_dest_id
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.partner_id.id,
            "location_id": source.id,
            "location_dest_id": dest.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "warranty_claim_id": self.id,
            "move_ids": [Command.create({
                "name": self.product_id.display_name,
                "product_id": self.product_id.id,
                "product_uom_qty": self.quantity,
                "product_uom": self.product_id.uom_id.id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "company_id": self.company_id.id,
            })],
        }

    def _prepare_return_move_line_vals(self, picking):
        """Move line of the returned unit: its serial/lot, the claimed quantity."""
        self.ensure_one()
        move = picking.move_ids[:1]
        return {
            "move_id": move.id,
            "picking_id": picking.id,
            "product_id": self.product_id.id,
            "product_uom_id": self.product_id.uom_id.id,
            "lot_id": self.lot_id.id,
            "quantity": self.quantity,
            "location_id": move.location_id.id,
            "location_dest_id": move.location_dest_id.id,
            "company_id": self.company_id.id,
        }

    def action_view_return(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "stock.picking", "res_id": self.return_picking_id.id,
                "view_mode": "form", "name": self.return_picking_id.name}

    def _check_return_received(self, resolution):
        """Refuse a replacement or refund while the policy waits for the unit and it is not back (seam)."""
        self.ensure_one()
        if resolution not in ("replacement", "refund") or not self.return_required:
            return
        if self.return_picking_id.state != "done":
            raise UserError(self.env._(
                "Policy %(policy)s requires the defective unit back first: validate the return receipt of "
                "claim %(claim)s before the replacement or the refund.",
                policy=self._get_return_policy().name, claim=self.name))

    def _check_can_resolve(self, resolution):
        result = super()._check_can_resolve(resolution)
        self._check_return_received(resolution)
        return result

    # ------------------------------------------------------------------
    # Inspection
    # ------------------------------------------------------------------
    @api.model
    def _inspection_denies_coverage(self, result):
        """Whether an inspection ``result`` removes the warranty coverage (seam)."""
        return result in ("no_fault_found", "customer_damage")

    def _is_entitlement_decided(self):
        """An inspection that removed the coverage is kept like a manager's override."""
        return super()._is_entitlement_decided() or self._inspection_denies_coverage(self.inspection_result)

    def action_open_inspection_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Inspection"),
            "res_model": "warranty.claim.inspection",
            "view_mode": "form",
            "target": "new",
            "context": {"default_claim_id": self.id, "default_result": self.inspection_result or "confirmed_defect"},
        }

    def _record_inspection(self, result, reason):
        """Record what the inspection of the unit found; a result that changes the entitlement needs
        a reason and is logged in the chatter with the previous answer."""
        self.ensure_one()
        self.check_access("write")
        if self.state in self._closed_states():
            raise UserError(self.env._("Claim %(claim)s is finished: its inspection cannot change.",
                                       claim=self.name))
        if result not in dict(INSPECTION_RESULTS):
            raise UserError(self.env._("Unknown inspection result."))
        labels = dict(self._fields["inspection_result"]._description_selection(self.env))
        denies = self._inspection_denies_coverage(result)
        changes = denies != self._inspection_denies_coverage(self.inspection_result) or (denies and self.covered)
        if changes and not (reason or "").strip():
            raise UserError(self.env._(
                "Write the reason of the inspection result '%(result)s': it changes the entitlement of claim "
                "%(claim)s.", result=labels[result], claim=self.name))
        previous = self._get_entitlement_message()
        self.write({"inspection_result": result, "inspection_reason": reason, "inspection_user_id": self.env.user.id})
        if denies and not self.entitlement_override:
            self.write({
                "covered": False,
                **{f"coverage_{cost}_pct": 0.0 for cost in COST_TYPES},
                "entitlement_reason": self.env._("Inspection: %(result)s (%(reason)s)", result=labels[result],
                                                 reason=reason),
            })
        elif changes and not self.entitlement_override:
            self.action_refresh_entitlement()
        self.message_post(body=self.env._(
            "Inspection by %(user)s: %(result)s. Entitlement before: %(previous)s; now: %(now)s. Reason: %(reason)s",
            user=self.env.user.name, result=labels[result], previous=previous,
            now=self._get_entitlement_message(), reason=reason or "-"))
