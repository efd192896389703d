import argparse
import logging
import sys
from pathlib import Path

import odoo
from odoo.cli import Command

_logger = logging.getLogger(__name__)

class Dedupe(Command):
    """Scan a database for duplicate customers and export the candidate pairs as CSV"""

    name = "dedupe"

    def run(self, cmdargs):
        parser = argparse.ArgumentParser(
            prog=f"{Path(sys.argv[0]).name} {self.name}",
            description=self.__doc__,
        )
        parser.add_argument("--threshold", type=float, default=None,
                            help="minimum score (0-1); default: each match rule's threshold")
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
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if opts.export:
                with open(opts.export, "w", newline="", encoding="utf-8") as stream:
                    count = self.dedupe(env, stream, opts.threshold, commit=True)
            else:
                count = self.dedupe(env, sys.stdout, opts.threshold, commit=True)
        _logger.info("dedupe: %s candidate pairs", count)

    @staticmethod
    def dedupe(env, stream, threshold=None, commit=False):
        """Run a full scan and write every open candidate pair as CSV; return the number of rows.

        With ``commit`` each chunk is committed like the cron does, so a long scan
        keeps its progress.
        """
        job = env["customer.scan.job"].create({"mode": "full", "threshold": threshold or 0.0})
        job.action_start()
        while job.state == "running":
            job._process_chunk()
            if commit:
                env.cr.commit()
        return env["customer.duplicate.pair"]._export_csv(stream, threshold)
