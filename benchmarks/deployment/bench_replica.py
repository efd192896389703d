#!/usr/bin/env python3
"""Integration benchmark: the suite on Odoo's multi-server deployment with a read replica.

Odoo sends read-only requests (JSON-RPC calls of methods marked ``@api.readonly``, such as
``web_read_group``, ``web_search_read`` and the suite's timeline data) to the database named by
``db_replica_host``/``db_replica_port`` and everything else to the primary. This script proves that the
suite's read-only screens are served by a real streaming replica and that writes still reach the
primary, on this machine, without touching the machine's own PostgreSQL:

1. ``initdb`` a throw-away primary cluster in ``--workdir`` (its own port and socket directory), and
   install the suite with demo data into the database ``--db``;
2. clone it with ``pg_basebackup -R`` into a hot standby on ``--port + 1`` that follows the primary by
   streaming replication, and turn on statement logging for that database on both clusters;
3. start ``odoo-bin`` with ``--db_replica_host``/``--db_replica_port`` and log in as the demo admin;
4. for each call of the list below, count the SQL statements each cluster ran for the database
   during the call (from the two server logs) and time it; for the write, also time how long the
   replica takes to show the new value (replication lag as the user sees it);
5. print the table, check the expectations (read-only calls: no data statement on the primary, some on
   the replica; the write: on the primary, none on the replica) and exit 1 when one fails; Odoo's own
   per-request registry check (an empty read/write transaction on the primary) is not counted;
6. stop everything and delete the work folder (unless ``--keep``).

Usage::

    python benchmarks/deployment/bench_replica.py [--workdir /tmp/suite_replica] [--port 5434] [--keep]

PostgreSQL's server programs are found with ``pg_config --bindir``; run as root, the clusters run as
the ``postgres`` system user. Only 127.0.0.1 and a Unix socket in the work folder are used.
"""

# pylint: disable=print-used
import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # benchmarks/
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "load"))
import bench_env  # noqa: E402  (puts $ODOO_PATH on sys.path)
from bench_load import Session, start_server, stop_server  # noqa: E402

SUITE = "customer_unification,crm_erp_bridge,warranty_management"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "suite_replica"),
                        help="folder of the two throw-away clusters (deleted at the end) [%(default)s]")
    parser.add_argument("--port", type=int, default=5434, help="primary's port; the replica takes port + 1 [5434]")
    parser.add_argument("--db", default="suite_replica", help="database name [%(default)s]")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions of each read [%(default)s]")
    parser.add_argument("--keep", action="store_true", help="leave the clusters running and the folder in place")
    return parser.parse_args()


