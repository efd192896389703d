from odoo import api, models

from odoo.addons.crm_erp_bridge.models.crm_erp_timeline import TimelineSource


class CrmErpTimeline(models.AbstractModel):
    _inherit = "crm.erp.timeline"

    @api.model
    def _get_timeline_sources(self):
        """Rule 5: a new event source, the customer's contacts added."""
        return super()._get_timeline_sources() + [
            TimelineSource("contact_added", self.env._("Contact added"), self._events_contact_added),
        ]

    @api.model
    def _events_contact_added(self, query):
        """Contacts and addresses of the customer created in the period (one query)."""
        contacts = self.env["res.partner"].with_context(active_test=False).search_fetch(
            [("id", "in", list(query.partner_ids)), ("parent_id", "!=", False)]
            + query.period_domain("create_date") + query.user_domain("create_uid"),
            ["name", "create_date", "create_uid", "parent_id"],
            limit=query.limit, order="create_date desc, id desc")
        return [
            self._event({"id": contact.id, "date": contact.create_date, "name": contact.name,
                         "user_id": contact.create_uid.id, "partner_id": contact.id},
                        "contact_added", "res.partner")
            for contact in contacts
        ]
