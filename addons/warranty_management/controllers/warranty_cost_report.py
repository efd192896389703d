from werkzeug.exceptions import BadRequest, Forbidden

from odoo import fields, http
from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WarrantyCostReportController(http.Controller):

    @http.route("/warranty_management/cost_report.xlsx", type="http", auth="user", methods=["GET"])
    def warranty_cost_report_xlsx(self, date_from=None, date_to=None, **kwargs):
        """Download the warranty cost report as XLSX; dates as YYYY-MM-DD, both optional."""
        if not request.env.user.has_group("warranty_management.group_warranty_user"):
            raise Forbidden()
        try:
            date_from = date_from and fields.Date.to_date(date_from)
            date_to = date_to and fields.Date.to_date(date_to)
        except ValueError as error:
            raise BadRequest(str(error)) from error
        content = request.env["warranty.cost.report.xlsx"]._generate(date_from, date_to)
        return request.make_response(content, headers=[
            ("Content-Type", XLSX_MIMETYPE),
            ("Content-Disposition", content_disposition("warranty_cost_report.xlsx")),
        ])
