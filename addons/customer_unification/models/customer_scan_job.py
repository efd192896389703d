import logging

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: first key of the PostgreSQL advisory locks taken on scan jobs (the second is the job id)
SCAN_LOCK_NAMESPACE = 0x43555343  # "CUSC"

#: order in which workers claim the partitions of a scan: the estimations of match weights first
PARTITION_ORDER = SQL("model_id IS NULL, id_from")


class CustomerScanJob(models.Model):
    _name = "customer.scan.job"
    _inherit = ["mail.thread"]
    _description = "Duplicate Customer Scan"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    mode = fields.Selection(
        [("full", "Full Scan"), ("incremental", "Changed Customers Only")],
        default="incremental", required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done"), ("failed", "Failed"),
         ("cancelled", "Cancelled")],
        default="draft", required=True, index=True)
    since = fields.Datetime(
        help="Incremental scans compare the customers created or changed since this date.")
    chunk_size = fields.Integer(default=2000, required=True)
    threshold = fields.Float(digits=(3, 2), help="Override of the rules' thresholds, empty to use them.")
    total_count = fields.Integer("Customers to Scan", readonly=True)
    partition_ids = fields.One2many("customer.scan.partition", "job_id", "Partitions", readonly=True)
    # read from the partitions: parallel workers never write the job row while they scan
    processed_count = fields.Integer("Customers Scanned", compute="_compute_partition_totals")
    pair_count = fields.Integer("Pairs Found", compute="_compute_partition_totals")
    failed_count = fields.Integer(
        "Customers Skipped", compute="_compute_partition_totals",
        help="Customers the scan could not compare because of an error; see the messages of the scan.")
    partition_count = fields.Integer("Total Partitions", compute="_compute_partition_totals")
    partition_done_count = fields.Integer("Partitions Scanned", compute="_compute_partition_totals")
    progress = fields.Float(compute="_compute_progress")
    date_start = fields.Datetime("Started", readonly=True)
    date_end = fields.Datetime("Finished", readonly=True)

    _sql_constraints = [
        ("chunk_size_positive", "CHECK(chunk_size > 0)", "The chunk size must be positive."),
    ]

    @api.depends("mode", "create_date")
    def _compute_name(self):
        labels = dict(self._fields["mode"]._description_selection(self.env))
        for job in self:
            job.name = f"{labels[job.mode]} {fields.Datetime.to_string(job.create_date or fields.Datetime.now())}"

    @api.depends("partition_ids.state", "partition_ids.pair_count", "partition_ids.failed_count")
    def _compute_partition_totals(self):
        """Sums over the partitions, in one grouped query for all the jobs."""
        totals = {
            (job.id, state): (count, customers, pairs, failed)
            for job, state, count, customers, pairs, failed in self.env["customer.scan.partition"]._read_group(
                [("job_id", "in", self.ids)], ["job_id", "state"],
                ["__count", "partner_count:sum", "pair_count:sum", "failed_count:sum"])
        }
        for job in self:
            done = totals.get((job.id, "done"), (0, 0, 0, 0))
            pending = totals.get((job.id, "pending"), (0, 0, 0, 0))
            job.partition_count = done[0] + pending[0]
            job.partition_done_count = done[0]
            job.processed_count, job.pair_count, job.failed_count = done[1:]

    @api.depends("total_count", "processed_count", "state")
    def _compute_progress(self):
        for job in self:
            if job.state == "done":
                job.progress = 100.0
            else:
                job.progress = 100.0 * job.processed_count / job.total_count if job.total_count else 0.0

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        """Queue the scans; the cron processes them chunk by chunk."""
        for job in self:
            if job.state != "draft":
                raise UserError(self.env._("Scan %s has already been started.", job.name))
            since = job.since
            if job.mode == "incremental" and not since:
                since = self._last_scan_date()
            job.write({"state": "running", "since": since, "date_start": fields.Datetime.now()})
            # learned weights: estimated when the customers drifted, by the scan workers before any
            # partner is compared (one partition per model: two workers estimate two models at once)
            job._create_estimation_partitions(self.env["customer.match.model"].sudo()._cu_models_to_estimate())
            job.total_count = job._create_partitions()
        self._trigger_scan_workers()
        return True

    def _create_estimation_partitions(self, match_models):
        """One partition per match model to estimate (``customer.scan.partition.model_id``), unless
        another scan still to run estimates it already."""
        self.ensure_one()
        Partition = self.env["customer.scan.partition"].sudo()
        queued = Partition.search([("model_id", "in", match_models.ids), ("state", "=", "pending"),
                                   ("job_id.state", "=", "running")]).model_id
        Partition.create([{"job_id": self.id, "id_from": 0, "id_to": 0, "partner_count": 0, "model_id": model.id}
                          for model in match_models - queued])

    @api.model
    def _trigger_scan_workers(self):
        """Wake every cron of the scan workers (``_cron_process_scans``): they share the partitions."""
        for cron in self.env["ir.cron"].sudo().search([
            ("model_id.model", "=", self._name), ("code", "=like", "model._cron_process_scans()%"),
        ]):
            cron._trigger()

    def action_cancel(self):
        self.filtered(lambda j: j.state in ("draft", "running")).write({"state": "cancelled"})
        return True

    @api.private
    def run_to_completion(self):
        """Process the whole scan in the current transaction (scripts, tests); not callable over RPC."""
        return self._run_to_completion()

    def _run_to_completion(self):
        """Process the whole scan in the current transaction (CLI, scripts, tests)."""
        self.ensure_one()
        if self.state == "draft":
            self.action_start()
        while self.state == "running":
            if self._process_chunk() is None:
                raise UserError(self.env._(
                    "Scan %s is being processed by another worker or by the dedupe command; try again later.",
                    self.name))
        return self

    @api.model
    def _last_scan_date(self):
        """Start date of the last finished scan: incremental scans look at changes since then."""
        last = self.search([("state", "=", "done")], order="date_start desc", limit=1)
        return last.date_start or False

    # ------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------

    def _scope_sql(self, since):
        """SQL condition on ``res_partner p`` selecting the partners to scan."""
        condition = SQL("p.active AND p.cu_name_key IS NOT NULL")
        if self.mode == "incremental" and since:
            condition = SQL("%s AND p.write_date >= %s", condition, since)
        return condition

    def _create_partitions(self):
        """Split the scope into partitions of ``chunk_size`` partners (by id), in one statement;
        return the number of partners to scan."""
        self.ensure_one()
        self.env["res.partner"].flush_model()
        self.env["customer.scan.partition"].flush_model()
        self.env.cr.execute(SQL(
            """INSERT INTO customer_scan_partition
                   (job_id, id_from, id_to, partner_count, state, pair_count, failed_count,
                    create_uid, create_date, write_uid, write_date)
               SELECT %(job)s, min(t.id), max(t.id), count(*), 'pending', 0, 0,
                      %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                 FROM (SELECT p.id, (row_number() OVER (ORDER BY p.id) - 1) / %(size)s AS bucket
                         FROM res_partner p WHERE %(scope)s) t
                GROUP BY t.bucket
            RETURNING partner_count""",
            job=self.id, uid=self.env.uid, size=self.chunk_size, scope=self._scope_sql(self.since)))
        partners = sum(row[0] for row in self.env.cr.fetchall())
        self.invalidate_recordset(["partition_ids"])
        return partners

    def _claim_partition(self):
        """The next pending partition, locked for this transaction; an empty recordset when every
        pending one is held by another worker (or was finished since this transaction began)."""
        self.ensure_one()
        Partition = self.env["customer.scan.partition"]
        Partition.flush_model()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL(
                    """SELECT id FROM customer_scan_partition
                        WHERE job_id = %s AND state = 'pending'
                        ORDER BY %s LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED""", self.id, PARTITION_ORDER),
                    log_exceptions=False)
                row = self.env.cr.fetchone()
        except pg_errors.SerializationFailure:  # done by another worker after this snapshot
            return Partition
        return Partition.browse(row[0]) if row else Partition

    def _has_pending_partitions(self, estimations=False):
        """Whether partitions of this job are still pending (``estimations``: estimation partitions)."""
        self.env.cr.execute(SQL(
            "SELECT 1 FROM customer_scan_partition WHERE job_id = %s AND state = 'pending' %s LIMIT 1",
            self.id, SQL("AND model_id IS NOT NULL") if estimations else SQL()))
        return bool(self.env.cr.fetchone())

    def _estimate_partition(self, partition):
        """Estimate the learned weights of an estimation partition's model and mark it done. A
        failure is logged and reported on the scan, which goes on with the weights the model had."""
        model = partition.model_id.sudo()
        try:
            with self.env.cr.savepoint():
                model._cu_estimate()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as error:  # the scan must not stop on it
            _logger.exception("Duplicate scan %s: the weights of %s could not be estimated", self.id, model.id)
            self.message_post(body=self.env._(
                "The match weights of %(model)s could not be estimated (%(error)s): the scan compares the "
                "customers with the weights the model had.", model=model.display_name, error=error))
        partition.write({"state": "done", "date_done": fields.Datetime.now()})
        # the workers that found the weights being estimated stopped: wake them for the scan partitions
        self._trigger_scan_workers()

    def _partition_partner_ids(self, partition):
        """Partners of the scope in the partition's id range (the scope may have changed since the
        split: a partner archived meanwhile is not scanned)."""
        self.env.cr.execute(SQL(
            "SELECT p.id FROM res_partner p WHERE %s AND p.id BETWEEN %s AND %s ORDER BY p.id",
            self._scope_sql(self.since), partition.id_from, partition.id_to,
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    def _wait_for_other_workers(self):
        """Block until another worker releases what it holds: a partition of this job (it committed
        or died), else the job itself (it is closing the scan).

        For callers that commit between chunks (the ``dedupe`` command, the benchmark's workers):
        a lock wait, no polling. Call it in a fresh transaction and commit (or roll back) after."""
        self.ensure_one()
        pending = SQL(
            """SELECT id FROM customer_scan_partition WHERE job_id = %s AND state = 'pending'
                ORDER BY %s LIMIT 1 FOR NO KEY UPDATE""", self.id, PARTITION_ORDER)
        closing = SQL("SELECT id FROM customer_scan_job WHERE id = %s FOR NO KEY UPDATE", self.id)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(pending, log_exceptions=False)
                if not self.env.cr.fetchone():
                    self.env.cr.execute(closing, log_exceptions=False)
        except pg_errors.SerializationFailure:
            pass  # released by a commit: the caller's next transaction sees it

    def _try_lock(self):
        """Take this job for closing it in the current transaction; False if another transaction or
        process holds it.

        Closing a scan (:meth:`_finish`) runs under a transaction-level advisory lock on the job,
        and the dedupe command holds the same lock for its whole run (session level), so a scan
        is closed once, by the command when it runs it. The row lock that follows also fails
        when another transaction changed the job after this one started.
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(SQL(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", SCAN_LOCK_NAMESPACE, self.id))
                if not self.env.cr.fetchone()[0]:
                    return False
                self.env.cr.execute(SQL(
                    "SELECT id FROM customer_scan_job WHERE id = %s FOR NO KEY UPDATE NOWAIT", self.id),
                    log_exceptions=False)
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            return False
        self.invalidate_recordset()
        return True

    def _process_chunk(self):
        """Scan the next pending partition; close the job when every partition is done.

        Any number of workers may call this at the same time: each claims its own partition
        (:meth:`_claim_partition`); the estimations of learned weights come first
        (:meth:`_estimate_partition`). Returns the number of partners scanned, ``0`` when the job was
        closed or a model estimated, or ``None`` when nothing could be done now (the remaining
        partitions are held by other workers, the weights are being estimated by another worker, or
        another worker is closing the job). A chunk that fails is retried
        partner by partner: a partner that still fails is skipped, logged and reported on the
        job, the others are scanned.
        """
        self.ensure_one()
        partition = self._claim_partition()
        if not partition:
            if self._has_pending_partitions() or not self._try_lock():
                _logger.info("Duplicate scan %s: the other partitions are being scanned by other workers", self.id)
                return None
            self._finish()
            return 0
        if partition.model_id:
            self._estimate_partition(partition)
            return 0
        if self._has_pending_partitions(estimations=True):
            # claimed after the estimation partitions, which other workers hold: no partner is
            # compared before the weights are estimated
            _logger.info("Duplicate scan %s: the match weights are being estimated by other workers", self.id)
            return None
        self.env["customer.match.model"].sudo()._cu_ensure_fresh_params()
        partner_ids = self._partition_partner_ids(partition)
        failures = {}
        try:
            with self.env.cr.savepoint():
                pair_count = self._scan_partners(partner_ids)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # any error of one partner must not stop the scan
            _logger.warning("Duplicate scan %s: a chunk failed, scanning its partners one by one", self.id)
            pair_count = 0
            for partner_id in partner_ids:
                try:
                    with self.env.cr.savepoint():
                        pair_count += self._scan_partners([partner_id])
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    raise
                except Exception as error:
                    _logger.exception("Duplicate scan %s: partner %s skipped", self.id, partner_id)
                    failures[partner_id] = error
        partition.write({
            "state": "done", "partner_count": len(partner_ids), "pair_count": pair_count,
            "failed_count": len(failures), "date_done": fields.Datetime.now(),
        })
        if failures:
            self._report_failures(failures)
        return len(partner_ids)

    def _scan_partners(self, partner_ids):
        """Find, score and store the duplicate pairs of these partners; return the number of pairs."""
        matcher = self.env["customer.match.rule"].sudo()
        full = self.mode == "full"
        pairs = matcher._candidate_pairs(partner_ids, only_higher=full)
        scored = matcher._score_candidate_pairs(pairs, threshold=self.threshold or None)
        pairable, busy = self._lock_pair_partners({pid for a, b, *_rest in scored for pid in (a, b)})
        scored = [item for item in scored if item[0] in pairable and item[1] in pairable]
        profiles_company = self._pair_companies(scored)
        self.env["customer.duplicate.pair"]._upsert_scored([
            {"a": a, "b": b, "score": score, "explanation": explanation, "rule_id": rule.id,
             "company_id": profiles_company.get((a, b))}
            for a, b, score, explanation, rule in scored
        ], job=self)
        if not full:
            self._drop_stale_pairs(partner_ids, busy)
        return len(scored)

    def _lock_pair_partners(self, partner_ids):
        """Share-lock the partners of the pairs about to be stored.

        The pairs were scored on the transaction's snapshot, but a merge may
        have archived or deleted one of these partners since, or may still be
        running on them. A partner locked by another transaction, or changed
        since the snapshot, is left out without waiting: no pair is stored for
        a merged-away contact, and the pairs of a contact changed meanwhile are
        found by the next scan. The locks are held until the chunk commits, so
        a merge of these partners started meanwhile fails at once (its own lock
        is ``NOWAIT``) instead of missing the pairs this chunk stores.

        :returns: ``(pairable, busy)``: the ids still eligible and now locked,
            and the ids left out because another transaction holds or changed them
        """
        ids = sorted(partner_ids)
        if not ids:
            return set(), set()
        try:
            return self._lock_partner_rows(ids), set()
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            pass
        pairable, busy = set(), set()
        for partner_id in ids:
            try:
                pairable |= self._lock_partner_rows([partner_id])
            except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
                busy.add(partner_id)
        if busy:
            _logger.info("Duplicate scan %s: partners %s are being changed (merge or edit), "
                         "their pairs are left to the next scan", self.id, sorted(busy))
        return pairable, busy

    def _lock_partner_rows(self, partner_ids):
        """``FOR SHARE NOWAIT`` on the eligible rows of ``partner_ids``, in a savepoint; their ids."""
        with self.env.cr.savepoint(flush=False):
            self.env.cr.execute(SQL(
                "SELECT p.id FROM res_partner p WHERE p.id = ANY(%s) AND %s ORDER BY p.id FOR SHARE OF p NOWAIT",
                partner_ids, self.env["customer.match.rule"]._eligible_partner_sql("p")), log_exceptions=False)
            return {row[0] for row in self.env.cr.fetchall()}

    def _report_failures(self, failures):
        """Post the partners a chunk skipped (``{partner_id: exception}``) on the scan."""
        items = Markup("").join(
            Markup('<li><a href="/odoo/contacts/%s">#%s</a>: %s</li>') % (partner_id, partner_id, str(error))
            for partner_id, error in failures.items()
        )
        self.message_post(body=Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("These customers could not be compared and were skipped; the scan went on:"), items))

    def _fail(self, error):
        """Stop a scan that cannot go on (the next one in the queue is processed) and say why."""
        _logger.error("Duplicate scan %s failed and was stopped: %s", self.id, error)
        self.write({"state": "failed", "date_end": fields.Datetime.now()})
        self.message_post(body=self.env._(
            "The scan failed and was stopped: %s. Fix the cause and start a new scan.", str(error)))

    def _pair_companies(self, scored):
        """Company of each scored pair: the non-shared partner's company."""
        ids = list({pid for a, b, *_rest in scored for pid in (a, b)})
        if not ids:
            return {}
        self.env.cr.execute(SQL("SELECT id, company_id FROM res_partner WHERE id = ANY(%s)", ids))
        companies = dict(self.env.cr.fetchall())
        return {(a, b): companies.get(a) or companies.get(b) for a, b, *_rest in scored}

    def _drop_stale_pairs(self, partner_ids, busy_ids=()):
        """Remove open pairs of rescanned partners that no longer reach the threshold.

        Pairs of ``busy_ids`` (partners another transaction is merging or
        changing) are left to that transaction and to the next scan.
        """
        self.env.cr.execute(SQL(
            """DELETE FROM customer_duplicate_pair
                WHERE state = 'open' AND scan_job_id IS DISTINCT FROM %s
                  AND (partner_a_id = ANY(%s) OR partner_b_id = ANY(%s))
                  AND partner_a_id <> ALL(%s::int[]) AND partner_b_id <> ALL(%s::int[])""",
            self.id, partner_ids, partner_ids, list(busy_ids), list(busy_ids),
        ))

    def _finish(self):
        """Close the scan: drop stale pairs (full scan) and rebuild duplicate groups."""
        Group = self.env["customer.duplicate.group"]
        if self.mode == "full":
            self.env.cr.execute(SQL(
                "DELETE FROM customer_duplicate_pair WHERE state = 'open' AND scan_job_id IS DISTINCT FROM %s",
                self.id))
            Group._rebuild_groups()
        else:
            self.env.cr.execute(SQL(
                """SELECT array_agg(DISTINCT pid) FROM (
                       SELECT partner_a_id AS pid FROM customer_duplicate_pair WHERE scan_job_id = %s
                        UNION ALL
                       SELECT partner_b_id FROM customer_duplicate_pair WHERE scan_job_id = %s
                        UNION ALL
                       SELECT p.id FROM res_partner p WHERE %s) t""",
                self.id, self.id, self._scope_sql(self.since)))
            Group._rebuild_groups(self.env.cr.fetchone()[0] or [])
        self.env["customer.duplicate.pair"].invalidate_model()
        self.write({"state": "done", "date_end": fields.Datetime.now()})

    @api.model
    def _cron_process_scans(self):
        """ir.cron entry point: one partition per call, progress reported to the cron runner.

        Every scan worker cron (``ir_cron_customer_scan_job`` and ``ir_cron_customer_scan_job_2``;
        duplicate one for more parallelism) calls this; they share the partitions of the oldest
        running scan, each locked by the worker scanning it, on one server or several. When the
        other workers hold every remaining partition, this call does nothing. A scan whose chunk
        raises outside the per-partner isolation (closing the scan, for instance) is marked failed
        and reported, so it does not block the queue forever.
        """
        job = self.search([("state", "=", "running")], order="id", limit=1)
        if not job:
            return
        try:
            with self.env.cr.savepoint():
                if job._process_chunk() is None:
                    return
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception as error:
            _logger.exception("Duplicate scan %s: chunk failed", job.id)
            job._fail(error)
        remaining = max(job.total_count - job.processed_count, 0)
        if job.state == "running" and not remaining:
            remaining = 1  # the final call closes the job
        if job.state != "running":
            remaining = self.search_count([("state", "=", "running")])
        self.env["ir.cron"]._notify_progress(done=job.processed_count, remaining=remaining)

    @api.model
    def _cron_schedule_incremental(self):
        """Daily cron: queue an incremental scan unless one is running."""
        if self.search_count([("state", "in", ("draft", "running"))]):
            return
        self.create({"mode": "incremental"}).action_start()

    @api.model
    def _demo_full_scan(self):
        """Demo data: scan once at install so the review screen has groups to show."""
        self.create({"mode": "full"})._run_to_completion()