class Cluster:
    """A PostgreSQL cluster of its own in ``path``, listening on ``port`` (127.0.0.1 and a socket in ``sockets``)."""

    def __init__(self, bindir, path, port, sockets):
        self.bindir, self.path, self.port, self.sockets = bindir, path, port, sockets
        self.log = os.path.join(os.path.dirname(path), f"postgres-{port}.log")

    def _as_owner(self, *command):
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def initdb(self, superuser):
        self._as_owner(os.path.join(self.bindir, "initdb"), "-D", self.path, "-U", "postgres", "--auth=trust",
                       "-E", "UTF8", "--locale=C.UTF-8")
        with open(os.path.join(self.path, "pg_hba.conf"), "w", encoding="utf-8") as hba:
            hba.write("local all all trust\nlocal replication all trust\n"
                      "host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n")
        self.configure()
        self.start()
        self.psql("postgres", f'CREATE ROLE "{superuser}" SUPERUSER LOGIN', user="postgres")

    def configure(self):
        with open(os.path.join(self.path, "postgresql.conf"), "a", encoding="utf-8") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.sockets}'\nlog_line_prefix = '%m [%p] db=%d '\n"
                       "max_connections = 60\nshared_buffers = 128MB\nfsync = off\n")

    def clone_from(self, primary):
        """A hot standby of ``primary``: base backup, ``standby.signal`` and ``primary_conninfo`` (-R)."""
        self._as_owner(os.path.join(self.bindir, "pg_basebackup"), "-h", primary.sockets, "-p", str(primary.port),
                       "-U", "postgres", "-D", self.path, "-R", "-X", "stream", "-c", "fast")
        self.configure()  # the copied postgresql.conf ends with the primary's port: this one wins
        self.start()

    def start(self):
        self._as_owner(os.path.join(self.bindir, "pg_ctl"), "-D", self.path, "-l", self.log, "-w", "start")

    def stop(self):
        if os.path.exists(os.path.join(self.path, "postmaster.pid")):
            self._as_owner(os.path.join(self.bindir, "pg_ctl"), "-D", self.path, "-m", "fast", "-w", "stop")

    def psql(self, dbname, sql, user=None):
        command = ["psql", "-X", "-q", "-t", "-A", "-h", self.sockets, "-p", str(self.port), "-d", dbname,
                   "-v", "ON_ERROR_STOP=1", "-c", sql]
        if user:
            command += ["-U", user]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    def log_size(self):
        return os.path.getsize(self.log)

    def statements_since(self, offset, dbname):
        """Statements the cluster logged for ``dbname`` after byte ``offset`` of its log, left out:
        transaction control and Odoo's own per-request check of its registry and cache signals (a
        read/write transaction on the primary that reads the signaling sequences only)."""
        with open(self.log, encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            entries = []
            for line in log:
                if line[:1].isdigit():  # a new log entry starts with its timestamp
                    entries.append(line)
                elif entries:  # continuation line of a multi-line statement
                    entries[-1] += line
        count = 0
        for entry in entries:
            if f"db={dbname} " not in entry or "statement: " not in entry:
                continue
            statement = " ".join(entry.split("statement: ", 1)[1].split())
            if statement.startswith(("BEGIN", "ROLLBACK", "COMMIT", "DISCARD ALL")) or "_signaling" in statement:
                continue
            count += 1
        return count


def prepare(args):
    bindir = subprocess.run(["pg_config", "--bindir"], check=True, capture_output=True, text=True).stdout.strip()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(args.workdir, postgres.pw_uid, postgres.pw_gid)
    primary = Cluster(bindir, os.path.join(args.workdir, "primary"), args.port, args.workdir)
    replica = Cluster(bindir, os.path.join(args.workdir, "replica"), args.port + 1, args.workdir)
    return primary, replica


def odoo_conf(args, primary, replica, data_dir):
    path = os.path.join(data_dir, "odoo.conf")
    with open(path, "w", encoding="utf-8") as conf:
        conf.write(f"[options]\naddons_path = {bench_env.odoo_addons_path()}\ndata_dir = {data_dir}\n"
                   f"db_host = {primary.sockets}\ndb_port = {primary.port}\n"
                   f"db_replica_host = {replica.sockets}\ndb_replica_port = {replica.port}\n"
                   f"db_name = {args.db}\ndbfilter = ^{args.db}$\nlist_db = False\n")
    return path


def wait_for(predicate, timeout=60.0):
    """Seconds until ``predicate()`` is true (polling every 10 ms); raises after ``timeout``."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise SystemExit("timed out waiting for the replica")
        time.sleep(0.01)
    return time.monotonic() - start


def read_calls(session, partner_id):
    """The suite's read-only screens, as the web client asks for them."""
    return [
        ("customer timeline (first page)", lambda: session.call(
            "crm.erp.timeline", "get_timeline_data", partner_id, limit=80, with_totals=False)),
        ("customer report pivot by customer", lambda: session.call(
            "crm.erp.customer.report", "web_read_group", [], ["ordered_amount:sum", "invoiced_amount:sum"],
            ["partner_id"])),
        ("combined forecast by month", lambda: session.call(
            "crm.erp.forecast.report", "web_read_group", [], ["revenue_amount:sum"], ["date:month"])),
        ("duplicate check while typing", lambda: session.call(
            "res.partner", "cu_duplicate_check", {"name": "Azure Interior", "is_company": True,
                                                  "email": "azure.Interior24@example.com"})),
        ("customer timeline totals", lambda: session.call(
            "crm.erp.timeline", "get_timeline_totals", partner_id)),
        ("duplicate review list", lambda: session.call(
            "customer.duplicate.group", "web_search_read", [], specification={"display_name": {}})),
        ("warranty registrations list", lambda: session.call(
            "warranty.registration", "web_search_read", [], specification={"name": {}, "end_date": {}})),
    ]


def measure(primary, replica, db, call, repeat):
    offsets = primary.log_size(), replica.log_size()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    time.sleep(0.2)  # let both servers write their log lines
    return (primary.statements_since(offsets[0], db) / repeat, replica.statements_since(offsets[1], db) / repeat,
            sorted(timings)[len(timings) // 2])


def main():
    args = parse_args()
    primary, replica = prepare(args)
    data_dir = os.path.join(args.workdir, "odoo")
    os.makedirs(data_dir)
    server = None
    failures = []
    try:
        primary.initdb(pwd.getpwuid(os.geteuid()).pw_name)
        conf = odoo_conf(args, primary, replica, data_dir)
        print(f"installing {SUITE} with demo data into {args.db} on the primary (port {primary.port})")
        subprocess.run(bench_env.install_command(conf, args.db, SUITE, bench_env.LOG_WARN), check=True)
        replica.clone_from(primary)
        primary.psql(args.db, f'ALTER DATABASE "{args.db}" SET log_statement = \'all\'')
        wait_for(lambda: replica.psql("postgres", "SELECT pg_is_in_recovery()") == "t")
        print(f"streaming replica on port {replica.port}: "
              f"{replica.psql('postgres', 'SELECT status FROM pg_stat_wal_receiver')}")

        server_args = argparse.Namespace(config=conf, db=args.db, workers=2)
        server, port = start_server(server_args, bench_env.odoo_addons_path(), data_dir,
                                    os.path.join(args.workdir, "odoo.log"))
        session = Session(f"http://127.0.0.1:{port}", args.db, "admin", "admin")
        partner_id = session.call("res.partner", "search", [("customer_rank", ">", 0)], limit=1)[0]
        for _label, call in read_calls(session, partner_id):  # warm every worker's caches
            call()

        rows = []
        for label, call in read_calls(session, partner_id):
            on_primary, on_replica, median = measure(primary, replica, args.db, call, args.repeat)
            rows.append((label, on_primary, on_replica, f"{median:.0f} ms"))
            if on_primary or not on_replica:
                failures.append(f"{label}: {on_primary:g} statements on the primary, {on_replica:g} on the replica")

        marker = f"Replica check {time.time():.0f}"
        offsets = primary.log_size(), replica.log_size()
        start = time.perf_counter()
        session.call("res.partner", "write", [partner_id], {"comment": marker})
        written = (time.perf_counter() - start) * 1000
        lag = wait_for(lambda: replica.psql(
            args.db, f"SELECT count(*) FROM res_partner WHERE id = {int(partner_id)} "
                     f"AND comment LIKE '%{marker}%'") == "1")
        time.sleep(0.2)
        on_primary = primary.statements_since(offsets[0], args.db)
        on_replica = replica.statements_since(offsets[1], args.db)
        rows.append(("partner write", on_primary, on_replica, f"{written:.0f} ms (visible on the replica "
                                                              f"after {lag * 1000:.0f} ms)"))
        if not on_primary or on_replica > 1:  # the lag probe itself runs one statement there
            failures.append(f"partner write: {on_primary} statements on the primary, {on_replica} on the replica")

        width = max(len(row[0]) for row in rows)
        print(f"\n{'call':<{width}}  statements on primary  on replica  median time")
        for label, on_primary, on_replica, timing in rows:
            print(f"{label:<{width}}  {on_primary:>21g}  {on_replica:>10g}  {timing}")
        for failure in failures:
            print(f"FAILED: {failure}")
        return 1 if failures else 0
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            replica.stop()
            primary.stop()
            shutil.rmtree(args.workdir, ignore_errors=True)
        else:
            print(f"kept: clusters in {args.workdir} (ports {primary.port}, {replica.port})")


if __name__ == "__main__":
    sys.exit(main())
