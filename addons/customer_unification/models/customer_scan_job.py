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
    cursor_id = fields.Integer("Last Scanned Partner", default=0, readonly=True)
    total_count = fields.Integer("Customers to Scan", readonly=True)
    processed_count = fields.Integer("Customers Scanned", readonly=True)
    pair_count = fields.Integer("Pairs Found", readonly=True)
    failed_count = fields.Integer(
        "Customers Skipped", readonly=True,
        help="Customers the scan could not compare because of an error; see the messages of the scan.")
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
            # learned weights: estimated once at the start of a scan when the customers drifted
            self.env["customer.match.model"].sudo()._cu_refresh()
            job.write({
                "state": "running", "since": since, "cursor_id": 0, "processed_count": 0,
                "pair_count": 0, "date_start": fields.Datetime.now(),
                "total_count": job._count_partners_to_scan(since),
            })
        self.env.ref("customer_unification.ir_cron_customer_scan_job")._trigger()
        return True

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

    def _count_partners_to_scan(self, since):
        self.env["res.partner"].flush_model()
        self.env.cr.execute(SQL("SELECT count(*) FROM res_partner p WHERE %s", self._scope_sql(since)))
        return self.env.cr.fetchone()[0]

    def _next_chunk_ids(self):
        self.env.cr.execute(SQL(
            "SELECT p.id FROM res_partner p WHERE %s AND p.id > %s ORDER BY p.id LIMIT %s",
            self._scope_sql(self.since), self.cursor_id, self.chunk_size,
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    def _try_lock(self):
        """Take this job for the current transaction; False if another transaction or process holds it.

        Every chunk runs under a transaction-level advisory lock on the job, and
        the dedupe command holds the same lock for its whole run (session
        level), so two cron workers, or the cron and the command, never scan
        the same chunk. The row lock that follows also fails when another
        transaction finished a chunk after this one started: its cursor would
        be stale.
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
        """Scan the next chunk of partners; finish the job when none is left.

        Returns the number of partners scanned, or ``None`` when another worker
        holds the job (nothing done). A chunk that fails is retried partner by
        partner: a partner that still fails is skipped, logged and reported on
        the job, the others are scanned.
        """
        self.ensure_one()
        if not self._try_lock():
            _logger.info("Duplicate scan %s is being processed by another worker: skipped", self.id)
            return None
        partner_ids = self._next_chunk_ids()
        if not partner_ids:
            self._finish()
            return 0
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
        self.write({
            "cursor_id": partner_ids[-1],
            "processed_count": self.processed_count + len(partner_ids),
            "pair_count": self.pair_count + pair_count,
            "failed_count": self.failed_count + len(failures),
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
        """ir.cron entry point: one chunk per call, progress reported to the cron runner.

        Scans run one after the other, oldest first. When another worker (or
        the dedupe command) holds the oldest one, this call does nothing. A
        scan whose chunk raises outside the per-partner isolation (closing the
        scan, for instance) is marked failed and reported, so it does not block
        the queue forever.
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
