from collections import defaultdict

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL


class CrmErpCadenceEngine(models.AbstractModel):
    """Runs cadences: quotation follow-ups and unpaid invoice reminders.

    A *consumer* model (``sale.order``, ``account.move``) describes its cadence with
    ``_cadence_spec`` and the documents a cadence may run on with
    ``_cadence_eligible_domain(today)``; each step says when it is due with
    ``_cadence_due_domain(today)``. :meth:`_due_pairs` compiles those domains into one SQL
    query of the due ``(record id, step id)`` pairs. The engine picks the step to run per
    record, groups the records a step runs on together (``"group_by"`` of the spec: one
    payment reminder statement per customer and level), executes each group through the step
    (``crm.erp.cadence.step.mixin``) and writes one ``crm.erp.cadence.log`` line per step and
    record, so a step never runs twice on a document.
    """

    _name = "crm.erp.cadence.engine"
    _description = "Cadence Engine"

    @api.model
    def _select_steps_to_run(self, due_pairs):
        """Return ``{record_id: (step_id_to_run, [missed_step_ids])}``.

        ``due_pairs`` is ordered by record then step order. Only the last due step runs:
        steps that were missed (e.g. a quotation sent long ago) are logged as skipped so
        that a customer never receives several emails at once.
        """
        plan = {}
        for record_id, step_id in due_pairs:
            previous = plan.get(record_id)
            missed = previous[1] + [previous[0]] if previous else []
            plan[record_id] = (step_id, missed)
        return plan

    @api.model
    def _due_pairs(self, consumer, today, record_ids=None):
        """Return the due ``(record id, step id)`` pairs of ``consumer``'s cadence, ordered by
        record, then due date and step order, in one query.

        Each active step contributes the documents matching the consumer's
        ``_cadence_eligible_domain``, the step's ``_cadence_due_domain`` and "this step was not
        run on it yet", compiled by the ORM (``_search``, as superuser: the job sees every
        company's documents, like the person who set the cadence up expects).
        """
        spec = consumer._cadence_spec()
        consumer = consumer.sudo()
        steps = self.env[spec["step_model"]].sudo().search([])
        eligible = consumer._cadence_eligible_domain(today)
        restrict = [("id", "in", list(record_ids))] if record_ids else []
        table = SQL.identifier(consumer._table)
        branches = []
        for step in steps:
            query = consumer._search(expression.AND([
                eligible, step._cadence_due_domain(today), restrict,
                [(spec["log_field"], "not any", [(spec["log_step_field"], "=", step.id)])],
            ]))
            if query.is_empty():
                continue
            query.order = None
            fname, days = step._cadence_due_date_rule()
            column = SQL.identifier(consumer._table, fname)
            if consumer._fields[fname].type == "datetime":
                column = SQL("(%s AT TIME ZONE 'UTC')::date", column)
            branches.append(query.select(
                SQL("%s.id AS record_id", table), SQL("%s AS step_id", step.id),
                SQL("%s + %s AS due_date", column, days), SQL("%s AS step_sequence", step.sequence),
            ))
        if not branches:
            return []
        return self.env.execute_query(SQL(
            "SELECT record_id, step_id FROM (%s) due ORDER BY record_id, due_date, step_sequence, step_id",
            SQL(" UNION ALL ").join(branches)))

    @api.model
    def _group_plan(self, consumer, plan):
        """Return the groups a step runs on at once, as ``[(step id, records)]``.

        With ``"group_by": field`` in the consumer's spec, the records due at the same step and
        sharing that field's value form one group (one statement per customer and level);
        otherwise every record is a group of its own.
        """
        records = consumer.browse(list(plan))
        group_field = consumer._cadence_spec().get("group_by")
        if not group_field:
            return [(plan[record.id][0], record) for record in records]
        records.fetch([group_field])
        groups = defaultdict(list)
        for record in records:
            groups[(record[group_field].id, plan[record.id][0])].append(record.id)
        return [(step_id, consumer.browse(ids)) for (_key, step_id), ids in groups.items()]

    @api.model
    def _take_batch(self, groups, limit):
        """The first groups up to ``limit`` records; a group is never split over two batches."""
        if not limit:
            return groups
        batch, count = [], 0
        for group in groups:
            if count >= limit:
                break
            batch.append(group)
            count += len(group[1])
        return batch

    @api.model
    def _run(self, model_name, record_ids=None, limit=None, today=None, isolate=False):
        """Execute the due steps of ``model_name`` records.

        :param record_ids: restrict to these records (manual run); all records otherwise
        :param limit: about the maximum number of records handled (cron batches; a group of
            records run together is never split)
        :param isolate: run each group in its own savepoint: a failing group is rolled back,
            its records logged with ``skipped_reason="error"`` (so they are not retried forever)
            and the failure reported on its first document; the others go on (scheduled jobs).
            A manual run raises instead.
        :return: ``(executed logs, number of records left with due steps)``
        """
        if not self._is_enabled(model_name):
            return self.env["crm.erp.cadence.log"], 0
        consumer = self.env[model_name]
        spec = consumer._cadence_spec()
        today = today or fields.Date.context_today(self)
        due_pairs = consumer._cadence_due_pairs(today, record_ids=record_ids)
        plan = self._select_steps_to_run(due_pairs)
        batch = self._take_batch(self._group_plan(consumer, plan), limit)
        groups = {records[:1].id: (step_id, records) for step_id, records in batch}
        leaders = consumer.browse(list(groups))
        records = consumer.browse([rid for _step_id, group in batch for rid in group.ids])
        steps = self.env[spec["step_model"]].browse({step_id for step_id, _records in batch})
        steps.fetch(["mail_template_id", "activity_type_id", "name"])
        results = {}

        def execute(chunk):
            by_step = defaultdict(list)
            for leader in chunk:
                step_id, group = groups[leader.id]
                by_step[step_id].append(group)
            for step_id, step_groups in by_step.items():
                results.update(steps.browse(step_id)._cadence_execute_groups(step_groups))

        if isolate:
            succeeded_leaders, failed_leaders = self.env["crm.erp.batch.job"]._run_isolated(
                leaders, execute, self._job_name(spec), chunked=bool(spec.get("group_by"))
            )
        else:
            execute(leaders)
            succeeded_leaders, failed_leaders = leaders, {}
        failed = {rid: error for leader, error in failed_leaders.items() for rid in groups[leader.id][1].ids}
        log_vals = []
        for record in records:
            step_id, missed_ids = plan[record.id]
            base = self._prepare_log_base(record, spec)
            for missed_id in missed_ids:
                log_vals.append(dict(base, **{spec["log_step_field"]: missed_id, "skipped_reason": "missed"}))
            if record.id in failed:
                result = {"skipped_reason": "error", "error_message": str(failed[record.id])}
            else:
                result = results[record.id]
            log_vals.append(dict(base, **result, **{spec["log_step_field"]: step_id}))
        logs = self.env["crm.erp.cadence.log"].sudo().create(log_vals)
        succeeded = records.filtered(lambda record: record.id not in failed) if failed else records
        if succeeded_leaders and succeeded:
            succeeded._cadence_after_run(logs)
        return logs, len(plan) - len(records)

    @api.model
    def _job_name(self, spec):
        """Translated name of the scheduled job of a cadence (failure reports)."""
        if spec["kind"] == "dunning":
            return self.env._("Payment reminders")
        return self.env._("Quotation follow-ups")

    @api.model
    def _is_enabled(self, model_name):
        """Return whether cadences run for ``model_name`` (consumers may step aside)."""
        return self.env[model_name]._cadence_enabled()

    @api.model
    def _prepare_log_base(self, record, spec):
        """Values shared by all log lines written for ``record``."""
        return {
            "kind": spec["kind"],
            spec["log_record_field"]: record.id,
            "partner_id": record.partner_id.commercial_partner_id.id,
            "user_id": record[spec.get("user_field", "user_id")].id,
            "company_id": record.company_id.id,
            "date": fields.Datetime.now(),
        }

    @api.model
    def _run_cron(self, model_name, batch_size=200):
        """Cron entry point: one batch per call, the cron framework re-runs it while work remains."""
        logs, remaining = self._run(model_name, limit=batch_size, isolate=True)
        self.env["ir.cron"]._notify_progress(done=len(logs), remaining=remaining)
        return logs
