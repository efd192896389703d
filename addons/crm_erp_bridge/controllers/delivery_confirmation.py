from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class DeliveryConfirmationPortal(CustomerPortal):
    """Portal page where the customer confirms, or asks to change, the delivery of an order."""

    def _bridge_delivery_order(self, order_id, access_token):
        try:
            return self._document_check_access("sale.order", order_id, access_token=access_token)
        except (AccessError, MissingError):
            return None

    @http.route("/my/orders/<int:order_id>/delivery-confirm", type="http", auth="public", methods=["GET"], website=True)
    def bridge_delivery_confirm_page(self, order_id, access_token=None, **kw):
        order = self._bridge_delivery_order(order_id, access_token)
        if order is None or order.state not in ("sale", "cancel"):
            return request.redirect("/my")
        return self._bridge_delivery_render(order, access_token)

    def _bridge_delivery_render(self, order, access_token, error=None, status=200):
        refusal = order._bridge_delivery_answer_refusal()
        values = {
            "order": order,
            "access_token": access_token,
            "incoterm": order._bridge_delivery_incoterm(),
            "incoterms": request.env["account.incoterms"].sudo().search([]),
            "countries": request.env["res.country"].sudo().search([]),
            "answered": bool(order.bridge_delivery_answered_on),
            "pending": not refusal,
            "refusal": refusal if not order.bridge_delivery_answered_on else False,
            "error": error,
        }
        return request.render("crm_erp_bridge.portal_delivery_confirmation", values, status=status)

    @staticmethod
    def _bridge_delivery_address_post(post):
        """The proposed address from the form, as partner fields."""
        return {
            "street": post.get("street"),
            "street2": post.get("street2"),
            "zip": post.get("zip"),
            "city": post.get("city"),
            "country_id": post.get("country_id") if (post.get("country_id") or "").isdigit() else False,
        }

    @http.route(
        "/my/orders/<int:order_id>/delivery-confirm", type="http", auth="public", methods=["POST"], website=True
    )
    def bridge_delivery_confirm_answer(self, order_id, access_token=None, answer=None, **post):
        order = self._bridge_delivery_order(order_id, access_token)
        if order is None or answer not in ("confirm", "change"):
            return request.redirect("/my")
        try:
            incoterm_id = int(post.get("incoterm_id") or 0)
            date = fields.Date.to_date(post.get("date")) if post.get("date") else False
        except ValueError:
            return self._bridge_delivery_render(
                order, access_token, error=request.env._("The delivery date is not a valid date."), status=400
            )
        incoterm = request.env["account.incoterms"].sudo().browse(incoterm_id).exists()
        try:
            order._bridge_record_delivery_answer(
                answer == "confirm",
                address=self._bridge_delivery_address_post(post),
                date=date,
                incoterm=incoterm,
                note=(post.get("note") or "").strip() or False,
            )
        except UserError as error:
            # no request waiting (already answered, never asked, expired, cancelled) or nothing
            # to change: 409 Conflict, nothing recorded
            return self._bridge_delivery_render(order, access_token, error=error.args[0], status=409)
        return request.redirect(order.get_portal_url(suffix="/delivery-confirm"))
