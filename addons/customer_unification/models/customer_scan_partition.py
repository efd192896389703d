from odoo import fields, models


class CustomerScanPartition(models.Model):
    """One slice of a duplicate scan: the partners of the scan's scope whose ids lie in
    ``[id_from, id_to]``.

    A scan is split into partitions when it starts; every worker (cron thread, server, the
    ``dedupe`` command) claims the next pending partition with ``FOR UPDATE SKIP LOCKED``, scans it
    and marks it done in the same transaction. Two workers never take the same partition, and a
    worker that dies mid-partition leaves it pending and unlocked (its transaction is rolled back
    with its pairs), so another worker scans it again: nothing is lost, nothing is stored twice.

    A partition with a ``model_id`` scans no partner: it estimates that match model's learned
    weights (``customer.match.model._cu_estimate``). Such partitions are claimed first, one worker
    each, and no partner is scanned before they are all done: the scan starts at once, and two
    models are estimated side by side when two workers run.
    """

    _name = "customer.scan.partition"
    _description = "Duplicate Scan Partition"
    _order = "job_id, id_from"

    job_id = fields.Many2one("customer.scan.job", "Scan", required=True, index=True, ondelete="cascade")
    id_from = fields.Integer("First Partner Id", required=True)
    id_to = fields.Integer("Last Partner Id", required=True)
    partner_count = fields.Integer("Customers", readonly=True)
    state = fields.Selection([("pending", "Pending"), ("done", "Done")], default="pending", required=True,
                             readonly=True)
    pair_count = fields.Integer("Pairs Found", readonly=True)
    failed_count = fields.Integer("Customers Skipped", readonly=True)
    date_done = fields.Datetime("Scanned On", readonly=True)
    model_id = fields.Many2one(
        "customer.match.model", "Weights Estimated", readonly=True, ondelete="cascade",
        help="An estimation of these learned weights, done before any partner of the scan is compared.")

    _sql_constraints = [
        ("range_ordered", "CHECK(id_from <= id_to)", "A partition's first partner id cannot exceed its last one."),
    ]

    def _compute_display_name(self):
        for partition in self:
            what = partition.model_id.display_name if partition.model_id else f"{partition.id_from}-{partition.id_to}"
            partition.display_name = f"{partition.job_id.display_name} [{what}]"
