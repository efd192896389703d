import json

from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.http import content_disposition, request


class CrmErpReportXlsxController(http.Controller):
    """Download route of the management report XLSX exports.

    ``GET /crm_erp_bridge/report/xlsx/<key>`` with ``key`` in ``customer``, ``forecast``,
    ``capacity``; optional ``domain`` query parameter (a JSON list, e.g.
    ``[["partner_id", "=", 7]]``) to restrict the rows. The workbook is built as the logged-in
    user, so record rules (own team, companies) apply; see ``crm.erp.report.xlsx``.
    """

    @http.route("/crm_erp_bridge/report/xlsx/<string:key>", type="http", auth="user", methods=["GET"])
    def crm_erp_report_xlsx(self, key, domain=None, **kwargs):
        exporter = request.env["crm.erp.report.xlsx"]
        if key not in exporter._xlsx_reports():
            raise NotFound()
        parsed = None
        if domain:
            try:
                parsed = json.loads(domain)
            except ValueError as error:
                raise BadRequest(str(error)) from error
            if not isinstance(parsed, list):
                raise BadRequest("domain must be a JSON list")
        filename, content = exporter._export_xlsx(key, parsed)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
