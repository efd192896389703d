#!/usr/bin/env python3
"""Build the template database the benchmarks copy their throw-away databases from.

Installs Odoo 18's contacts, crm, phone_validation, sale_crm, sale_management, account, sale_stock,
repair and spreadsheet_dashboard, with demo data, into a new database (default ``suite_bench_tpl``).
The suite's own addons are NOT installed: each benchmark installs what it measures.

Odoo is ``$ODOO_PATH/odoo-bin`` (default ``/opt/odoo``), run with this Python interpreter; the addons
path is Odoo's addons plus this repository's ``addons/``. PostgreSQL is reached through the standard
``PGHOST``, ``PGPORT``, ``PGUSER`` and ``PGPASSWORD`` variables (default: local socket, current user).

It also writes an Odoo configuration file (default ``benchmarks/.bench-odoo.conf``, git-ignored) with
that addons path and connection, which the benchmark scripts use by default when ``ODOO_RC`` is unset.

Usage::

    python benchmarks/make_template.py [--name suite_bench_tpl] [--force] [--write-config PATH]

An existing template is kept unless ``--force`` (drop and rebuild it).
"""

import argparse
import os
import re
import subprocess
import sys

import bench_env

MODULES = "contacts,crm,phone_validation,sale_crm,sale_management,account,sale_stock,repair,spreadsheet_dashboard"

# PostgreSQL environment variable -> Odoo option (config file key and command-line flag --<key>)
PG_ENV = {"PGHOST": "db_host", "PGPORT": "db_port", "PGUSER": "db_user", "PGPASSWORD": "db_password"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default=bench_env.DEFAULT_TEMPLATE,
                        help="template database name (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="drop and rebuild the template if it exists")
    parser.add_argument(
        "--write-config", default=bench_env.BENCH_CONFIG, metavar="PATH",
        help="Odoo configuration file to write for the benchmarks (default: %(default)s; empty string: none)",
    )
    args = parser.parse_args()
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", args.name):
        parser.error(f"invalid database name {args.name!r}")
    return args


def db_settings():
    """Odoo database options taken from the PG* environment variables that are set."""
    return {option: os.environ[var] for var, option in PG_ENV.items() if os.environ.get(var)}


def write_config(path, settings):
    lines = ["[options]", f"addons_path = {bench_env.odoo_addons_path()}", "without_demo = False"]
    lines += [f"{option} = {value}" for option, value in settings.items()]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # may hold db_password
    with os.fdopen(fd, "w") as file:
        file.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


def database_exists(name):
    out = subprocess.run(
        ["psql", "-XAtd", "postgres", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        check=True, capture_output=True, text=True,
    ).stdout
    return out.strip() == "1"


def main():
    args = parse_args()
    settings = db_settings()
    if args.write_config:
        write_config(args.write_config, settings)
    if not os.path.isfile(bench_env.ODOO_BIN):
        sys.exit(f"{bench_env.ODOO_BIN} not found: set ODOO_PATH to Odoo 18's source directory")

    if database_exists(args.name):
        if not args.force:
            print(f"template database {args.name} already exists (use --force to rebuild it)")
            return
        subprocess.run(["dropdb", "--if-exists", args.name], check=True)

    cmd = [bench_env.PYTHON, bench_env.ODOO_BIN]
    if args.write_config:
        cmd += ["-c", args.write_config]
    cmd += [f"--{option}={value}" for option, value in settings.items()]
    cmd += ["--addons-path", bench_env.odoo_addons_path(), "-d", args.name, "-i", MODULES,
            "--stop-after-init", "--no-http", "--log-level=warn"]
    print(f"building template database {args.name} (modules: {MODULES}); this takes a few minutes", flush=True)
    try:
        subprocess.run(cmd, check=True)
    except BaseException:
        subprocess.run(["dropdb", "--if-exists", args.name], check=False)  # no half-built template
        raise
    print(f"template database {args.name} ready")


if __name__ == "__main__":
    main()
