"""Measuring helpers shared by the benchmark scripts: memory, timings, query counts, SQL clones.

Import it after ``bench_env`` (which puts ``$ODOO_PATH`` on ``sys.path``); Odoo is imported only by
:func:`clone_rows`, when it runs.
"""

import os
import resource
import statistics
import time


def rss_mb():
    """Current resident memory of this process (Linux ``/proc``), in MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def peak_rss_mb():
    """Peak resident memory of this process so far (``getrusage``'s ``ru_maxrss``, Linux: KB), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_ms(func, runs):
    """Median wall time of ``runs`` calls of ``func()``, in milliseconds."""
    timings = []
    for _i in range(runs):
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def count_queries(cr, func):
    """Number of SQL queries ``func()`` sends through the cursor ``cr``."""
    before = cr.sql_log_count
    func()
    return cr.sql_log_count - before


def format_figures(figures):
    """``figures`` (a dict) as ``key=value, ...``, floats with one decimal."""
    return ", ".join(f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}"
                     for key, value in figures.items())


def measure_sizes(registry, args, bench, label):
    """For each of ``args.sizes``: ``bench(env, size, args.runs)`` (superuser) in a transaction of its own,
    rolled back after it, and its figures printed as ``<size> <label>: key=value, ...``."""
    from odoo import SUPERUSER_ID, api

    for size in args.sizes:
        with registry.cursor() as cr:
            figures = bench(api.Environment(cr, SUPERUSER_ID, {}), size, args.runs)
            print(f"{size} {label}: " + format_figures(figures))
            cr.rollback()


def clone_rows(cr, table, where, count, overrides, returning=False):
    """Insert, for each ``g`` in 1..``count``, a copy of every row of ``table`` that ``where`` matches
    (SQL on the alias ``t``: a string, or an ``odoo.tools.SQL`` with its parameters); ``overrides`` maps
    columns to SQL expressions (strings or ``SQL``, on ``t`` and ``g``) replacing the copied value.
    All columns but ``id`` are copied. Returns the new ids when ``returning``, else ``None``."""
    from odoo.tools import SQL

    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id'",
        (table,),
    )
    columns = [row[0] for row in cr.fetchall()]

    def expression(col):
        value = overrides.get(col)
        if value is None:
            return SQL.identifier("t", col)
        return SQL(value) if isinstance(value, str) else value

    select = [expression(col) for col in columns]
    cr.execute(SQL(
        "INSERT INTO %s (%s) SELECT %s FROM %s t, generate_series(1, %s) g WHERE %s%s",
        SQL.identifier(table), SQL(", ").join(SQL.identifier(col) for col in columns), SQL(", ").join(select),
        SQL.identifier(table), count, SQL(where) if isinstance(where, str) else where,
        SQL(" RETURNING id") if returning else SQL(),
    ))
    return [row[0] for row in cr.fetchall()] if returning else None
