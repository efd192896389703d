import re

from odoo import api, fields, models
from odoo.tools import email_normalize, html2plaintext

# words that may be a serial number: letters, digits and the separators serials use
SERIAL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.]*[A-Za-z0-9]")


class WarrantyClaim(models.Model):
    """Claims received by e-mail on the warranty alias."""

    _inherit = "warranty.claim"

    source = fields.Selection(selection_add=[("email", "E-mail")], ondelete={"email": "set default"})

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """Open a claim from an e-mail: the sender is matched to a customer, a serial number of theirs
        quoted in the subject or body to its registration; the sender gets the claim reference back."""
        values = dict(custom_values or {})
        partner = self._find_claim_partner(msg_dict.get("email_from"))
        if not partner and msg_dict.get("email_from"):
            partner = self.env["res.partner"].find_or_create(msg_dict["email_from"])
        text = "\n".join((msg_dict.get("subject") or "", html2plaintext(msg_dict.get("body") or "")))
        registration = self._find_claim_registration(partner, text)
        values.setdefault("name", self.env._("New"))
        values.update({
            "partner_id": partner.id,
            "source": "email",
            "description": msg_dict.get("body"),
        })
        if registration:
            values.update({"lot_id": registration.lot_id.id, "product_id": registration.product_id.id})
        claim = super().message_new(msg_dict, custom_values=values)
        claim._send_received_acknowledgement()
        return claim

    @api.model
    def _find_claim_partner(self, email_from):
        """Customer who wrote from ``email_from`` (seam): the oldest contact with that normalized
        e-mail, a company's own contact first. Empty when none."""
        email = email_normalize(email_from or "")
        if not email:
            return self.env["res.partner"]
        return self.env["res.partner"].search([("email_normalized", "=", email)], order="is_company desc, id", limit=1)

    @api.model
    def _find_claim_registration(self, partner, text):
        """Registration of ``partner``'s unit whose serial number appears in ``text`` (seam).

        Only the customer's own registrations count: a serial of somebody else is ignored (the
        claim is then opened without unit, for the team to complete).
        """
        registration_model = self.env["warranty.registration"].sudo()
        tokens = list(dict.fromkeys(SERIAL_TOKEN.findall(text or "")))[:500]
        if not partner or not tokens:
            return registration_model
        return registration_model.search([
            ("lot_id.name", "in", tokens),
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("company_id", "=", self.env.company.id),
            ("state", "!=", "transferred"),
        ], order="state, end_date desc, id desc", limit=1)

    def _send_received_acknowledgement(self):
        """Reply to the customer with the claim reference (template *Warranty claim received*)."""
        template = self.env.ref("warranty_management.mail_template_warranty_claim_received", raise_if_not_found=False)
        if not template:
            return
        for claim in self:
            claim.message_post_with_source(template, subtype_xmlid="mail.mt_comment", message_type="comment")
