from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import SQL

COST_TYPES = ("parts", "labor", "travel")


class WarrantyRegistration(models.Model):
    """Entitlement of one customer on one unit (serial) or one quantity of a product."""

    _name = "warranty.registration"
    _description = "Warranty Registration"
    _inherit = ["mail.thread", "mail.activity.mixin", "warranty.job.mixin"]
    _order = "end_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Reference", required=True, copy=False, readonly=True, index="trigram", default=lambda self: self.env._("New"))
    company_id = fields.Many2one(
        "res.company", "Company", required=True, index=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one(
        "res.partner", "Owner", required=True, index=True, tracking=True, check_company=True)
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Commercial Entity")
    user_id = fields.Many2one(
        "res.users", "Salesperson", compute="_compute_user_id", store=True, readonly=False, precompute=True,
        help="Receives the renewal opportunity.")
    product_id = fields.Many2one(
        "product.product", "Product", required=True, index=True, check_company=True,
        domain="[('type', '=', 'consu')]")
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id", store=True, index=True)
    tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        "stock.lot", "Lot/Serial Number", index=True, check_company=True,
        domain="[('product_id', '=', product_id)]")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    origin = fields.Selection([
        ("order", "Order confirmation"),
        ("delivery", "Delivery"),
        ("invoice", "Invoice"),
        ("manual", "Manual registration"),
        ("transfer", "Transfer of ownership"),
    ], default="manual", required=True, readonly=True)
    sale_order_id = fields.Many2one("sale.order", "Sale Order", index=True, check_company=True)
    sale_line_id = fields.Many2one("sale.order.line", "Sale Order Line", index=True, check_company=True)
    picking_id = fields.Many2one("stock.picking", "Delivery", index="btree_not_null", check_company=True)
    move_id = fields.Many2one("stock.move", "Stock Move", index="btree_not_null", check_company=True)
    invoice_id = fields.Many2one("account.move", "Invoice", index="btree_not_null", check_company=True)
    invoice_line_id = fields.Many2one("account.move.line", "Invoice Line", index="btree_not_null")
    policy_id = fields.Many2one(
        "warranty.policy", "Policy", compute="_compute_policy_id", store=True, readonly=False,
        precompute=True, index=True, check_company=True, tracking=True)
    start_date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    base_end_date = fields.Date(
        "Policy End Date", compute="_compute_base_end_date", store=True, readonly=False, precompute=True,
        help="End of the warranty granted by the policy (legal minimum for consumers included).")
    end_date = fields.Date(
        compute="_compute_end_date", store=True, index=True, tracking=True,
        help="Policy end date plus the extended warranties bought.")
    state = fields.Selection([
        ("active", "Active"),
        ("expired", "Expired"),
        ("closed", "Closed"),
        ("transferred", "Transferred"),
    ], default="active", required=True, index=True, tracking=True, copy=False)
    coverage_parts_pct = fields.Float(
        "Parts Coverage (%)", compute="_compute_coverage", store=True, readonly=False, precompute=True)
    coverage_labor_pct = fields.Float(
        "Labor Coverage (%)", compute="_compute_coverage", store=True, readonly=False, precompute=True)
    coverage_travel_pct = fields.Float(
        "Travel/Shipping Coverage (%)", compute="_compute_coverage", store=True, readonly=False, precompute=True)
    extension_ids = fields.One2many("warranty.registration.extension", "registration_id", "Extensions")
    previous_registration_id = fields.Many2one(
        "warranty.registration", "Previous Owner's Registration", readonly=True, index="btree_not_null",
        copy=False)
    claim_ids = fields.One2many("warranty.claim", "registration_id", "Claims")
    claim_count = fields.Integer(compute="_compute_claim_count")
    renewal_date = fields.Date(
        compute="_compute_renewal_date", store=True, index=True,
        help="Day from which a renewal opportunity is proposed.")
    renewal_lead_id = fields.Many2one("crm.lead", "Renewal Opportunity", readonly=True, copy=False,
                                      index="btree_not_null")
    close_reason = fields.Char(readonly=True, copy=False)
    closed_by_order_cancel = fields.Boolean(
        readonly=True, copy=False, help="Closed because its sale order was cancelled: confirming the order "
        "again reactivates it.")
    days_remaining = fields.Integer(compute="_compute_days_remaining")
    terms = fields.Html(related="policy_id.terms")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("sale_order_id")
    def _compute_user_id(self):
        for registration in self:
            registration.user_id = (
                registration.sale_order_id.user_id or registration.partner_id.user_id or registration.user_id)

    @api.depends("product_id")
    def _compute_policy_id(self):
        for registration in self:
            if registration.product_id:
                registration.policy_id = registration.product_id._get_warranty_policy()

    def _get_policy_terms(self):
        """Terms the policy grants this registration (see ``warranty.policy._get_registration_terms``)."""
        self.ensure_one()
        if not self.policy_id:
            return {"base_end_date": False, **{f"coverage_{cost}_pct": 0.0 for cost in COST_TYPES}}
        return self.policy_id._get_registration_terms(self.start_date, self.partner_id)

    @api.depends("policy_id", "start_date", "partner_id")
    def _compute_base_end_date(self):
        for registration in self:
            registration.base_end_date = registration._get_policy_terms()["base_end_date"]

    @api.depends("base_end_date", "extension_ids.months")
    def _compute_end_date(self):
        for registration in self:
            months = sum(registration.extension_ids.mapped("months"))
            registration.end_date = registration.base_end_date and (
                registration.base_end_date + relativedelta(months=months))

    @api.depends("policy_id", "start_date", "partner_id", "extension_ids.coverage_pct")
    def _compute_coverage(self):
        for registration in self:
            extension_pct = max(registration.extension_ids.mapped("coverage_pct") or [0.0])
            terms = registration._get_policy_terms()
            for cost in COST_TYPES:
                registration[f"coverage_{cost}_pct"] = max(terms[f"coverage_{cost}_pct"], extension_pct)

    @api.depends("end_date", "policy_id")
    def _compute_renewal_date(self):
        for registration in self:
            days = registration.policy_id.renewal_days_before
            registration.renewal_date = registration.end_date and days > 0 and (
                registration.end_date - relativedelta(days=days))

    def _compute_claim_count(self):
        counts = dict(self.env["warranty.claim"]._read_group(
            [("registration_id", "in", self.ids)], ["registration_id"], ["__count"]))
        for registration in self:
            registration.claim_count = counts.get(registration, 0)

    def _compute_days_remaining(self):
        today = fields.Date.context_today(self)
        for registration in self:
            registration.days_remaining = (
                max((registration.end_date - today).days + 1, 0)
                if registration.end_date and registration.state == "active" else 0)

    @api.depends("name", "product_id", "lot_id")
    def _compute_display_name(self):
        for registration in self:
            unit = registration.lot_id.name or registration.product_id.display_name or ""
            registration.display_name = f"{registration.name} - {unit}" if unit else registration.name

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("start_date", "end_date", "quantity", "policy_id")
    def _check_dates_quantity(self):
        for registration in self:
            if registration.quantity <= 0:
                raise ValidationError(self.env._(
                    "The quantity of warranty registration %(name)s must be positive.", name=registration.name))
            if not registration.policy_id:
                raise ValidationError(self.env._(
                    "Product %(product)s has no warranty policy: set one on the product or its category.",
                    product=registration.product_id.display_name))
            if registration.end_date and registration.end_date < registration.start_date:
                raise ValidationError(self.env._(
                    "The warranty of %(name)s cannot end before it starts.", name=registration.name))

    @api.constrains("lot_id", "product_id", "quantity")
    def _check_lot(self):
        for registration in self.filtered("lot_id"):
            if registration.lot_id.product_id != registration.product_id:
                raise ValidationError(self.env._(
                    "Serial number %(lot)s is not a unit of %(product)s.",
                    lot=registration.lot_id.name, product=registration.product_id.display_name))
            if registration.product_id.tracking == "serial" and registration.quantity != 1:
                raise ValidationError(self.env._(
                    "A registration for serial number %(lot)s covers exactly one unit.",
                    lot=registration.lot_id.name))

    @api.constrains("lot_id", "state")
    def _check_single_active_per_serial(self):
        serials = self.filtered(lambda r: r.lot_id and r.state == "active" and r.product_id.tracking == "serial")
        if not serials:
            return
        groups = self._read_group(
            [("lot_id", "in", serials.lot_id.ids), ("state", "=", "active")], ["lot_id"], ["__count"])
        duplicates = [lot.name for lot, count in groups if count > 1]
        if duplicates:
            raise ValidationError(self.env._(
                "Serial number(s) %(lots)s already have an active warranty registration.",
                lots=", ".join(duplicates)))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        new_label = self.env._("New")
        unnamed = [vals for vals in vals_list if vals.get("name", new_label) == new_label]
        for vals, name in zip(unnamed, self._allocate_names(len(unnamed)), strict=True):
            vals["name"] = name
        return super().create(vals_list)

    @api.model
    def _allocate_names(self, count):
        """Return ``count`` registration references, reserved in ONE query when the sequence allows it.

        Registering a delivery of 1,000 lines must not cost 2,000 sequence queries.
        """
        if not count:
            return []
        sequence = self.env["ir.sequence"].sudo().search(
            [("code", "=", "warranty.registration"), ("company_id", "in", [self.env.company.id, False])],
            order="company_id", limit=1)
        if not sequence or sequence.implementation != "standard" or sequence.use_date_range:
            return [self.env["ir.sequence"].next_by_code("warranty.registration") or self.env._("New")
                    for __ in range(count)]
        self.env.cr.execute(SQL(
            "SELECT nextval(%s) FROM generate_series(1, %s)", f"ir_sequence_{sequence.id:03d}", count))
        return [sequence.get_next_char(number) for (number,) in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # Automatic registration (start triggers)
    # ------------------------------------------------------------------
    @api.model
    def _register_units(self, units):
        """Create the registrations for ``units`` in one batch and return them.

        ``units`` is a list of dicts with the keys ``partner``, ``product``, ``policy``,
        ``start_date``, ``origin``, ``company`` and optionally ``lot``, ``quantity``,
        ``sale_line``, ``move``, ``invoice_line``. Serial numbers that already have an
        active registration are skipped (a trigger firing twice registers once).
        """
        if not units:
            return self.browse()
        lot_ids = [unit["lot"].id for unit in units if unit.get("lot")]
        registered_lots = set()
        if lot_ids:
            registered_lots = set(self.sudo()._read_group(
                [("lot_id", "in", lot_ids), ("state", "=", "active")], ["lot_id"])
            )
            registered_lots = {lot.id for (lot,) in registered_lots}
        registered_keys = self._get_registered_unit_keys(units)
        vals_list = []
        for unit in units:
            key = self._get_unit_key(unit)
            if key in registered_keys:
                continue
            registered_keys.add(key)
            lot = unit.get("lot")
            if lot:
                if lot.id in registered_lots:
                    continue
                registered_lots.add(lot.id)
            vals_list.append(self._prepare_registration_vals(unit))
        registrations = self.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True,
        ).create(vals_list).with_env(self.env)
        registrations._apply_pending_extensions()
        return registrations

    @api.model
    def _get_unit_key(self, unit):
        """Identity of a unit sold (seam): a trigger firing again for the same key registers nothing.

        Serials: (sale line, serial). Other units: (sale line, stock move, invoice line), so
        that re-confirming an order or re-posting an invoice never registers twice, while
        partial deliveries and invoices each register their quantity.
        """
        sale_line_id = unit.get("sale_line") and unit["sale_line"].id or False
        if unit.get("lot"):
            return (sale_line_id, unit["lot"].id)
        return (sale_line_id, unit.get("move") and unit["move"].id or False,
                unit.get("invoice_line") and unit["invoice_line"].id or False)

    @api.model
    def _get_registered_unit_keys(self, units):
        """Return the keys (see :meth:`_get_unit_key`) of ``units`` registered already, in any state."""
        sale_line_ids = {unit["sale_line"].id for unit in units if unit.get("sale_line")}
        if not sale_line_ids:
            return set()
        keys = set()
        registrations = self.sudo().search_fetch(
            [("sale_line_id", "in", list(sale_line_ids))], ["sale_line_id", "lot_id", "move_id", "invoice_line_id"])
        for registration in registrations:
            if registration.lot_id:
                keys.add((registration.sale_line_id.id, registration.lot_id.id))
            else:
                keys.add((registration.sale_line_id.id, registration.move_id.id, registration.invoice_line_id.id))
        return keys

    @api.model
    def _prepare_registration_vals(self, unit):
        """Return the ``create`` values of one registration from a unit dict (see :meth:`_register_units`).

        Dates and coverage are given here rather than computed one by one, so that a big
        delivery registers in a few seconds.
        """
        sale_line = unit.get("sale_line")
        move = unit.get("move")
        invoice_line = unit.get("invoice_line")
        policy = unit["policy"]
        return {
            **policy._get_registration_terms(unit["start_date"], unit["partner"]),
            "user_id": (sale_line and sale_line.order_id.user_id.id) or unit["partner"].user_id.id or False,
            "partner_id": unit["partner"].id,
            "product_id": unit["product"].id,
            "policy_id": unit["policy"].id,
            "lot_id": unit.get("lot") and unit["lot"].id,
            "quantity": unit.get("quantity") or 1.0,
            "start_date": unit["start_date"],
            "origin": unit["origin"],
            "company_id": unit["company"].id,
            "sale_line_id": sale_line and sale_line.id,
            "sale_order_id": sale_line and sale_line.order_id.id,
            "move_id": move and move.id,
            "picking_id": move and move.picking_id.id,
            "invoice_line_id": invoice_line and invoice_line.id,
            "invoice_id": invoice_line and invoice_line.move_id.id,
        }

    @api.model
    def _register_serial_for_customer(self, serial, partner):
        """Register, on the customer's request, a serial number delivered to them (portal).

        Only a serial delivered to the customer's company, not yet registered, can be
        registered; the warranty starts today when the policy waits for the customer's
        registration, else at the delivery date.
        """
        serial = (serial or "").strip()
        if not serial:
            raise UserError(self.env._("Enter the serial number of your product."))
        commercial = partner.commercial_partner_id
        move_line = self.env["stock.move.line"].sudo().search([
            ("lot_id.name", "=", serial),
            ("state", "=", "done"),
            ("location_dest_id.usage", "=", "customer"),
            ("move_id.picking_id.partner_id", "child_of", commercial.id),
        ], order="date desc", limit=1)
        if not move_line:
            raise UserError(self.env._(
                "Serial number %(serial)s was not delivered to you: check the number on the product label.",
                serial=serial))
        lot = move_line.lot_id
        if not self._is_current_delivery(move_line):
            raise UserError(self.env._(
                "Serial number %(serial)s was returned or passed to another customer since it was delivered to "
                "you: it cannot be registered by you.", serial=serial))
        if self.sudo().search_count([("lot_id", "=", lot.id), ("state", "=", "active")], limit=1) \
                or self._get_delivery_registrations(move_line):
            raise UserError(self.env._("Serial number %(serial)s is already registered.", serial=serial))
        policy = lot.product_id._get_warranty_policy()
        if not policy:
            raise UserError(self.env._("Product %(product)s has no warranty to register.",
                                       product=lot.product_id.display_name))
        start = fields.Date.context_today(self) if policy.start_trigger == "registration" else (
            fields.Date.context_today(self, move_line.date))
        return self.with_company(move_line.company_id)._register_units([{
            "partner": partner,
            "product": lot.product_id,
            "policy": policy,
            "lot": lot,
            "quantity": 1.0,
            "start_date": start,
            "origin": "manual",
            "company": move_line.company_id,
            "sale_line": move_line.move_id.sale_line_id,
            "move": move_line.move_id,
        }])

    @api.model
    def _is_current_delivery(self, move_line):
        """True when ``move_line`` (a delivery to a customer) is the last customer movement of its
        serial: not returned since, not delivered to someone else since (seam)."""
        last = self.env["stock.move.line"].sudo().search([
            ("lot_id", "=", move_line.lot_id.id),
            ("state", "=", "done"),
            "|", ("location_dest_id.usage", "=", "customer"), ("location_id.usage", "=", "customer"),
        ], order="date desc, id desc", limit=1)
        return last == move_line

    @api.model
    def _get_delivery_registrations(self, move_line):
        """Registrations, in any state, of the unit delivered by ``move_line``: its registration
        (closed, expired or transferred included) exists once, never again (seam)."""
        domain = [("lot_id", "=", move_line.lot_id.id), ("move_id", "=", move_line.move_id.id)]
        if move_line.move_id.sale_line_id:
            domain = ["&", ("lot_id", "=", move_line.lot_id.id), "|",
                      ("move_id", "=", move_line.move_id.id),
                      ("sale_line_id", "=", move_line.move_id.sale_line_id.id)]
        return self.sudo().search(domain)

    def _apply_pending_extensions(self):
        """Attach extended warranties sold on the same orders as ``self`` to ``self``."""
        orders = self.sale_order_id
        if not orders:
            return
        extension_lines = self.env["sale.order.line"].sudo().search([
            ("order_id", "in", orders.ids),
            ("state", "=", "sale"),
            ("product_id.warranty_extension", "=", True),
        ])
        extension_lines._warranty_extend(self)

    # ------------------------------------------------------------------
    # Entitlement
    # ------------------------------------------------------------------
    @api.model
    def _check_entitlement(self, partner=None, product=None, lot=None, date=None):
        """Tell whether a customer is entitled to warranty service. THE entitlement rule of the suite.

        :param partner: ``res.partner`` asking for service (any contact of the customer)
        :param product: ``product.product`` concerned (deduced from ``lot`` when missing)
        :param lot: ``stock.lot`` serial number of the unit
        :param date: date of the failure/claim (``date``), today when missing
        :return: dict with ``covered`` (bool), ``coverage`` ({'parts', 'labor', 'travel'} in %),
            ``days_remaining`` (int), ``end_date`` (date or False), ``registration`` (record,
            possibly empty) and ``reason`` (translated text explaining the answer).

        Missing data never means covered: without a registration, a customer or a
        product, the answer is "not covered" with the reason.
        """
        date = date or fields.Date.context_today(self)
        product = product or (lot and lot.product_id) or self.env["product.product"]
        registrations = self._entitlement_candidates(partner, product, lot)
        if not registrations:
            return self._entitlement_result(False, self._entitlement_missing_reason(partner, product, lot))
        return self._entitlement_evaluate(registrations, partner, date)

    @api.model
    def _entitlement_candidates(self, partner, product, lot):
        """Return the registrations that may entitle ``partner`` for ``product``/``lot`` (seam).

        Only registrations of the current company count (``with_company`` to ask for another).
        """
        if lot:
            domain = [("lot_id", "=", lot.id)]
        elif product and partner:
            domain = [("product_id", "=", product.id),
                      ("commercial_partner_id", "=", partner.commercial_partner_id.id)]
        else:
            return self.browse()
        domain.append(("company_id", "=", self.env.company.id))
        return self.sudo().search(domain, order="state, end_date desc, id desc")

    @api.model
    def _entitlement_missing_reason(self, partner, product, lot):
        if not partner:
            return self.env._("No customer given: entitlement cannot be established.")
        if lot:
            return self.env._("Serial number %(lot)s was never sold or registered.", lot=lot.name)
        if not product:
            return self.env._("No product or serial number given: entitlement cannot be established.")
        return self.env._("%(partner)s has no warranty registration for %(product)s.",
                          partner=partner.display_name, product=product.display_name)

    @api.model
    def _entitlement_evaluate(self, registrations, partner, date):
        """Decide on the best registration among ``registrations`` for ``partner`` at ``date`` (seam)."""
        if not partner:
            return self._entitlement_result(False, self._entitlement_missing_reason(partner, None, None))
        commercial = partner.commercial_partner_id
        owned = registrations.filtered(lambda r: r.commercial_partner_id == commercial)
        if not owned:
            return self._entitlement_result(False, self.env._(
                "The unit is registered to another customer, not to %(partner)s.", partner=commercial.display_name))
        active = owned.filtered(lambda r: r.state in ("active", "expired"))
        if not active:
            registration = owned[:1]
            state_label = dict(self._fields["state"]._description_selection(self.env))[registration.state]
            return self._entitlement_result(False, self.env._(
                "Registration %(name)s is %(state)s.", name=registration.name, state=state_label.lower()),
                registration)
        in_period = active.filtered(lambda r: r.start_date <= date <= r.end_date)
        if not in_period:
            registration = active[:1]
            if date < registration.start_date:
                reason = self.env._("The warranty of %(name)s only starts on %(date)s.",
                                    name=registration.name, date=registration.start_date)
            else:
                reason = self.env._("The warranty of %(name)s expired on %(date)s.",
                                    name=registration.name, date=registration.end_date)
            return self._entitlement_result(False, reason, registration)
        registration = in_period.sorted("end_date", reverse=True)[:1]
        return self._entitlement_result(True, self.env._(
            "Covered by %(name)s (%(policy)s) until %(date)s.", name=registration.name,
            policy=registration.policy_id.name, date=registration.end_date), registration, date)

    @api.model
    def _entitlement_result(self, covered, reason, registration=None, date=None):
        registration = registration or self.browse()
        coverage = dict.fromkeys(COST_TYPES, 0.0)
        days_remaining = 0
        if covered:
            coverage = registration._get_coverage_on(date)
            days_remaining = (registration.end_date - date).days + 1
        return {
            "covered": covered,
            "coverage": coverage,
            "days_remaining": days_remaining,
            "end_date": registration.end_date or False,
            "registration": registration,
            "reason": reason,
        }

    def _check_certificate_printable(self):
        """Refuse the certificate of registrations no longer in force (seam): a closed, expired or
        transferred warranty must not be proved by a document."""
        not_active = self.filtered(lambda r: r.state != "active")
        if not_active:
            raise UserError(self.env._(
                "No certificate for registration %(name)s: its warranty is no longer in force.",
                name=not_active[0].name))

    def _get_sale_date(self):
        """Date the unit was sold to the owner: order date, else the warranty start (manual registrations)."""
        self.ensure_one()
        if self.sale_order_id.date_order:
            return min(fields.Date.context_today(self, self.sale_order_id.date_order), self.start_date)
        return self.start_date

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _close(self, reason):
        """Close active registrations (unit returned, scrapped, ...) and log ``reason``."""
        active = self.filtered(lambda r: r.state == "active")
        active.write({"state": "closed", "close_reason": reason})
        for registration in active:
            registration.message_post(body=reason)

    def action_close(self):
        self._close(self.env._("Closed by %(user)s.", user=self.env.user.name))

    def action_reactivate(self):
        """Give back the warranty of closed registrations: a Warranty Manager's decision, logged."""
        if not self.env.user.has_group("warranty_management.group_warranty_manager"):
            raise AccessError(self.env._("Only a Warranty Manager can reactivate a closed warranty."))
        closed = self.filtered(lambda r: r.state == "closed")
        closed._reactivate()
        for registration in closed:
            registration.message_post(body=self.env._("Reactivated by %(user)s.", user=self.env.user.name))

    def _reactivate(self):
        """Set closed registrations of ``self`` active again (trusted callers only)."""
        self.filtered(lambda r: r.state == "closed").write(
            {"state": "active", "close_reason": False, "closed_by_order_cancel": False})

    def action_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("warranty_management.warranty_claim_action")
        action["domain"] = [("registration_id", "=", self.id)]
        action["context"] = {
            "default_registration_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_product_id": self.product_id.id,
            "default_lot_id": self.lot_id.id,
        }
        return action

    def action_open_transfer_wizard(self):
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Transfer Ownership"),
            "res_model": "warranty.registration.transfer",
            "view_mode": "form",
            "target": "new",
            "context": {"default_registration_id": self.id},
        }

    def _get_carried_over_terms(self):
        """Terms a registration hands to the one that continues it (transfer to a new owner,
        replacement unit): the start, the policy end date and the coverage granted at sale,
        never recomputed from today's policy or for the new owner (seam).
        """
        self.ensure_one()
        return {
            "start_date": self.start_date,
            "base_end_date": self.base_end_date,
            **{f"coverage_{cost}_pct": self[f"coverage_{cost}_pct"] for cost in COST_TYPES},
        }

    def _get_coverage_on(self, date):
        """Covered share (%) of each cost type for a failure on ``date`` (seam).

        Default: the coverage granted at registration, the whole period long. Override to
        narrow it with time (for example labour covered during the first year only): the
        entitlement answer, claims and their cost lines all take it from here.
        """
        self.ensure_one()
        return {cost: self[f"coverage_{cost}_pct"] for cost in COST_TYPES}

    def _transfer_to(self, new_partner, transfer_date):
        """Hand the remaining warranty over to ``new_partner``; return the new registration.

        The old registration keeps its history with state 'transferred'; the new one keeps
        the dates and coverage granted at sale (no legal minimum recomputed for the new owner).
        """
        self.ensure_one()
        if self.state != "active":
            raise ValidationError(self.env._("Only an active registration can be transferred."))
        if new_partner.commercial_partner_id == self.commercial_partner_id:
            raise ValidationError(self.env._("The new owner must be another customer."))
        if transfer_date < self.start_date:
            raise ValidationError(self.env._("The transfer cannot be dated before the warranty starts."))
        self.write({"state": "transferred"})
        new = self.copy({
            **self._get_carried_over_terms(),
            "partner_id": new_partner.id,
            "origin": "transfer",
            "previous_registration_id": self.id,
            "user_id": new_partner.user_id.id or self.user_id.id,
        })
        if self.extension_ids:
            new.extension_ids = [Command.create(ext._prepare_copy_vals()) for ext in self.extension_ids]
        self.message_post(body=self.env._(
            "Transferred to %(partner)s on %(date)s: see %(new)s.",
            partner=new_partner.display_name, date=transfer_date, new=new.name))
        new.message_post(body=self.env._(
            "Transferred from %(partner)s (%(old)s) on %(date)s.",
            partner=self.partner_id.display_name, old=self.name, date=transfer_date))
        return new

    # ------------------------------------------------------------------
    # Expiry and renewal (cron)
    # ------------------------------------------------------------------
    @api.model
    def _get_expiry_chunk_size(self):
        """Number of expired registrations marked per cron call (seam)."""
        return 5000

    @api.model
    def _get_renewal_chunk_size(self):
        """Number of renewal opportunities created per cron call (seam): creating leads is the slow part."""
        return 500

    @api.model
    def _cron_expire_and_renew(self):
        """Daily job: mark expired registrations, then propose renewals, one chunk per call.

        Each call handles one chunk and reports its progress to the cron framework, which
        commits and calls again (up to 10 times per run, then re-triggers itself). It is
        resumable: expired registrations leave the 'active' state and renewed ones keep their
        opportunity, so a crash or a timeout never redoes work. Memory stays bounded: only one
        chunk of records is loaded at a time and the cache is emptied after each chunk.

        :return: ``(done, remaining)`` of this call
        """
        done, remaining = self._expire_chunk(self._get_expiry_chunk_size())
        if not remaining:
            renewed, remaining = self._renew_chunk(self._get_renewal_chunk_size())
            done += renewed
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done, remaining

    @api.model
    def _expired_domain(self):
        return [("state", "=", "active"), ("end_date", "<", fields.Date.context_today(self))]

    @api.model
    def _expire_chunk(self, limit):
        """Mark at most ``limit`` expired registrations; return ``(done, remaining)``.

        A registration that cannot be expired is reported and skipped until tomorrow
        (see ``warranty.job.mixin``): the others are expired all the same.
        """
        domain = self._expired_domain() + self._job_retry_domain()
        registrations = self.search(domain, limit=limit, order="id")
        done, __ = registrations._job_run(
            lambda records: records.with_context(tracking_disable=True).write({"state": "expired"}),
            self.env._("Warranty expiry"))
        if registrations:
            self.env.invalidate_all()
        remaining = self.search_count(domain) if len(registrations) == limit else 0
        return len(done), remaining

    @api.model
    def _renewal_domain(self):
        """Registrations due for a renewal proposal today (seam)."""
        today = fields.Date.context_today(self)
        return [
            ("state", "=", "active"),
            ("renewal_lead_id", "=", False),
            ("renewal_date", "<=", today),
            ("end_date", ">=", today),
        ]

    @api.model
    def _renew_chunk(self, limit):
        """Create renewal opportunities for at most ``limit`` registrations; return ``(done, remaining)``.

        A registration whose opportunity cannot be created is reported and skipped until
        tomorrow; the others get theirs.
        """
        domain = self._renewal_domain() + self._job_retry_domain()
        due = self.search(domain, limit=limit, order="id")
        done, __ = due._job_run(lambda records: records._create_renewal_leads(), self.env._("Warranty renewal"))
        if due:
            self.env.flush_all()
            self.env.invalidate_all()
        remaining = self.search_count(domain) if len(due) == limit else 0
        return len(done), remaining

    def _create_renewal_leads(self):
        """Create and link the renewal opportunity of each registration of ``self``."""
        leads = self.env["crm.lead"].with_context(tracking_disable=True, mail_create_nolog=True).create(
            [registration._prepare_renewal_lead_vals() for registration in self])
        for registration, lead in zip(self, leads, strict=True):
            registration.renewal_lead_id = lead
        return leads

    def _prepare_renewal_lead_vals(self):
        """Return the values of the renewal opportunity of one registration (seam)."""
        self.ensure_one()
        product = self.policy_id.renewal_product_id
        return {
            "name": self.env._("Warranty renewal: %(unit)s", unit=self.display_name),
            "type": "opportunity",
            "partner_id": self.partner_id.id,
            "user_id": self.user_id.id or False,
            "company_id": self.company_id.id,
            "expected_revenue": product.list_price * self.quantity if product else 0.0,
            "date_deadline": self.end_date,
            "description": self.env._(
                "The warranty of %(product)s (%(unit)s) ends on %(date)s.",
                product=self.product_id.display_name, unit=self.lot_id.name or self.name, date=self.end_date),
        }


