from odoo import api, models

from odoo.addons.crm_erp_bridge.models.crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    _inherit = "crm.erp.timeline"

    @api.model
    def _demo_backdate_record(self, record, delta):
        """An order's warranty registrations start with its delivery; a claim's date moves with it."""
        result = super()._demo_backdate_record(record, delta)
        if record._name == "sale.order":
            for registration in self.env["warranty.registration"].search([("sale_order_id", "=", record.id)]):
                registration.with_context(tracking_disable=True).start_date -= delta
        elif record._name == "warranty.claim":
            record.with_context(tracking_disable=True).claim_date -= delta
        return result

    @api.model
    def _get_timeline_sources(self):
        return super()._get_timeline_sources() + [
            TimelineSource("warranty_registration", self.env._("Warranty registration"),
                           self._events_warranty_registration),
            TimelineSource("warranty_claim", self.env._("Warranty claim"), self._events_warranty_claim),
            TimelineSource("warranty_return", self.env._("Warranty return"), self._events_warranty_return),
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

    @api.model
    def _events_warranty_return(self, query):
        """Return receipts of the customer's claims (the defective units sent back), dated by their
        creation. Shown to whoever may read the claim, even without inventory rights: the receipts
        are read as superuser, restricted to the claims the user reads (record rules applied)."""
        claim_model = self.env["warranty.claim"]
        if not claim_model.has_access("read"):
            return []
        claims = claim_model._search([("partner_id", "in", list(query.partner_ids))] + query.user_domain())
        pickings = self.env["stock.picking"].sudo().search_fetch(
            [("warranty_claim_id", "in", claims), ("picking_type_code", "=", "incoming")]
            + query.period_domain("date"),
            ["name", "date", "state", "partner_id", "warranty_claim_id"],
            order="date desc, id desc", limit=query.limit)
        states = dict(pickings._fields["state"]._description_selection(self.env))
        return [
            self._event(
                {"id": picking.id, "date": picking.date, "user_id": picking.warranty_claim_id.user_id.id,
                 "partner_id": picking.partner_id.id,
                 "name": self.env._("Return %(name)s of claim %(claim)s (%(state)s)", name=picking.name,
                                    claim=picking.warranty_claim_id.name, state=states[picking.state])},
                # opens the claim: its user may have no inventory rights
                "warranty_return", "warranty.claim", res_id=picking.warranty_claim_id.id)
            for picking in pickings
        ]
