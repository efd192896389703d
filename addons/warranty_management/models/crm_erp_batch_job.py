from odoo import api, models


class CrmErpBatchJob(models.AbstractModel):
    _inherit = "crm.erp.batch.job"

    @api.model
    def _report_failure(self, record, job_name, error):
        """Records of warranty jobs are stamped and retried tomorrow (``warranty.job.mixin``)."""
        if "job_error_date" in record._fields and hasattr(record, "_job_report_failure"):
            record._job_report_failure(job_name, error)
            return
        super()._report_failure(record, job_name, error)