class WarrantyRegistrationExtension(models.Model):
    """Extended warranty bought for one registration."""

    _name = "warranty.registration.extension"
    _description = "Warranty Extension"
    _order = "id"

    registration_id = fields.Many2one(
        "warranty.registration", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="registration_id.company_id", store=True)
    product_id = fields.Many2one("product.product", "Extension Product", required=True)
    sale_line_id = fields.Many2one("sale.order.line", "Sold On", index="btree_not_null")
    months = fields.Integer(required=True)
    coverage_pct = fields.Float("Coverage (%)")

    _sql_constraints = [
        ("months_positive", "CHECK(months > 0)", "An extension must add a positive number of months."),
        ("registration_line_unique", "UNIQUE(registration_id, sale_line_id)",
         "This extended warranty is already applied to the registration."),
    ]

    def _prepare_copy_vals(self):
        self.ensure_one()
        return {
            "product_id": self.product_id.id,
            "sale_line_id": False,
            "months": self.months,
            "coverage_pct": self.coverage_pct,
        }


class WarrantyCertificateReport(models.AbstractModel):
    """Certificate PDF: printed for registrations in force only."""

    _name = "report.warranty_management.warranty_certificate_report"
    _description = "Warranty Certificate"

    @api.model
    def _get_report_values(self, docids, data=None):
        registrations = self.env["warranty.registration"].browse(docids)
        registrations._check_certificate_printable()
        return {"doc_ids": docids, "doc_model": "warranty.registration", "docs": registrations, "data": data}
