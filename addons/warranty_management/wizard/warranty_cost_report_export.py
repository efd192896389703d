from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WarrantyCostReportExport(models.TransientModel):
    _name = "warranty.cost.report.export"
    _description = "Export Warranty Cost Report"

    date_from = fields.Date("From", default=lambda self: fields.Date.context_today(self).replace(month=1, day=1))
    date_to = fields.Date("To", default=fields.Date.context_today)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to and wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The start date must be before the end date."))

    def action_export(self):
        self.ensure_one()
        params = {key: fields.Date.to_string(self[key]) for key in ("date_from", "date_to") if self[key]}
        return {
            "type": "ir.actions.act_url",
            "url": f"/warranty_management/cost_report.xlsx?{urlencode(params)}",
            "target": "download",
        }
