import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class CustomerScanJob(models.Model):
    _name = "customer.scan.job"
    _description = "Duplicate Customer Scan"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    mode = fields.Selection(
        [("full", "Full Scan"), ("incremental", "Changed Customers Only")],
        default="incremental", required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="draft", required=True, index=True)
    since = fields.Datetime(
        help="Incremental scans compare the customers created or changed since this date.")
    chunk_size = fields.Integer(default=2000, required=True)
    threshold = fields.Float(digits=(3, 2), help="Override of the rules' thresholds, empty to use them.")
    cursor_id = fields.Integer("Last Scanned Partner", default=0, readonly=True)
    total_count = fields.Integer("Customers to Scan", readonly=True)
    processed_count = fields.Integer("Customers Scanned", readonly=True)
    pair_count = fields.Integer("Pairs Found", readonly=True)
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

    def run_to_completion(self):
        """Process the whole scan in the current transaction (CLI, scripts, tests)."""
        self.ensure_one()
        if self.state == "draft":
            self.action_start()
        while self.state == "running":
            self._process_chunk()
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

    def _process_chunk(self):
        """Scan the next chunk of partners; finish the job when none is left."""
        self.ensure_one()
        partner_ids = self._next_chunk_ids()
        if not partner_ids:
            self._finish()
            return 0
        matcher = self.env["customer.match.rule"].sudo()
        full = self.mode == "full"
        pairs = matcher._candidate_pairs(partner_ids, only_higher=full)
        scored = matcher._score_candidate_pairs(pairs, threshold=self.threshold or None)
        profiles_company = self._pair_companies(scored)
        self.env["customer.duplicate.pair"]._upsert_scored([
            {"a": a, "b": b, "score": score, "explanation": explanation, "rule_id": rule.id,
             "company_id": profiles_company.get((a, b))}
            for a, b, score, explanation, rule in scored
        ], job=self)
        if not full:
            self._drop_stale_pairs(partner_ids)
        self.write({
            "cursor_id": partner_ids[-1],
            "processed_count": self.processed_count + len(partner_ids),
            "pair_count": self.pair_count + len(scored),
        })
        return len(partner_ids)

    def _pair_companies(self, scored):
        """Company of each scored pair: the non-shared partner's company."""
        ids = list({pid for a, b, *_rest in scored for pid in (a, b)})
        if not ids:
            return {}
        self.env.cr.execute(SQL("SELECT id, company_id FROM res_partner WHERE id = ANY(%s)", ids))
        companies = dict(self.env.cr.fetchall())
        return {(a, b): companies.get(a) or companies.get(b) for a, b, *_rest in scored}

    def _drop_stale_pairs(self, partner_ids):
        """Remove open pairs of rescanned partners that no longer reach the threshold."""
        self.env.cr.execute(SQL(
            """DELETE FROM customer_duplicate_pair
                WHERE state = 'open' AND scan_job_id IS DISTINCT FROM %s
                  AND (partner_a_id = ANY(%s) OR partner_b_id = ANY(%s))""",
            self.id, partner_ids, partner_ids,
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
        """ir.cron entry point: one chunk per call, progress reported to the cron runner."""
        job = self.search([("state", "=", "running")], order="id", limit=1)
        if not job:
            return
        job._process_chunk()
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
        self.create({"mode": "full"}).run_to_completion()
