import argparse
import logging
import sys
from pathlib import Path

from psycopg2 import errors as pg_errors

import odoo
from odoo.cli import Command
from odoo.tools import SQL

from ..models.customer_scan_job import SCAN_LOCK_NAMESPACE

_logger = logging.getLogger(__name__)


class ScanBusyError(Exception):
    """Another duplicate scan is running: the command does not race it."""


class Dedupe(Command):
    """Scan a database for duplicate customers and export the candidate pairs as CSV"""

    name = "dedupe"

    def run(self, cmdargs):
        parser = argparse.ArgumentParser(
            prog=f"{Path(sys.argv[0]).name} {self.name}",
            description=self.__doc__,
        )
        parser.add_argument("--threshold", type=float, default=None,
                            help="minimum probability of a pair (0-1) for learned rules, minimum score for "
                                 "manual ones; default: each match rule's threshold")
        parser.add_argument("--explain-model", action="store_true",
                            help="print the estimated match weights table (estimating it when the customers "
                                 "drifted) and exit without scanning")
        parser.add_argument("--export", metavar="FILE.csv", default=None,
                            help="write the pairs to this CSV file (default: standard output)")
        opts, odoo_args = parser.parse_known_args(cmdargs)
        odoo.tools.config.parse_config(odoo_args, setup_logging=True)
        dbname = odoo.tools.config["db_name"]
        if not dbname:
            parser.error("a database is required: -d DB")
        if opts.threshold is not None and not 0 < opts.threshold <= 1:
            parser.error("--threshold must be between 0 and 1")
        registry = odoo.modules.registry.Registry(dbname)
        try:
            with registry.cursor() as cr:
                env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
                if opts.explain_model:
                    sys.stdout.write(self.explain_model(env) + "\n")
                    return
                if opts.export:
                    with open(opts.export, "w", newline="", encoding="utf-8") as stream:
                        count = self.dedupe(env, stream, opts.threshold, commit=True)
                else:
                    count = self.dedupe(env, sys.stdout, opts.threshold, commit=True)
        except ScanBusyError as error:
            _logger.error("dedupe: %s", error)
            sys.exit(2)
        _logger.info("dedupe: %s candidate pairs", count)

    @staticmethod
    def explain_model(env):
        """Text table of the learned match weights of the models of the active learned rules (refreshed
        first if drifted; the model of a rule since switched to manual weights is not shown)."""
        Model = env["customer.match.model"]
        Model._cu_refresh()
        return "\n\n".join(model._cu_weights_table() for model in Model._cu_ensure_models()) or "no learned rule"

    @staticmethod
    def dedupe(env, stream, threshold=None, commit=False):
        """Run a full scan and write every open candidate pair as CSV; return the number of rows.

        Refuses (``ScanBusyError``) while another scan is running: two scans at
        once would drop each other's pairs. The scan cron workers may help with
        the partitions of the command's scan (each partition is scanned by one
        worker); the command holds a session-level advisory lock on its scan for
        the whole run, so that it alone closes the scan before exporting. With
        ``commit`` each partition is committed like the cron does, so a long scan
        keeps its progress, and the command waits for the partitions held by
        other workers (a lock wait) instead of giving up.
        """
        Job = env["customer.scan.job"]
        running = Job.search([("state", "=", "running")], limit=1)
        if running:
            raise ScanBusyError(
                f"duplicate scan {running.id} ({running.name}) is running; wait for it to finish or cancel it")
        job = Job.create({"mode": "full", "threshold": threshold or 0.0})
        env.flush_all()
        env.cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", SCAN_LOCK_NAMESPACE, job.id))
        if not env.cr.fetchone()[0]:  # a fresh id cannot be held by anyone else
            raise ScanBusyError(f"duplicate scan {job.id} is locked by another process")
        try:
            job.action_start()
            while job.state == "running":
                if job._process_chunk() is None:
                    if not commit:  # one transaction cannot see the other workers' partitions end
                        raise ScanBusyError(f"duplicate scan {job.id} is being scanned by other workers")
                    env.cr.commit()
                    job._wait_for_other_workers()
                if commit:
                    env.cr.commit()
                job.invalidate_recordset()
                _logger.info("dedupe: %s of %s customers scanned (%s of %s partitions)", job.processed_count,
                             job.total_count, job.partition_done_count, job.partition_count)
        finally:
            try:
                env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", SCAN_LOCK_NAMESPACE, job.id))
            except pg_errors.InFailedSqlTransaction:
                pass  # the error propagates; the lock goes with the connection when the command exits
        return env["customer.duplicate.pair"]._export_csv(stream, threshold)
