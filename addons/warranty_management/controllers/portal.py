from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class WarrantyPortal(CustomerPortal):
    _items_per_page = 40

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "warranty_registration_count" in counters:
            model = request.env["warranty.registration"]
            values["warranty_registration_count"] = model.search_count(
                self._warranty_registration_domain(), limit=1) if model.has_access("read") else 0
        if "warranty_claim_count" in counters:
            model = request.env["warranty.claim"]
            values["warranty_claim_count"] = model.search_count([], limit=1) if model.has_access("read") else 0
        return values

    def _warranty_registration_domain(self):
        """Registrations shown in the portal (seam): the record rules restrict them to the customer."""
        return [("state", "in", ("active", "expired"))]

    @http.route(["/my/warranty", "/my/warranty/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_warranty_registrations(self, page=1, **kw):
        model = request.env["warranty.registration"]
        domain = self._warranty_registration_domain()
        pager = portal_pager(url="/my/warranty", total=model.search_count(domain), page=page,
                             step=self._items_per_page)
        registrations = model.search(domain, order="state, end_date desc, id desc",
                                     limit=self._items_per_page, offset=pager["offset"])
        return request.render("warranty_management.portal_my_warranty_registrations", {
            "registrations": registrations.sudo(),
            "pager": pager,
            "page_name": "warranty_registration",
            "default_url": "/my/warranty",
        })

    @http.route(["/my/warranty/register"], type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_my_warranty_register(self, serial=None, **kw):
        """Customers register a unit they received (policies started by customer registration)."""
        values = {"page_name": "warranty_register", "error": False, "serial": serial or ""}
        if request.httprequest.method == "POST":
            try:
                request.env["warranty.registration"].sudo()._register_serial_for_customer(
                    serial, request.env.user.partner_id)
            except (UserError, ValidationError) as error:
                values["error"] = error.args[0]
            else:
                return request.redirect("/my/warranty")
        return request.render("warranty_management.portal_my_warranty_register", values)

    @http.route(["/my/warranty/<int:registration_id>/certificate"], type="http", auth="user", website=True)
    def portal_my_warranty_certificate(self, registration_id, **kw):
        """Download the warranty certificate of one of the customer's own registrations."""
        registration = request.env["warranty.registration"].search(
            [("id", "=", registration_id), ("state", "=", "active")])
        if not registration:
            raise NotFound()
        return self._show_report(registration.sudo(), "pdf",
                                 "warranty_management.warranty_certificate_report_action", download=True)

    @http.route(["/my/warranty/claims", "/my/warranty/claims/page/<int:page>"], type="http", auth="user",
                website=True)
    def portal_my_warranty_claims(self, page=1, **kw):
        model = request.env["warranty.claim"]
        pager = portal_pager(url="/my/warranty/claims", total=model.search_count([]), page=page,
                             step=self._items_per_page)
        claims = model.search([], limit=self._items_per_page, offset=pager["offset"])
        return request.render("warranty_management.portal_my_warranty_claims", {
            "claims": claims.sudo(),
            "pager": pager,
            "page_name": "warranty_claim",
            "default_url": "/my/warranty/claims",
        })

    @http.route(["/my/warranty/claims/<int:claim_id>"], type="http", auth="user", website=True)
    def portal_my_warranty_claim(self, claim_id, access_token=None, **kw):
        try:
            claim_sudo = self._document_check_access("warranty.claim", claim_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            claim_sudo, access_token, {"claim": claim_sudo, "page_name": "warranty_claim_detail"},
            "my_warranty_claims_history", False)
        return request.render("warranty_management.portal_my_warranty_claim", values)

    @http.route(["/my/warranty/claims/new"], type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_my_warranty_claim_new(self, registration_id=None, description=None, claim_date=None, **kw):
        registrations = request.env["warranty.registration"].search([("state", "=", "active")])
        values = {
            "registrations": registrations.sudo(),
            "page_name": "warranty_claim_new",
            "error": False,
            "selected_id": int(registration_id) if registration_id and registration_id.isdigit() else False,
            "description": description or "",
        }
        if request.httprequest.method == "POST":
            try:
                claim = self._create_portal_claim(registrations, registration_id, description, claim_date)
            except (UserError, ValidationError) as error:
                values["error"] = error.args[0]
            else:
                return request.redirect(f"/my/warranty/claims/{claim.id}")
        return request.render("warranty_management.portal_my_warranty_claim_new", values)

    def _create_portal_claim(self, registrations, registration_id, description, claim_date):
        """Open a claim for one of the customer's own registrations (``registrations`` went through
        the portal record rules). Written as superuser since portal users cannot create claims."""
        registration = registrations.filtered(lambda r: str(r.id) == str(registration_id))
        if not registration:
            raise UserError(request.env._("Choose one of your registered products."))
        if not (description or "").strip():
            raise UserError(request.env._("Describe the problem."))
        vals = {
            "partner_id": request.env.user.partner_id.id,
            "description": plaintext2html(description),
            "source": "portal",
        }
        if claim_date:
            try:
                vals["claim_date"] = fields.Date.to_date(claim_date)
            except ValueError as error:
                raise UserError(request.env._("The failure date is not a valid date.")) from error
        registration = registration.sudo()
        vals.update({
            "product_id": registration.product_id.id,
            "lot_id": registration.lot_id.id,
            "company_id": registration.company_id.id,
            "user_id": registration.user_id.id or False,
        })
        return request.env["warranty.claim"].sudo().with_company(registration.company_id).create(vals)
