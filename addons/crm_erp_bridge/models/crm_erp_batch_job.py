import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class CrmErpBatchJob(models.AbstractModel):
    """Per-record isolation for the scheduled jobs of the suite: THE batch job engine.

    One failing document must never stop a job: a failure rolls back that record only, is
    reported (server log line, then :meth:`_report_failure`: a to-do activity on the document
    by default) and the job goes on with the next record. Every scheduled job of the suite
    (follow-ups, reminders, reactivation, delivery confirmations, warranty expiry, renewals
    and provision releases) runs through :meth:`_run_isolated`; other addons change how a
    failure is reported by overriding :meth:`_report_failure`.
    """

    _name = "crm.erp.batch.job"
    _description = "CRM-ERP Bridge Batch Job"

    @api.model
    def _run_isolated(self, records, process, job_name, chunked=False):
        """Run ``process`` on ``records``, each record's failure isolated in its own savepoint.

        :param process: callable taking a recordset (one record, or the whole chunk when
            ``chunked``); it must do all its writes itself
        :param job_name: translated name of the job, used in the failure report
        :param chunked: first run ``process(records)`` once in a single savepoint (fast path
            for set-based work); only when that fails, run the records one by one
        :return: ``(succeeded records, {failed record: error})``
        """
        if chunked and len(records) > 1:
            try:
                with self.env.cr.savepoint():
                    process(records)
            except Exception:  # pylint: disable=broad-exception-caught
                _logger.info("%s: a chunk of %s failed, retrying record by record", job_name, records._name)
            else:
                return records, {}
        succeeded = records.browse()
        failed = {}
        for record in records:
            try:
                with self.env.cr.savepoint():
                    process(record)
            except Exception as error:  # pylint: disable=broad-exception-caught
                # any error of one record (bug, constraint, deleted data) must not stop the others
                _logger.exception("%s failed on %s,%s", job_name, record._name, record.id)
                failed[record] = error
            else:
                succeeded |= record
        for record, error in failed.items():
            self._report_failure(record, job_name, error)
        return succeeded, failed

    @api.model
    def _failure_summary(self, job_name):
        """Summary of the activity reporting a failure of ``job_name`` (one open per document)."""
        return self.env._("Scheduled job failed: %(job)s", job=job_name)

    @api.model
    def _report_failure(self, record, job_name, error):
        """Report the failure of ``job_name`` on ``record``: a to-do activity for the document's
        salesperson (once while it is open), so that a person looks at it."""
        if "activity_ids" not in record._fields:
            return
        summary = self._failure_summary(job_name)
        try:
            with self.env.cr.savepoint():
                record = record.exists()
                if not record or record.activity_ids.filtered(lambda a: a.summary == summary):
                    return
                field = record._fields.get("user_id")
                user = record.user_id if field and field.comodel_name == "res.users" else self.env.user
                record.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    note=str(error),
                    user_id=user.id or self.env.uid,
                )
        except Exception:  # pylint: disable=broad-exception-caught
            _logger.exception("Could not report the failure of %s on %s", job_name, record)
