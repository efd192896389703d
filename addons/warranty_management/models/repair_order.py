from odoo import api, fields, models
from odoo.exceptions import UserError


class RepairOrder(models.Model):
    _inherit = "repair.order"

    warranty_claim_id = fields.Many2one(
        "warranty.claim", "Warranty Claim", index="btree_not_null", copy=False, check_company=True, readonly=True)
    warranty_registration_id = fields.Many2one(
        "warranty.registration", "Warranty Registration", compute="_compute_warranty_entitlement", store=True,
        index="btree_not_null", groups="warranty_management.group_warranty_user")
    warranty_entitlement_reason = fields.Char(
        "Warranty Entitlement", compute="_compute_warranty_entitlement", store=True)
    under_warranty = fields.Boolean(compute="_compute_warranty_entitlement", store=True, readonly=False)

    @api.model_create_multi
    def create(self, vals_list):
        # the entitlement decides for claims and registered serials: a value sent by the caller
        # (or by a form where the box was ticked) would also stop the reason from being computed
        decided_lots = self._warranty_registered_lot_ids(
            [vals["lot_id"] for vals in vals_list if vals.get("lot_id")])
        for vals in vals_list:
            if vals.get("warranty_claim_id") or vals.get("lot_id") in decided_lots:
                vals.pop("under_warranty", None)
        return super().create(vals_list)

    def write(self, vals):
        if "under_warranty" in vals:
            vals = self._warranty_checked_box_vals(vals)
        before = {repair.id: repair.under_warranty for repair in self}
        result = super().write(vals)
        if "under_warranty" not in vals:
            # the entitlement changed the box (new serial, customer or claim): core reprices the parts
            # only when the box is written, so do it here
            self.filtered(lambda r: r.under_warranty != before[r.id])._update_sale_order_line_price()
        return result

    def _warranty_checked_box_vals(self, vals):
        """Values to write when 'Under Warranty' is among them: dropped when the unit or customer changes
        on a decided repair (the entitlement is computed again), refused when against the decision."""
        if {"lot_id", "partner_id", "warranty_claim_id"} & set(vals):
            lot_ids = [vals["lot_id"]] if vals.get("lot_id") else self.lot_id.ids
            if vals.get("warranty_claim_id") or self.warranty_claim_id or self._warranty_registered_lot_ids(lot_ids):
                return {key: value for key, value in vals.items() if key != "under_warranty"}
            return vals
        self._check_warranty_box(bool(vals["under_warranty"]))
        return vals

    def _check_warranty_box(self, under_warranty):
        """Refuse to tick or untick 'Under Warranty' against the claim or the entitlement."""
        decided = self.filtered(lambda r: (r.warranty_claim_id or r.warranty_entitlement_reason)
                                and r.under_warranty != under_warranty)
        if decided:
            raise UserError(self.env._(
                "The warranty of repair %(repair)s is decided by its warranty claim or the registration of "
                "its serial number: %(reason)s", repair=decided[0].name,
                reason=decided[0].warranty_entitlement_reason or ""))

    @api.model
    def _warranty_registered_lot_ids(self, lot_ids):
        """Serials among ``lot_ids`` that have a warranty registration, in one query."""
        if not lot_ids:
            return set()
        registrations = self.env["warranty.registration"].sudo().search_fetch([("lot_id", "in", lot_ids)], ["lot_id"])
        return set(registrations.lot_id.ids)

    @api.depends("lot_id", "partner_id", "warranty_claim_id", "warranty_claim_id.covered",
                 "warranty_claim_id.entitlement_reason")
    def _compute_warranty_entitlement(self):
        """A repair order of a registered serial gets the answer of THE entitlement rule
        (``warranty.registration._check_entitlement``), as a claim does; one created from a claim
        takes the claim's decision (possibly overridden by a manager). Other repairs keep the
        'Under Warranty' box the user ticks."""
        registration_model = self.env["warranty.registration"].sudo()
        registered_lots = self._warranty_registered_lot_ids(self.lot_id.ids)
        for repair in self:
            if repair.state in ("done", "cancel") and repair.id:
                continue  # a finished repair keeps the answer it was done with
            claim = repair.sudo().warranty_claim_id
            if claim:
                repair.warranty_registration_id = claim.registration_id
                repair.warranty_entitlement_reason = claim.entitlement_reason
                repair.under_warranty = claim.covered
            elif repair.lot_id.id in registered_lots:
                result = registration_model.with_company(repair.company_id or self.env.company)._check_entitlement(
                    partner=repair.partner_id, product=repair.product_id, lot=repair.lot_id,
                    date=repair._get_warranty_entitlement_date())
                repair.warranty_registration_id = result["registration"]
                repair.warranty_entitlement_reason = result["reason"]
                repair.under_warranty = result["covered"]
            else:
                repair.warranty_registration_id = False
                repair.warranty_entitlement_reason = False
                # not assigned: the box the user ticked stays as it is

    def _get_warranty_entitlement_date(self):
        """Day the entitlement of a repair order without claim is checked on (seam): its creation."""
        self.ensure_one()
        return fields.Date.context_today(self, self.create_date)  # none yet: now
