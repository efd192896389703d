import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class WarrantyJobMixin(models.AbstractModel):
    """Failure isolation of the scheduled jobs: one bad record never stops a job.

    A job hands a chunk to :meth:`_job_run`, which runs it through the suite's batch job
    engine (``crm.erp.batch.job``): the chunk runs in one savepoint; when it fails, each
    record runs in its own savepoint, the failing ones are rolled back, reported (log line
    and chatter note, see ``crm.erp.batch.job._report_failure`` here) and stamped with ``job_error_date`` so that the
    job skips them for the rest of the day (no endless loop on one record) and retries
    them the next day.
    """

    _name = "warranty.job.mixin"
    _description = "Warranty Scheduled Job Record"

    job_error_date = fields.Date(
        "Last Job Failure", readonly=True, copy=False, index="btree_not_null",
        help="Day a scheduled job last failed on this record; the job retries it the next day.")
    job_error = fields.Char("Last Job Error", readonly=True, copy=False)

    @api.model
    def _job_retry_domain(self):
        """Records a job may take today: those that did not fail today."""
        today = fields.Date.context_today(self)
        return ["|", ("job_error_date", "=", False), ("job_error_date", "<", today)]

    def _job_run(self, process, job_name):
        """Run ``process(records)`` on ``self`` through the suite's batch job engine
        (``crm.erp.batch.job._run_isolated``, chunk first, then record by record).

        :param process: callable receiving a recordset; it must do all its writes itself
        :param job_name: name of the job, for the reports
        :return: ``(done, failed)`` recordsets
        """
        done, failed = self.env["crm.erp.batch.job"]._run_isolated(self, process, job_name, chunked=True)
        return done, self.browse([record.id for record in failed])

    def _job_report_failure(self, job_name, error):
        """Log the failure of ``job_name`` on this record, stamp it and tell its followers."""
        self.ensure_one()
        message = str(error)[:500] or error.__class__.__name__
        # SQL: the ORM write could fail again for the very reason the job failed
        self.env.cr.execute(SQL(
            "UPDATE %s SET job_error_date = %s, job_error = %s WHERE id = %s",
            SQL.identifier(self._table), fields.Date.context_today(self), message, self.id))
        self.invalidate_recordset(["job_error_date", "job_error"])
        try:
            with self.env.cr.savepoint():
                self._job_notify_failure(job_name, message)
        except Exception:  # the log line above is the report of last resort
            _logger.exception("Could not report the failure of %s on %s,%s", job_name, self._name, self.id)

    def _job_notify_failure(self, job_name, message):
        """Tell the people concerned about a job failure (seam): a note in the record's chatter."""
        self.ensure_one()
        body = self.env._("%(job)s failed on this record: %(error)s. It will be retried tomorrow.",
                          job=job_name, error=message)
        if hasattr(self, "message_post"):
            self.sudo().message_post(body=body)
