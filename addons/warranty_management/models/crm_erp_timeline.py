from odoo import api, models

from odoo.addons.crm_erp_bridge.models.crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    _inherit = "crm.erp.timeline"

    @api.model
    def _get_timeline_sources(self):
        return super()._get_timeline_sources() + [
            TimelineSource("warranty_registration", self.env._("Warranty registration"),
                           self._events_warranty_registration),
            TimelineSource("warranty_claim", self.env._("Warranty claim"), self._events_warranty_claim),
        ]

    @api.model
    def _warranty_events(self, model_name, date_field, query):
        """Newest records of ``model_name`` for the partners, in one access-checked query."""
        model = self.env[model_name]
        if not model.has_access("read"):
            return model
        domain = [("partner_id", "in", list(query.partner_ids))]
        return model.search_fetch(
            domain + query.period_domain(date_field, is_date=True) + query.user_domain(),
            ["name", date_field, "partner_id", "product_id", "lot_id", "state", "user_id"],
            order=f"{date_field} desc, id desc", limit=query.limit)

    @api.model
    def _events_warranty_registration(self, query):
        """Warranty start of each unit the customer owns (installed base on the timeline)."""
        return [
            self._event(
                {"id": registration.id, "date": registration.start_date, "user_id": registration.user_id.id,
                 "partner_id": registration.partner_id.id,
                 "name": self.env._("Warranty %(name)s: %(unit)s until %(end)s", name=registration.name,
                                    unit=registration.lot_id.name or registration.product_id.display_name,
                                    end=registration.end_date)},
                "warranty_registration", "warranty.registration")
            for registration in self._warranty_events("warranty.registration", "start_date", query)
        ]

    @api.model
    def _events_warranty_claim(self, query):
        """Warranty claims of the customer, dated by failure date."""
        states = dict(self.env["warranty.claim"]._fields["state"]._description_selection(self.env))
        return [
            self._event(
                {"id": claim.id, "date": claim.claim_date, "user_id": claim.user_id.id,
                 "partner_id": claim.partner_id.id,
                 "name": self.env._("Warranty claim %(name)s (%(state)s)", name=claim.name, state=states[claim.state])},
                "warranty_claim", "warranty.claim")
            for claim in self._warranty_events("warranty.claim", "claim_date", query)
        ]
