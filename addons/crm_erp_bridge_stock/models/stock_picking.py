from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Written only by the override itself (as superuser, after its own checks): a client that could
# write them could release a held delivery.
CREDIT_OVERRIDE_FIELDS = ("bridge_credit_override_reason", "bridge_credit_override_user_id")


class StockPicking(models.Model):
    """Deliveries held by the credit block: an outgoing delivery of a customer over its credit
    limit is not validated unless a credit manager overrides the hold (company setting *Hold
    Deliveries of Over-limit Customers*), with the quotations' wizard and log."""

    _name = "stock.picking"
    _inherit = ["stock.picking", "crm.erp.credit.hold.mixin"]

    bridge_credit_hold_active = fields.Boolean(related="company_id.bridge_credit_hold_deliveries")
    bridge_credit_override_reason = fields.Text(
        string="Credit Override Reason", readonly=True, copy=False,
        help="Why a credit manager validated this delivery despite the credit hold.",
    )
    bridge_credit_override_user_id = fields.Many2one(
        "res.users", string="Credit Override By", readonly=True, copy=False,
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(fname in vals for vals in vals_list for fname in CREDIT_OVERRIDE_FIELDS):
            raise AccessError(self.env._("A credit override can only be given through the override wizard."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and any(fname in vals for fname in CREDIT_OVERRIDE_FIELDS):
            raise AccessError(self.env._("A credit override can only be given through the override wizard."))
        return super().write(vals)

    # ------------------------------------------------------------------
    # The rule
    # ------------------------------------------------------------------
    def _bridge_is_credit_hold_active(self):
        """Whether this transfer is a delivery the company holds for credit: an outgoing
        transfer to a customer, company setting on."""
        self.ensure_one()
        return bool(
            self.company_id.bridge_credit_hold_deliveries
            and self.picking_type_code == "outgoing"
            and self.partner_id
        )

    def _bridge_credit_hold_reason(self, exposure, limit):
        """Return why this delivery is held, given its customer's credit ``exposure`` and
        ``limit`` (both in the company's currency, from the partner's seams), else ``False``:
        the customer is over its credit limit."""
        self.ensure_one()
        currency = self.company_id.currency_id
        if limit and currency.compare_amounts(exposure, limit) > 0:
            return self.env._(
                "The customer owes %(exposure)s (due, ordered and delivered) for a credit limit of %(limit)s.",
                exposure=currency.format(exposure),
                limit=currency.format(limit),
            )
        return False

    def _bridge_credit_block_reasons(self):
        """Return ``{picking: reason}`` for the deliveries of ``self`` held and not overridden.
        Exposures and limits are read for all customers at once, per company."""
        held = self.filtered(lambda p: not p.bridge_credit_override_user_id and p._bridge_is_credit_hold_active())
        reasons = {}
        for company, pickings in held.grouped("company_id").items():
            partners = self.env["res.partner"].with_company(company)
            ids = tuple(set(pickings.partner_id.commercial_partner_id.ids))
            limits = partners._bridge_get_credit_limits(ids)
            exposures = partners._bridge_get_credit_exposures(tuple(limits))
            for picking in pickings.with_company(company):
                pid = picking.partner_id.commercial_partner_id.id
                reason = picking._bridge_credit_hold_reason(exposures.get(pid, 0.0), limits.get(pid))
                if reason:
                    reasons[picking.with_env(self.env)] = reason
        return reasons

    def _bridge_get_credit_block_reason(self):
        """Why this delivery is held (shown in the override wizard), else ``False``."""
        self.ensure_one()
        return self._bridge_credit_block_reasons().get(self, False)

    def _bridge_check_credit_hold(self):
        """Raise when a delivery is held and not overridden (runs on every validation, whatever
        the context)."""
        self._bridge_raise_credit_hold()

    def _bridge_credit_hold_message(self, reason):
        return self.env._(
            "%(pickings)s cannot be validated: %(reason)s A credit manager may override the hold "
            "with a reason.",
            pickings=", ".join(self.mapped("name")),
            reason=reason,
        )

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------
    def _pre_action_done_hook(self):
        # before Odoo's own wizards (backorder...): a held delivery shows the hold, logged
        reasons = self._bridge_credit_block_reasons()
        if reasons:
            for picking, reason in reasons.items():
                picking._bridge_log_credit_hold(reason)
            if len(self) == 1:
                return self._bridge_credit_hold_action(reasons[self])
            self._bridge_check_credit_hold()
        return super()._pre_action_done_hook()

    def _action_done(self):
        self._bridge_check_credit_hold()
        return super()._action_done()

    # ------------------------------------------------------------------
    # Override
    # ------------------------------------------------------------------
    def _bridge_credit_override_wizard(self):
        return self.env._("Override Credit Hold"), {"default_picking_id": self.id}

    def _bridge_override_credit_block(self, reason):
        """Record the override of a credit manager (logged on the chatter, hence on the
        customer timeline) and validate the delivery."""
        self.ensure_one()
        if not self._bridge_can_override_credit_block():
            raise AccessError(self.env._("Only credit managers may override the credit block."))
        if self.state in ("done", "cancel"):
            raise UserError(self.env._("Only deliveries not done yet can be released."))
        self.sudo().write({
            "bridge_credit_override_reason": reason,
            "bridge_credit_override_user_id": self.env.user.id,
        })
        self._bridge_log_credit_override(reason)
        return self.button_validate()
