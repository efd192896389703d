from datetime import datetime, time

from odoo import api, models


class CrmErpTimeline(models.AbstractModel):
    _inherit = "crm.erp.timeline"

    @api.model
    def _get_event_sources(self):
        sources = super()._get_event_sources()
        sources["warranty_registration"] = self._events_warranty_registration
        sources["warranty_claim"] = self._events_warranty_claim
        return sources

    @api.model
    def _get_event_types(self):
        return super()._get_event_types() + [
            ("warranty_registration", self.env._("Warranty registration")),
            ("warranty_claim", self.env._("Warranty claim")),
        ]

    @api.model
    def _warranty_events(self, model_name, date_field, partner_ids, date_from, date_to, limit):
        """Newest records of ``model_name`` for the partners, in one access-checked query."""
        model = self.env[model_name]
        if not model.has_access("read"):
            return model
        domain = [("partner_id", "in", list(partner_ids))]
        if date_from:
            domain.append((date_field, ">=", date_from))
        if date_to:
            domain.append((date_field, "<=", date_to))
        return model.search_fetch(
            domain, ["name", date_field, "partner_id", "product_id", "lot_id", "state", "user_id"],
            order=f"{date_field} desc, id desc", limit=limit)

    @api.model
    def _events_warranty_registration(self, partner_ids, date_from, date_to, limit):
        """Warranty start of each unit the customer owns (installed base on the timeline)."""
        registrations = self._warranty_events(
            "warranty.registration", "start_date", partner_ids, date_from, date_to, limit)
        return [{
            "date": datetime.combine(registration.start_date, time.min),
            "event_type": "warranty_registration",
            "name": self.env._("Warranty %(name)s: %(unit)s until %(end)s", name=registration.name,
                               unit=registration.lot_id.name or registration.product_id.display_name,
                               end=registration.end_date),
            "res_model": "warranty.registration",
            "res_id": registration.id,
            "amount": False,
            "currency_id": False,
            "user_id": registration.user_id.id or False,
            "partner_id": registration.partner_id.id,
        } for registration in registrations]

    @api.model
    def _events_warranty_claim(self, partner_ids, date_from, date_to, limit):
        """Warranty claims of the customer, dated by failure date."""
        claims = self._warranty_events("warranty.claim", "claim_date", partner_ids, date_from, date_to, limit)
        states = dict(self.env["warranty.claim"]._fields["state"]._description_selection(self.env))
        return [{
            "date": datetime.combine(claim.claim_date, time.min),
            "event_type": "warranty_claim",
            "name": self.env._("Warranty claim %(name)s (%(state)s)", name=claim.name, state=states[claim.state]),
            "res_model": "warranty.claim",
            "res_id": claim.id,
            "amount": False,
            "currency_id": False,
            "user_id": claim.user_id.id or False,
            "partner_id": claim.partner_id.id,
        } for claim in claims]
