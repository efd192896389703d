"""Machine-independent settings shared by the benchmark scripts.

Nothing here depends on the machine the benchmarks were written on:

* Odoo is found at ``$ODOO_PATH`` (default ``/opt/odoo``) and run with the current Python interpreter;
* the throw-away databases are copied from the template built by ``benchmarks/make_template.py``
  (default name ``suite_bench_tpl``);
* the Odoo configuration file is ``$ODOO_RC`` if set, else ``benchmarks/.bench-odoo.conf`` (written by
  ``make_template.py``, git-ignored);
* ``createdb``/``dropdb``/``psql`` take the PostgreSQL host, port, user and password from that
  configuration file (``db_host``, ``db_port``, ``db_user``, ``db_password``); options it leaves unset fall
  back to the standard ``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD`` environment variables (libpq's
  own defaults: local socket, current user).

Importing this module puts ``$ODOO_PATH`` first on ``sys.path``, so that ``import odoo`` after it loads that
Odoo. Scripts in a sub-folder import it after ``sys.path.insert(0, <benchmarks folder>)``.
"""

import configparser
import os
import subprocess
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
SUITE_ADDONS = os.path.join(REPO_ROOT, "addons")

ODOO_PATH = os.path.abspath(os.environ.get("ODOO_PATH", "/opt/odoo"))
ODOO_BIN = os.path.join(ODOO_PATH, "odoo-bin")
PYTHON = sys.executable

DEFAULT_TEMPLATE = "suite_bench_tpl"
BENCH_CONFIG = os.path.join(BENCH_DIR, ".bench-odoo.conf")
DEFAULT_CONFIG = os.environ.get("ODOO_RC") or BENCH_CONFIG

# Odoo configuration option -> command-line flag of the PostgreSQL client tools
_PG_FLAGS = {"db_host": "-h", "db_port": "-p", "db_user": "-U"}


def odoo_addons_path(*extra):
    """Odoo's own addons, then ``extra`` (default: this repository's ``addons/``), comma-separated."""
    paths = [os.path.join(ODOO_PATH, "addons"), os.path.join(ODOO_PATH, "odoo", "addons")]
    return ",".join(paths + list(extra or [SUITE_ADDONS]))


def add_odoo_to_path():
    """Make ``import odoo`` load the Odoo at ``ODOO_PATH`` (done once when this module is imported)."""
    if ODOO_PATH not in sys.path:
        sys.path.insert(0, ODOO_PATH)


add_odoo_to_path()


def require_config(config):
    """Stop with a helpful message when the Odoo configuration file does not exist."""
    if not config or not os.path.isfile(config):
        sys.exit(f"Odoo configuration file {config!r} not found: run `python benchmarks/make_template.py` "
                 "first, or pass --config / set ODOO_RC.")
    return config


def db_options(config):
    """``{db_host, db_port, db_user, db_password}`` set in ``config`` (unset and ``False`` values left out)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config)
    options = dict(parser["options"]) if parser.has_section("options") else {}
    return {
        key: options[key]
        for key in ("db_host", "db_port", "db_user", "db_password")
        if options.get(key) not in (None, "", "False", "None")
    }


def pg_args(config):
    """Connection flags for ``createdb``/``dropdb``/``psql`` from ``config`` (PG* variables fill the rest)."""
    options = db_options(config)
    args = []
    for key, flag in _PG_FLAGS.items():
        if key in options:
            args += [flag, options[key]]
    return args


def pg_environ(config):
    """The process environment plus ``PGPASSWORD`` when ``config`` sets ``db_password``."""
    environ = dict(os.environ)
    password = db_options(config).get("db_password")
    if password:
        environ["PGPASSWORD"] = password
    return environ


def pg_run(config, tool, *args, **kwargs):
    """Run a PostgreSQL client tool (``createdb``, ``dropdb``, ``psql``...) against the configured server."""
    return subprocess.run([tool, *pg_args(config), *args], check=True, env=pg_environ(config), **kwargs)


def pg_dsn(config, dbname):
    """A libpq connection string to ``dbname`` on the configured server (PG* variables fill the rest)."""
    options = db_options(config)
    parts = [f"dbname={dbname}"]
    for key, word in (("db_host", "host"), ("db_port", "port"), ("db_user", "user"), ("db_password", "password")):
        if key in options:
            value = options[key].replace("\\", "\\\\").replace("'", "\\'")
            parts.append(f"{word}='{value}'")
    return " ".join(parts)
