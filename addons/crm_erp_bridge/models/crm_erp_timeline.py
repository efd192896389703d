from odoo import api, models


class CrmErpTimeline(models.AbstractModel):
    """Customer 360° timeline service.

    The timeline is not stored: it is read from the host's own documents
    through *event sources*. An event source is a method returning a list of
    event dicts for a set of partners; each source runs a constant number of
    queries, so a timeline page costs the same whatever the customer's size.

    Other addons add sources by inheriting this model and extending
    :meth:`_get_event_sources` and :meth:`_get_event_types`.
    """

    _name = "crm.erp.timeline"
    _description = "Customer Timeline"

    @api.model
    def _get_event_sources(self):
        """Return ``{source_key: callable}``.

        Each callable takes ``(partner_ids, date_from, date_to, limit)`` and
        returns at most ``limit`` event dicts with the keys ``date``,
        ``event_type``, ``name``, ``res_model``, ``res_id``, ``amount``,
        ``currency_id``, ``user_id`` and ``partner_id``.
        """
        return {}

    @api.model
    def _get_event_types(self):
        """Return the ``[(key, label)]`` event types offered as filters."""
        return []
