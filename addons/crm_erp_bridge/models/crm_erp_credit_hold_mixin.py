from markupsafe import Markup

from odoo import models


class CrmErpCreditHoldMixin(models.AbstractModel):
    """What a document held by the credit block shares (quotations here, deliveries in
    ``crm_erp_bridge_stock``): the log of its holds and overrides on its chatter, which feeds the
    customer timeline (event types *Credit hold* and *Credit block overridden*)."""

    _name = "crm.erp.credit.hold.mixin"
    _description = "CRM-ERP Bridge Credit Hold"

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
