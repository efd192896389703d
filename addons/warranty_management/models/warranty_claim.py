from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import float_compare

from .warranty_registration import COST_TYPES

CLAIM_TRANSITIONS = {
    "under_review": ("new",),
    "approved": ("under_review",),
    "rejected": ("new", "under_review"),
    "in_progress": ("approved",),
    "resolved": ("in_progress",),
    "closed": ("resolved", "rejected"),
}


class WarrantyClaim(models.Model):
    """A customer's request for warranty service on a unit."""

    _name = "warranty.claim"
    _description = "Warranty Claim"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "claim_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Reference", required=True, copy=False, readonly=True, index="trigram", default=lambda self: self.env._("New"))
    company_id = fields.Many2one(
        "res.company", "Company", required=True, index=True, default=lambda self: self.env.company)
    state = fields.Selection([
        ("new", "New"),
        ("under_review", "Under Review"),
        ("approved", "Approved"),
        ("rejected", "Rejected"),
        ("in_progress", "In Progress"),
        ("resolved", "Resolved"),
        ("closed", "Closed"),
    ], string="Status", default="new", required=True, readonly=True, copy=False, index=True, tracking=True)
    source = fields.Selection(
        [("backend", "Back office"), ("portal", "Portal")], default="backend", readonly=True, required=True)
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda self: self.env.user, tracking=True, check_company=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, tracking=True, check_company=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Commercial Entity")
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", index="btree_not_null", check_company=True,
                             domain="[('product_id', '=?', product_id)]")
    product_id = fields.Many2one(
        "product.product", "Product", compute="_compute_product_id", store=True, readonly=False,
        precompute=True, index=True, check_company=True, domain="[('type', '=', 'consu')]")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    claim_date = fields.Date(
        "Failure Date", required=True, default=fields.Date.context_today, tracking=True,
        help="Day the failure happened; the entitlement is checked on this date.")
    description = fields.Html("Problem Description", sanitize=True)
    # entitlement (snapshot at intake, refreshed on demand, overridable by a manager)
    registration_id = fields.Many2one(
        "warranty.registration", "Registration", compute="_compute_entitlement", store=True, readonly=False,
        precompute=True, index=True, check_company=True)
    policy_id = fields.Many2one(related="registration_id.policy_id", string="Policy")
    sale_order_id = fields.Many2one(
        "sale.order", "Original Sale", compute="_compute_sale_order_id", store=True, readonly=False,
        precompute=True, index="btree_not_null", check_company=True)
    covered = fields.Boolean(
        "Under Warranty", compute="_compute_entitlement", store=True, readonly=False, precompute=True,
        tracking=True)
    coverage_parts_pct = fields.Float(
        "Parts Coverage (%)", compute="_compute_entitlement", store=True, readonly=False, precompute=True)
    coverage_labor_pct = fields.Float(
        "Labor Coverage (%)", compute="_compute_entitlement", store=True, readonly=False, precompute=True)
    coverage_travel_pct = fields.Float(
        "Travel/Shipping Coverage (%)", compute="_compute_entitlement", store=True, readonly=False,
        precompute=True)
    entitlement_reason = fields.Char(
        "Entitlement", compute="_compute_entitlement", store=True, readonly=False, precompute=True)
    warranty_end_date = fields.Date(
        "Warranty End", compute="_compute_entitlement", store=True, readonly=False, precompute=True)
    days_remaining = fields.Integer(
        "Warranty Days Left", compute="_compute_entitlement", store=True, readonly=False, precompute=True)
    entitlement_override = fields.Boolean("Overridden", readonly=True, copy=False, tracking=True)
    override_reason = fields.Text(readonly=True, copy=False)
    override_user_id = fields.Many2one("res.users", "Overridden By", readonly=True, copy=False)
    # SLA
    sla_review_deadline = fields.Date(
        "Review Deadline", compute="_compute_sla", store=True, readonly=False, precompute=True, index=True)
    sla_deadline = fields.Date(
        "Resolution Deadline", compute="_compute_sla", store=True, readonly=False, precompute=True, index=True)
    sla_overdue = fields.Boolean("SLA Overdue", compute="_compute_sla_overdue", search="_search_sla_overdue")
    # resolution
    resolution = fields.Selection([
        ("repair", "Repair"),
        ("replacement", "Replacement"),
        ("refund", "Refund"),
    ], tracking=True)
    reject_reason = fields.Text(copy=False)
    repair_id = fields.Many2one("repair.order", "Repair Order", readonly=True, copy=False, check_company=True,
                                index="btree_not_null")
    replacement_picking_id = fields.Many2one(
        "stock.picking", "Replacement Delivery", readonly=True, copy=False, check_company=True,
        index="btree_not_null")
    refund_move_id = fields.Many2one(
        "account.move", "Credit Note", readonly=True, copy=False, check_company=True, index="btree_not_null")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("lot_id")
    def _compute_product_id(self):
        for claim in self:
            if claim.lot_id:
                claim.product_id = claim.lot_id.product_id

    @api.depends("partner_id", "product_id", "lot_id", "claim_date")
    def _compute_entitlement(self):
        registration_model = self.env["warranty.registration"]
        for claim in self:
            if claim._is_entitlement_decided():
                continue
            result = registration_model.with_company(claim.company_id or self.env.company)._check_entitlement(
                partner=claim.partner_id, product=claim.product_id, lot=claim.lot_id, date=claim.claim_date)
            claim.update(claim._prepare_entitlement_values(result))

    def _is_entitlement_decided(self):
        """Whether the entitlement was decided by a person and is no longer computed (seam):
        a manager's override."""
        self.ensure_one()
        return self.entitlement_override

    def _prepare_entitlement_values(self, result):
        """Return the claim values stored from an entitlement ``result`` (see ``_check_entitlement``)."""
        return {
            "registration_id": result["registration"].id,
            "covered": result["covered"],
            "coverage_parts_pct": result["coverage"]["parts"],
            "coverage_labor_pct": result["coverage"]["labor"],
            "coverage_travel_pct": result["coverage"]["travel"],
            "entitlement_reason": result["reason"],
            "warranty_end_date": result["end_date"],
            "days_remaining": result["days_remaining"],
        }

    @api.depends("registration_id")
    def _compute_sale_order_id(self):
        for claim in self:
            claim.sale_order_id = claim.registration_id.sale_order_id or claim.sale_order_id

    @api.depends("claim_date", "registration_id", "product_id", "company_id")
    def _compute_sla(self):
        for claim in self:
            policy = claim.registration_id.policy_id or (
                claim.product_id and claim.product_id._get_warranty_policy())
            claim.sla_review_deadline, claim.sla_deadline = claim._get_sla_deadlines(policy)

    def _get_sla_deadlines(self, policy):
        """Return ``(review deadline, resolution deadline)`` of the claim under ``policy`` (seam);
        the company's default days (*Settings*) when the unit has no policy."""
        self.ensure_one()
        if not self.claim_date:
            return False, False
        if policy:
            review_days, resolution_days = policy.sla_response_days, policy.sla_resolution_days
        else:
            company = self.company_id or self.env.company
            review_days, resolution_days = company.warranty_sla_review_days, company.warranty_sla_resolution_days
            if not (review_days or resolution_days):
                return False, False
        # the clock starts when the claim is received, not on the failure date
        start = fields.Date.context_today(self, self.create_date)  # none yet: now
        return (start + relativedelta(days=review_days), start + relativedelta(days=resolution_days))

    @api.depends("sla_deadline", "state")
    def _compute_sla_overdue(self):
        today = fields.Date.context_today(self)
        for claim in self:
            claim.sla_overdue = bool(claim.sla_deadline and claim.sla_deadline < today
                                     and claim.state not in self._closed_states())

    def _search_sla_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on SLA overdue."))
        domain = [("sla_deadline", "<", fields.Date.context_today(self)),
                  ("state", "not in", list(self._closed_states()))]
        positive = (operator == "=") == value
        return domain if positive else ["!", "&", *domain]

    @api.model
    def _closed_states(self):
        return ("resolved", "closed", "rejected")

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for claim in self:
            claim.access_url = f"/my/warranty/claims/{claim.id}"
        return result

    @api.depends("name", "product_id")
    def _compute_display_name(self):
        for claim in self:
            claim.display_name = claim.name

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("partner_id", "lot_id", "product_id", "claim_date", "quantity")
    def _check_claim_unit(self):
        """Refuse claims for serials never sold or owned by another customer, and failures before the sale."""
        registration_model = self.env["warranty.registration"].sudo()
        for claim in self:
            if claim.quantity <= 0:
                raise ValidationError(self.env._("The claimed quantity must be positive."))
            if claim.lot_id and claim.product_id and claim.lot_id.product_id != claim.product_id:
                raise ValidationError(self.env._(
                    "Serial number %(lot)s is not a unit of %(product)s.",
                    lot=claim.lot_id.name, product=claim.product_id.display_name))
            if not claim.lot_id:
                continue
            registrations = registration_model.search([("lot_id", "=", claim.lot_id.id)])
            if not registrations:
                raise ValidationError(self.env._(
                    "Serial number %(lot)s was never sold: no warranty claim can be opened for it.",
                    lot=claim.lot_id.name))
            owned = registrations.filtered(
                lambda r, commercial=claim.commercial_partner_id:
                r.state != "transferred" and r.commercial_partner_id == commercial)
            if not owned:
                raise ValidationError(self.env._(
                    "Serial number %(lot)s belongs to another customer, not to %(partner)s.",
                    lot=claim.lot_id.name, partner=claim.commercial_partner_id.display_name))
            sale_date = min(owned.mapped(lambda r: r._get_sale_date()))
            if claim.claim_date < sale_date:
                raise ValidationError(self.env._(
                    "The failure date %(date)s is before the sale of %(lot)s (%(sale)s).",
                    date=claim.claim_date, lot=claim.lot_id.name, sale=sale_date))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("warranty.claim") or self.env._("New")
        claims = super().create(vals_list)
        for claim in claims:
            claim.message_post(body=claim._get_entitlement_message())
        return claims

    def write(self, vals):
        result = super().write(vals)
        if "covered" in vals:
            # the repair follows the claim's entitlement (computed): core reprices its parts on the change
            self.sudo().repair_id.filtered(lambda r: r.state not in ("done", "cancel"))._update_sale_order_line_price()
        return result

    def _get_entitlement_message(self):
        self.ensure_one()
        status = self.env._("Under warranty") if self.covered else self.env._("Not under warranty")
        return f"{status}: {self.entitlement_reason or ''}"

    # ------------------------------------------------------------------
    # Lifecycle
    # ------------------------------------------------------------------
    def _set_state(self, new_state):
        """Move the claims to ``new_state``, refusing transitions outside the lifecycle."""
        allowed = CLAIM_TRANSITIONS[new_state]
        wrong = self.filtered(lambda c: c.state not in allowed)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(self.env._(
                "Claim %(claim)s cannot go from %(from)s to %(to)s.",
                claim=wrong[0].name, **{"from": labels[wrong[0].state], "to": labels[new_state]}))
        self.write({"state": new_state})

    def action_review(self):
        self._set_state("under_review")

    def action_approve(self):
        self._set_state("approved")

    def action_reject(self):
        missing = self.filtered(lambda c: not c.reject_reason)
        if missing:
            raise UserError(self.env._("Write the reason for rejecting claim %(claim)s first.",
                                       claim=missing[0].name))
        self._set_state("rejected")

    def action_resolve(self):
        self._set_state("resolved")

    def action_close(self):
        self._set_state("closed")

    def action_refresh_entitlement(self):
        """Re-run the entitlement check (not on overridden claims) and log the answer."""
        for claim in self.filtered(lambda c: not c._is_entitlement_decided()):
            result = self.env["warranty.registration"].with_company(claim.company_id)._check_entitlement(
                partner=claim.partner_id, product=claim.product_id, lot=claim.lot_id, date=claim.claim_date)
            claim.write(claim._prepare_entitlement_values(result))
            claim.message_post(body=claim._get_entitlement_message())

    def action_open_override_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Entitlement"),
            "res_model": "warranty.claim.override",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_claim_id": self.id,
                "default_covered": not self.covered,
                **{f"default_coverage_{cost}_pct": self[f"coverage_{cost}_pct"] or 100.0 for cost in COST_TYPES},
            },
        }

    def _override_entitlement(self, covered, coverage, reason):
        """Manager decision replacing the computed entitlement; ``reason`` is mandatory and logged."""
        self.ensure_one()
        if not self.env.user.has_group("warranty_management.group_warranty_manager"):
            raise AccessError(self.env._("Only a Warranty Manager can override an entitlement."))
        if not (reason or "").strip():
            raise UserError(self.env._("Write the reason of the override."))
        if any(not 0 <= pct <= 100 for pct in coverage.values()):
            raise ValidationError(self.env._("Coverage percentages must be between 0 and 100."))
        previous = self._get_entitlement_message()
        self.write({
            "entitlement_override": True,
            "override_reason": reason,
            "override_user_id": self.env.user.id,
            "covered": covered,
            **{f"coverage_{cost}_pct": coverage.get(cost, 0.0) if covered else 0.0 for cost in COST_TYPES},
            "entitlement_reason": self.env._("Overridden by %(user)s: %(reason)s", user=self.env.user.name,
                                             reason=reason),
        })
        self.message_post(body=self.env._(
            "Entitlement overridden by %(user)s (was: %(previous)s). Reason: %(reason)s",
            user=self.env.user.name, previous=previous, reason=reason))

    # ------------------------------------------------------------------
    # Resolutions
    # ------------------------------------------------------------------
    def _check_can_resolve(self, resolution):
        """Guard of the resolution actions. The documents (repair, delivery, credit note) are then
        created as superuser: a warranty user needs no stock/accounting rights to resolve claims."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "approved":
            raise UserError(self.env._("Approve claim %(claim)s before starting its resolution.", claim=self.name))
        if self.resolution and self.resolution != resolution:
            raise UserError(self.env._("Claim %(claim)s is already resolved by another resolution.",
                                       claim=self.name))

    def action_create_repair(self):
        """Create the repair order; 'Under Warranty' comes from the entitlement checked again now."""
        self.ensure_one()
        self._check_can_resolve("repair")
        if not self.product_id:
            raise UserError(self.env._("Set the product to repair first."))
        self.action_refresh_entitlement()
        repair = self.env["repair.order"].sudo().create(self.sudo()._prepare_repair_vals())
        self.write({"resolution": "repair", "repair_id": repair.id, "state": "in_progress"})
        self.message_post(body=self.env._("Repair order %(repair)s created.", repair=repair.name))
        return self.action_view_repair()

    def _prepare_repair_vals(self):
        """Values of the repair order created from the claim (seam)."""
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "product_qty": self.quantity,
            "under_warranty": self.covered,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id,
            "warranty_claim_id": self.id,
            "internal_notes": self.description,
        }

    def action_create_replacement(self):
        """Create the outgoing delivery of a new unit to the customer."""
        self.ensure_one()
        self._check_can_resolve("replacement")
        picking_type = self.sudo()._get_replacement_picking_type()
        if not picking_type:
            raise UserError(self.env._("No delivery operation type found for company %(company)s.",
                                       company=self.company_id.name))
        picking = self.env["stock.picking"].sudo().create(
            self.sudo()._prepare_replacement_picking_vals(picking_type))
        picking.action_confirm()
        self.write({"resolution": "replacement", "replacement_picking_id": picking.id, "state": "in_progress"})
        self.message_post(body=self.env._("Replacement delivery %(picking)s created.", picking=picking.name))
        return self.action_view_replacement()

    def _get_replacement_picking_type(self):
        """Operation type of replacement deliveries (seam): the company warehouse's delivery type."""
        warehouse = self.env["stock.warehouse"].sudo().search([("company_id", "=", self.company_id.id)], limit=1)
        return warehouse.out_type_id

    def _prepare_replacement_picking_vals(self, picking_type):
        self.ensure_one()
        dest = self.partner_id.property_stock_customer
        return {
            "picking_type_id": picking_type.id,
            "partner_id": self.partner_id.id,
            "location_id": picking_type.default_location_src_id.id,
            "location_dest_id": dest.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "warranty_claim_id": self.id,
            "move_ids": [Command.create({
                "name": self.product_id.display_name,
                "product_id": self.product_id.id,
                "product_uom_qty": self.quantity,
                "product_uom": self.product_id.uom_id.id,
                "location_id": picking_type.default_location_src_id.id,
                "location_dest_id": dest.id,
                "company_id": self.company_id.id,
            })],
        }

    def action_create_refund(self):
        """Create a draft credit note for the claimed unit(s) at the price they were sold."""
        self.ensure_one()
        self._check_can_resolve("refund")
        self._check_refund_allowed()
        refund = self.env["account.move"].sudo().create(self.sudo()._prepare_refund_vals())
        self.write({"resolution": "refund", "refund_move_id": refund.id, "state": "in_progress"})
        self.message_post(body=self.env._("Credit note %(move)s created.", move=refund.display_name))
        return self.action_view_refund()

    def _check_refund_allowed(self):
        """Refuse a refund beyond what was sold and is covered (seam).

        The claim must be under warranty (computed or overridden by a manager), and the units
        refunded by all the claims of the registration may not exceed the units it registers.
        """
        self.ensure_one()
        if not self.covered:
            raise ValidationError(self.env._(
                "Claim %(claim)s is not under warranty: it cannot be refunded.", claim=self.name))
        registration = self.registration_id
        if not registration:
            raise ValidationError(self.env._(
                "Claim %(claim)s has no warranty registration: the units sold are unknown, it cannot be refunded.",
                claim=self.name))
        if self.quantity <= 0:
            raise ValidationError(self.env._("The quantity to refund must be positive."))
        refunded = sum(self.sudo().search([
            ("registration_id", "=", registration.id), ("id", "!=", self.id), ("resolution", "=", "refund"),
            ("refund_move_id.state", "!=", "cancel"),
        ]).mapped("quantity"))
        sold = registration.quantity
        if float_compare(refunded + self.quantity, sold, precision_digits=4) > 0:
            raise ValidationError(self.env._(
                "Claim %(claim)s asks to refund %(qty)s unit(s) but registration %(registration)s covers "
                "%(sold)s unit(s), %(refunded)s of which are refunded already.",
                claim=self.name, qty=self.quantity, registration=registration.name, sold=sold, refunded=refunded))

    def _prepare_refund_vals(self):
        """Values of the credit note (seam): the sale line price, reversing its posted invoice when any."""
        self.ensure_one()
        sale_line = self.registration_id.sale_line_id
        invoice = self.registration_id.invoice_id or sale_line.invoice_lines.move_id.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice")[:1]
        line_vals = {
            "product_id": self.product_id.id,
            "quantity": self.quantity,
            "price_unit": sale_line.price_unit if sale_line else self.product_id.lst_price,
        }
        if sale_line:
            line_vals["tax_ids"] = [Command.set(sale_line.tax_id.ids)]
            line_vals["discount"] = sale_line.discount
        return {
            "move_type": "out_refund",
            "partner_id": (invoice.partner_id or self.partner_id).id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "ref": self.env._("Warranty claim %(claim)s", claim=self.name),
            "reversed_entry_id": invoice.id or False,
            "currency_id": (sale_line.currency_id or invoice.currency_id or self.company_id.currency_id).id,
            "invoice_line_ids": [Command.create(line_vals)],
        }

    def action_view_repair(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "repair.order", "res_id": self.repair_id.id,
                "view_mode": "form", "name": self.repair_id.name}

    def action_view_replacement(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "stock.picking",
                "res_id": self.replacement_picking_id.id, "view_mode": "form",
                "name": self.replacement_picking_id.name}

    def action_view_refund(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "account.move", "res_id": self.refund_move_id.id,
                "view_mode": "form", "name": self.refund_move_id.display_name}

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Claim %(name)s", name=self.name)
