from dateutil.relativedelta import relativedelta

from odoo import models


class WarrantyRegistration(models.Model):
    _inherit = "warranty.registration"

    def _get_coverage_on(self, date):
        """Rule 3: labour is covered during the first year of the warranty only."""
        coverage = super()._get_coverage_on(date)
        if date > self.start_date + relativedelta(years=1):
            coverage["labor"] = 0.0
        return coverage
