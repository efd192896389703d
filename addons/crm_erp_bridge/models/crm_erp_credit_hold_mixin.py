from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError


class CrmErpCreditHoldMixin(models.AbstractModel):
    """What a document held by the credit block shares (quotations here, deliveries in
    ``crm_erp_bridge_stock``): who may override the block, the refusal, the dialog the form's
    button opens, the override wizard, and the log of holds and overrides on the chatter, which
    feeds the customer timeline (event types *Credit hold* and *Credit block overridden*).

    A model using it implements ``_bridge_credit_block_reasons`` (``{record: reason}`` of the
    held records of ``self``), ``_bridge_credit_hold_message`` (the refusal, per action) and
    ``_bridge_credit_override_wizard`` (the wizard's title and context)."""

    _name = "crm.erp.credit.hold.mixin"
    _description = "CRM-ERP Bridge Credit Hold"

    def _bridge_credit_block_reasons(self):
        """``{record: reason}`` of the records of ``self`` held by the credit block and not
        overridden (implemented by each model)."""
        raise NotImplementedError

    def _bridge_credit_hold_message(self, reason):
        """Why ``self`` cannot go on (confirmed, validated...), with what a credit manager may do
        (implemented by each model, in the words of its action)."""
        raise NotImplementedError

    def _bridge_credit_override_wizard(self):
        """``(title, context)`` of the override wizard for this record (implemented by each model)."""
        raise NotImplementedError

    def _bridge_can_override_credit_block(self):
        """Whether the current user may release a held document (credit managers)."""
        return self.env.user.has_group("crm_erp_bridge.group_crm_erp_bridge_credit_manager")

    def _bridge_raise_credit_hold(self):
        """Raise when a record of ``self`` is held and not overridden."""
        reasons = self._bridge_credit_block_reasons()
        if reasons:
            held = self.browse([record.id for record in reasons])
            raise UserError(held._bridge_credit_hold_message(next(iter(reasons.values()))))

    def _bridge_credit_hold_action(self, reason):
        """What the user sees when the form's button meets the credit block: the override
        wizard for credit managers, a warning for the others."""
        self.ensure_one()
        if self._bridge_can_override_credit_block():
            return self.action_bridge_credit_override()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Held by the credit block"),
                "message": self._bridge_credit_hold_message(reason),
                "type": "warning",
                "sticky": True,
            },
        }

    def action_bridge_credit_override(self):
        """Open the override wizard (credit managers only; the wizard checks the group again)."""
        self.ensure_one()
        self.check_access("write")
        title, context = self._bridge_credit_override_wizard()
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "crm.erp.credit.override",
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def _bridge_credit_log_subtypes(self):
        """The chatter subtypes of the credit log: ``(hold, override)``."""
        return (
            self.env.ref("crm_erp_bridge.mt_bridge_credit_hold"),
            self.env.ref("crm_erp_bridge.mt_bridge_credit_override"),
        )

    def _bridge_log_credit_hold(self, reason):
        """Log that this document is held by the credit block, once per hold (not again while
        its last credit message is a hold). Written as superuser: whoever meets the hold, it is
        logged."""
        self.ensure_one()
        hold, override = self._bridge_credit_log_subtypes()
        last = self.env["mail.message"].sudo().search(
            [("model", "=", self._name), ("res_id", "=", self.id), ("subtype_id", "in", (hold | override).ids)],
            order="id desc",
            limit=1,
        )
        if last.subtype_id == hold:
            return False
        return self.sudo().message_post(
            body=Markup("<p>%s</p><p>%s</p>") % (self.env._("Held by the credit block."), reason),
            message_type="comment",
            subtype_id=hold.id,
        )

    def _bridge_log_credit_override(self, reason, automatic=False):
        """Log the override of the credit block on the chatter (who, why)."""
        self.ensure_one()
        if automatic:
            title = self.env._("Credit block overridden automatically.")
        else:
            title = self.env._("Credit block overridden by %(user)s.", user=self.env.user.name)
        return self.sudo().message_post(
            body=Markup("<p>%s</p><p>%s</p>") % (title, reason),
            message_type="comment",
            subtype_id=self._bridge_credit_log_subtypes()[1].id,
        )
