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

It also holds the set-up every script repeats: the common options (:func:`add_db_arguments`), the
throw-away database copied from the template with the measured addons installed
(:func:`throwaway_database`, :func:`throwaway_registry`) and the snapshot of this repository's addons
(:func:`addons_snapshot`). Odoo itself is imported only when a function needs it.
"""

import argparse
import configparser
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile

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


# -------------------------------------------------------------------------------------------------
# the set-up the scripts share: options, throw-away database, registry
# -------------------------------------------------------------------------------------------------
CONFIG_HELP = "Odoo config file (default: $ODOO_RC, else benchmarks/.bench-odoo.conf)"
DB_HELP = "throw-away database (dropped unless --keep)"
LOG_WARN = "--log-level=warn"


def add_config_argument(parser):
    """Add ``-c/--config`` (default: :data:`DEFAULT_CONFIG`) to the ``argparse`` ``parser``."""
    parser.add_argument("-c", "--config", default=DEFAULT_CONFIG, help=CONFIG_HELP)


def add_db_arguments(parser, default_db=None):
    """Add the options every throw-away-database script accepts to the ``argparse`` ``parser``:
    ``-c/--config``, ``--db`` (required when ``default_db`` is ``None``), ``--template`` (default:
    :data:`DEFAULT_TEMPLATE`) and ``--keep`` (do not drop the database at the end).
    The arguments are what :func:`throwaway_database` and :func:`throwaway_registry` take."""
    add_config_argument(parser)
    if default_db is None:
        parser.add_argument("--db", required=True, help=DB_HELP)
    else:
        parser.add_argument("--db", default=default_db, help=DB_HELP)
    parser.add_argument("--template", default=DEFAULT_TEMPLATE)
    parser.add_argument("--keep", action="store_true")


def size_series_parser(description, default_sizes, default_runs):
    """An ``argparse`` parser for a script measuring a series of data sizes on a throw-away database:
    :func:`add_db_arguments` (``--db`` required), ``--sizes N [N ...]`` (measured one after the other)
    and ``--runs N`` (timed repetitions of each measure)."""
    parser = argparse.ArgumentParser(description=description)
    add_db_arguments(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(default_sizes))
    parser.add_argument("--runs", type=int, default=default_runs)
    return parser


def install_command(config, db, modules, *options, demo=True):
    """The ``odoo-bin`` command installing ``modules`` (comma-separated) into ``db`` and stopping;
    ``demo=False`` adds ``--without-demo=all``; ``options`` are more ``odoo-bin`` options."""
    return [PYTHON, ODOO_BIN, "-c", config, "-d", db, "-i", modules, "--stop-after-init",
            *([] if demo else ["--without-demo=all"]), *options]


def create_database(args, modules, *options, demo=True):
    """Replace the database ``args.db`` by a copy of ``args.template``, then install ``modules`` in it
    (:func:`install_command` with ``options`` and ``demo``)."""
    pg_run(args.config, "dropdb", "--if-exists", args.db)
    pg_run(args.config, "createdb", "-T", args.template, args.db)
    subprocess.run(install_command(args.config, args.db, modules, *options, demo=demo), check=True)


def drop_database(args):
    """Drop ``args.db``: this process's Odoo connections are closed first, ``--force`` ends those a
    failed sub-process may have left."""
    odoo = sys.modules.get("odoo")
    if odoo is not None and hasattr(odoo, "sql_db"):
        odoo.sql_db.close_all()
    pg_run(args.config, "dropdb", "--if-exists", "--force", args.db)


@contextlib.contextmanager
def throwaway_database(args, modules, *options, demo=True):
    """Context manager: :func:`create_database` (``args.db`` copied from ``args.template``, ``modules``
    installed, with demo data unless ``demo=False``, ``options`` given to ``odoo-bin``), then the body,
    then :func:`drop_database` unless ``args.keep``, also when the body or the set-up fails."""
    require_config(args.config)
    try:
        create_database(args, modules, *options, demo=demo)
        yield
    finally:
        if not args.keep:
            drop_database(args)


def parse_odoo_config(config, db, *options):
    """Parse Odoo's configuration (``-c config -d db`` and ``options``) in this process; returns the
    ``odoo`` package."""
    import odoo  # here, not at the top: the scripts that only run sub-processes never load Odoo

    odoo.tools.config.parse_config(["-c", require_config(config), "-d", db, *options])
    return odoo


@contextlib.contextmanager
def throwaway_registry(args, modules, *options, demo=True, config_options=()):
    """Context manager yielding the Odoo registry of a :func:`throwaway_database`: Odoo's configuration
    is parsed in this process (:func:`parse_odoo_config` with ``config_options``), the database is
    created from the template with ``modules`` installed (``demo``, ``options`` for ``odoo-bin``), and
    dropped at the end unless ``args.keep``."""
    odoo = parse_odoo_config(args.config, args.db, *config_options)
    with throwaway_database(args, modules, *options, demo=demo):
        yield odoo.modules.registry.Registry(args.db)


@contextlib.contextmanager
def addons_snapshot(prefix):
    """Context manager yielding a copy of this repository's ``addons/`` in a new temporary folder (named
    after ``prefix``), so that edits during a run cannot change the measured code; removed at the end."""
    folder = tempfile.mkdtemp(prefix=prefix)
    target = os.path.join(folder, "addons")
    try:
        shutil.copytree(SUITE_ADDONS, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)
