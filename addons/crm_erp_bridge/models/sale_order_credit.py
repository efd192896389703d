from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# Written only by the override itself (as superuser, after its own checks): a client that could
# write them could confirm a blocked order.
CREDIT_OVERRIDE_FIELDS = ("bridge_credit_override_reason", "bridge_credit_override_user_id")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bridge_credit_warning = fields.Boolean(
        string="Credit Warning", compute="_compute_bridge_credit_warning",
    )
    bridge_credit_warning_message = fields.Char(
        string="Credit Warning Message", compute="_compute_bridge_credit_warning",
    )
    bridge_credit_block_active = fields.Boolean(related="company_id.bridge_credit_block")
    bridge_credit_override_reason = fields.Text(
        string="Credit Override Reason", readonly=True, copy=False,
        help="Why a credit manager confirmed this order despite the credit block.",
    )
    bridge_credit_override_user_id = fields.Many2one(
        "res.users", string="Credit Override By", readonly=True, copy=False,
    )

    @api.depends("partner_id", "state")
    @api.depends_context("company", "allowed_company_ids")
    def _compute_bridge_credit_warning(self):
        quotations = self.filtered(lambda o: o.state in ("draft", "sent"))
        (self - quotations).bridge_credit_warning = False
        (self - quotations).bridge_credit_warning_message = False
        figures = quotations.partner_id._bridge_get_receivable_figures()
        for order in quotations:
            # the credit limit has Odoo's own banner on quotations (partner_credit_warning)
            values = figures.get(order.partner_id.commercial_partner_id._origin.id)
            message = values and order.partner_id._bridge_get_overdue_warning(values)
            order.bridge_credit_warning = bool(message)
            order.bridge_credit_warning_message = message or False

    # ------------------------------------------------------------------
    # Credit block
    # ------------------------------------------------------------------

    def _bridge_is_credit_block_active(self):
        """Whether the company blocks confirmation of overdue / over-limit
        customers' quotations (setting "Block Confirmation of Overdue
        Customers")."""
        self.ensure_one()
        return self.company_id.bridge_credit_block

    def _bridge_get_credit_block_reason(self):
        """Return why this quotation may not be confirmed without a credit
        manager's override, or ``False``.

        Blocked when the customer is overdue beyond the company thresholds
        (:meth:`res.partner._bridge_get_overdue_warning`), or when its credit exposure
        with this order exceeds its credit limit, both from the partner's seams
        (``_bridge_get_credit_exposures``: Odoo's own receivables + orders to invoice
        of the order's company; ``_bridge_get_credit_limits``), so that the block, the
        customer's banner and Odoo's credit-limit banner count the same amounts.
        """
        self.ensure_one()
        if not self._bridge_is_credit_block_active():
            return False
        order = self.with_company(self.company_id)
        partner = order.partner_id.commercial_partner_id
        figures = partner._bridge_get_receivable_figures()[partner.id]
        reasons = [partner._bridge_get_overdue_warning(figures)]
        limit = partner._bridge_get_credit_limits((partner.id,)).get(partner.id)
        if limit:
            amount = order.amount_total / (order.currency_rate or 1.0)
            exposure = partner._bridge_get_credit_exposures((partner.id,))[partner.id] + amount
            if order.company_id.currency_id.compare_amounts(exposure, limit) > 0:
                currency = order.company_id.currency_id
                reasons.append(self.env._(
                    "With this order the customer would owe %(exposure)s for a credit limit of %(limit)s.",
                    exposure=currency.format(exposure),
                    limit=currency.format(limit),
                ))
        return " ".join(reason for reason in reasons if reason) or False

    def _bridge_can_override_credit_block(self):
        """Whether the current user may confirm despite the credit block."""
        return self.env.user.has_group("crm_erp_bridge.group_crm_erp_bridge_credit_manager")

    def _bridge_check_credit_block(self):
        """Raise when a quotation is blocked and not overridden.

        An override is the stored ``bridge_credit_override_user_id``, which only
        :meth:`_bridge_record_credit_override` writes: no context key or
        client-written value switches this check off.
        """
        for order in self:
            if order.bridge_credit_override_user_id:
                continue
            reason = order._bridge_get_credit_block_reason()
            if reason:
                raise UserError(self.env._(
                    "%(order)s cannot be confirmed: %(reason)s A credit manager may override the block "
                    "with a reason.",
                    order=order.name,
                    reason=reason,
                ))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(fname in vals for vals in vals_list for fname in CREDIT_OVERRIDE_FIELDS):
            raise AccessError(self.env._("A credit override can only be given through the override wizard."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and any(fname in vals for fname in CREDIT_OVERRIDE_FIELDS):
            raise AccessError(self.env._("A credit override can only be given through the override wizard."))
        return super().write(vals)

    def action_confirm(self):
        self._bridge_check_credit_block()
        return super().action_confirm()

    def action_draft(self):
        res = super().action_draft()
        # An override was given for one confirmation: a quotation reset to draft is checked again.
        self.filtered("bridge_credit_override_user_id").sudo().write(
            dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False)
        )
        return res

    def action_bridge_credit_override(self):
        """Open the override wizard (credit managers only; the wizard checks the group again)."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Credit Block"),
            "res_model": "crm.erp.credit.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _bridge_record_credit_override(self, reason, automatic=False):
        """Record the override of the credit block on the order and log it on
        its chatter (and so on the timeline). The caller has checked that the
        override is allowed (credit manager, or a completed online payment).

        :param reason: why the block is overridden (shown on the chatter)
        :param automatic: the override was given by the system (payment), not by a person
        """
        self.ensure_one()
        self.sudo().write({
            "bridge_credit_override_reason": reason,
            "bridge_credit_override_user_id": self.env.user.id,
        })
        if automatic:
            title = self.env._("Credit block overridden automatically.")
        else:
            title = self.env._("Credit block overridden by %(user)s.", user=self.env.user.name)
        self.sudo().message_post(
            body=Markup("<p>%s</p><p>%s</p>") % (title, reason),
            message_type="comment",
            subtype_xmlid="crm_erp_bridge.mt_bridge_credit_override",
        )

    def _bridge_override_credit_block(self, reason):
        """Record the override of a credit manager and confirm the order."""
        self.ensure_one()
        if not self._bridge_can_override_credit_block():
            raise AccessError(self.env._("Only credit managers may override the credit block."))
        self._bridge_record_credit_override(reason)
        return self.action_confirm()
