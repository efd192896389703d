#!/usr/bin/env python3
"""Load benchmark: the Odoo server with workers under concurrent JSON-RPC users.

1. Prepares a database with the three addons: a fresh install (default), a copy of a template
   database updated to the current code (``--template NAME``), or an existing database used as
   it is (``--reuse-db``); the suite's ``addons/`` are copied first so that the code cannot change
   during the run.
2. Generates data: customers with confirmed orders and posted invoices, one pool of quotations
   and approved warranty claims per simulated user, and the users themselves (salesperson with
   all documents, warranty manager, billing).
3. Starts ``odoo-bin`` with ``--workers`` (default 4), no cron thread, on 127.0.0.1 and a free
   port, and waits for ``/web/health``.
4. Runs the load from a second process (this script with ``--client``): ``--users`` threads (default
   20), each logged in with its own session through ``/web/session/authenticate``, send JSON-RPC
   requests for ``--duration`` seconds (default 60) or until ``--max-requests`` (default 20,000):
   the customer timeline, confirming a quotation, posting a warranty claim cost, and the same
   reads on plain Odoo screens (partner form, sales order list, chatter messages).
5. Reports throughput, p50/p95 latency per request type and errors, and checks that no write was
   lost: every confirmation answered OK is a confirmed order in the database and the number of
   confirmed pool orders equals the successful confirmations (same for posted claim costs).
6. Stops the server and drops the database (unless ``--keep`` or ``--reuse-db``).

Usage::

    python benchmarks/load/bench_load.py [-c CONFIG] [--db NAME] [--template NAME | --reuse-db]
        [--users 20] [--duration 60] [--max-requests 20000] [--workers 4] [--keep]

Only 127.0.0.1 is ever contacted; every loop is bounded by time and by request count.
"""

# pylint: disable=print-used
import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # benchmarks/
import bench_env  # puts $ODOO_PATH on sys.path: keep it before odoo

SUITE = "customer_unification,crm_erp_bridge,warranty_management"
HOST = "127.0.0.1"
# request type -> weight in the mix
MIX = {
    "timeline": 25,
    "confirm quotation": 15,
    "post claim cost": 10,
    "partner form (Odoo)": 20,
    "order list (Odoo)": 15,
    "chatter (Odoo)": 15,
}
PARTNER_FORM_FIELDS = ["name", "display_name", "is_company", "email", "phone", "street", "city", "zip",
                       "country_id", "vat", "user_id", "category_id", "child_ids", "comment"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    bench_env.add_config_argument(parser)
    parser.add_argument("--db", default="suite_bench_load", help="database (dropped at the end unless --keep)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--template", help="copy this database and update the suite's addons in it "
                                           "(default: fresh install of the three addons with demo data)")
    source.add_argument("--reuse-db", action="store_true",
                        help="use --db as it is (data is added, nothing is installed, the database is kept)")
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--users", type=int, default=20, help="concurrent users (threads)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=20000, help="hard cap on requests")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pool", type=int, default=30,
                        help="quotations and claims prepared per user (bounds the writes)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # internal: the load process
    return parser.parse_args()


# -------------------------------------------------------------------------------------------------
# database and data
# -------------------------------------------------------------------------------------------------
def odoo_cmd(args, addons_path, data_dir, *extra):
    return [sys.executable, bench_env.ODOO_BIN, "-c", args.config, "-d", args.db, "--addons-path", addons_path,
            "--data-dir", data_dir, "--db-filter", f"^{args.db}$", *extra]


def prepare_database(args, addons_path, data_dir):
    if args.reuse_db:
        return
    bench_env.pg_run(args.config, "dropdb", "--if-exists", args.db)
    if args.template:
        bench_env.pg_run(args.config, "createdb", "-T", args.template, args.db)
        step = ["-u", SUITE]
    else:
        step = ["-i", SUITE]
    print(f"preparing {args.db} ({' '.join(step)}) ...", flush=True)
    subprocess.run(odoo_cmd(args, addons_path, data_dir, *step, "--stop-after-init", "--no-http",
                            "--log-level=warn"), check=True)


def generate_data(args, addons_path):
    """Customers with history, users, and per-user pools of quotations and approved claims."""
    odoo = bench_env.parse_odoo_config(args.config, args.db, "--addons-path", addons_path)
    from odoo import Command, api

    rng = random.Random(args.seed)
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True,
                                                      "mail_notrack": True, "no_reset_password": True})
        company = env.company
        _ensure_warranty_accounting(env, company)
        tag = f"L{int(time.time())}"
        groups = [env.ref(xmlid).id for xmlid in (
            "sales_team.group_sale_salesman_all_leads", "warranty_management.group_warranty_manager",
            "account.group_account_invoice")]
        policy = env["warranty.policy"].create({"name": f"Load {tag} two years", "duration": 2,
                                                "duration_unit": "year"})
        product = env["product.product"].create({"name": f"Load {tag} drill", "type": "consu",
                                                 "list_price": 120.0, "warranty_policy_id": policy.id})
        customers = env["res.partner"].create([
            {"name": f"Load {tag} customer {i}", "is_company": True, "email": f"load{i}@example.com",
             "city": "Milano"} for i in range(args.customers)])
        orders = env["sale.order"].create([
            {"partner_id": partner.id, "order_line": [Command.create({"product_id": product.id,
                                                                      "product_uom_qty": 1})]}
            for partner in customers for _i in range(2)])
        orders.action_confirm()
        invoices = env["account.move"].create([
            {"move_type": "out_invoice", "partner_id": partner.id,
             "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 1, "price_unit": 120.0})]}
            for partner in customers])
        invoices.action_post()
        for partner in customers[:50]:
            partner.message_post(body=f"Load note for {partner.name}", message_type="comment")
        users = []
        for index in range(args.users):
            login = f"load_{tag.lower()}_{index}"
            user = env["res.users"].create({"name": f"Load user {index}", "login": login, "password": login,
                                            "email": f"{login}@example.com", "groups_id": [Command.set(groups)],
                                            "company_id": company.id, "company_ids": [Command.set(company.ids)]})
            own = [rng.choice(customers) for _i in range(args.pool)]
            quotations = env["sale.order"].create([
                {"partner_id": partner.id, "user_id": user.id,
                 "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})]}
                for partner in own])
            registrations = env["warranty.registration"].create([
                {"partner_id": partner.id, "product_id": product.id} for partner in own])
            claims = env["warranty.claim"].create([
                {"partner_id": reg.partner_id.id, "product_id": product.id, "registration_id": reg.id,
                 "user_id": user.id} for reg in registrations])
            claims.action_review()
            claims.action_approve()
            users.append({"login": login, "password": login, "quotations": quotations.ids, "claims": claims.ids})
        cr.commit()
        result = {
            "db": args.db, "users": users, "customers": customers.ids, "product_id": product.id,
            "partner_form_fields": [f for f in PARTNER_FORM_FIELDS if f in env["res.partner"]._fields],
        }
    odoo.modules.registry.Registry.delete(args.db)
    odoo.sql_db.close_db(args.db)
    return result


def _ensure_warranty_accounting(env, company):
    """The cost entry needs a journal and two accounts; set them (as an administrator would) when the
    install left them empty, and say so."""
    missing = [name for name in ("warranty_expense_account_id", "warranty_cost_counterpart_account_id")
               if not company[name]]
    if not missing:
        return
    Account = env["account.account"].with_company(company)
    expense = Account.search([("account_type", "=", "expense")], limit=1)
    counterpart = Account.search([("account_type", "=", "liability_current")], limit=1)
    company.write({"warranty_expense_account_id": expense.id, "warranty_cost_counterpart_account_id": counterpart.id})
    print(f"NOTE: the install left {', '.join(missing)} empty; set them to {expense.code} / {counterpart.code}")


# -------------------------------------------------------------------------------------------------
# server
# -------------------------------------------------------------------------------------------------
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(args, addons_path, data_dir, log_path):
    port, gevent_port = free_port(), free_port()
    command = odoo_cmd(args, addons_path, data_dir, f"--workers={args.workers}", "--max-cron-threads=0",
                       f"--http-interface={HOST}", f"--http-port={port}", f"--gevent-port={gevent_port}",
                       "--no-database-list", "--log-level=warn", f"--logfile={log_path}",
                       "--limit-time-real=300", "--limit-time-cpu=300")
    server = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start (log: {log_path})")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/web/health", timeout=5) as response:
                if response.status == 200:
                    return server, port
        except (OSError, urllib.error.URLError):
            time.sleep(1)
    stop_server(server)
    raise SystemExit(f"the server did not answer /web/health within 180 s (log: {log_path})")


def stop_server(server):
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # the process group of the server we started
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


# -------------------------------------------------------------------------------------------------
# the load process (``--client``): stdlib HTTP only, one cookie jar (session) per user
# -------------------------------------------------------------------------------------------------
class Session:
    def __init__(self, base, db, login, password):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.uid = self.rpc("/web/session/authenticate", {"db": db, "login": login, "password": password})["uid"]

    def rpc(self, path, params):
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}).encode()
        request = urllib.request.Request(self.base + path, data=payload,
                                         headers={"Content-Type": "application/json"})
        with self.opener.open(request, timeout=120) as response:
            answer = json.loads(response.read())
        if answer.get("error"):
            data = answer["error"].get("data") or {}
            raise RuntimeError(f"{data.get('name', 'error')}: {data.get('message', answer['error'].get('message'))}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self.rpc(f"/web/dataset/call_kw/{model}/{method}",
                        {"model": model, "method": method, "args": list(args), "kwargs": kwargs})


def run_client(spec_path):
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    base, data = spec["base"], spec["data"]
    budget = {"left": spec["max_requests"]}
    lock = threading.Lock()
    samples = {kind: [] for kind in MIX}
    errors = {kind: [] for kind in MIX}
    confirmed, posted = [], []
    kinds, weights = list(MIX), list(MIX.values())

    def take():
        with lock:
            if budget["left"] <= 0:
                return False
            budget["left"] -= 1
            return True

    logged_in = threading.Barrier(len(data["users"]) + 1)
    clock, clock_set = {}, threading.Event()

    def worker(index, user):
        rng = random.Random(spec["seed"] + index)
        try:
            # log in and warm the worker's registry before the clock starts
            session = Session(base, data["db"], user["login"], user["password"])
            session.call("res.partner", "web_read", [data["customers"][0]], specification={"name": {}})
        except Exception as error:  # reported as a failed login
            with lock:
                errors["timeline"].append(f"login {user['login']}: {error}")
            session = None
        try:
            logged_in.wait(timeout=600)
        except threading.BrokenBarrierError:
            return
        if session is None:
            return
        clock_set.wait(timeout=60)
        deadline = clock["deadline"]
        quotations, claims = list(user["quotations"]), list(user["claims"])
        while time.monotonic() < deadline and take():
            kind = rng.choices(kinds, weights)[0]
            if (kind == "confirm quotation" and not quotations) or (kind == "post claim cost" and not claims):
                kind = "timeline"
            partner_id = rng.choice(data["customers"])
            start = time.perf_counter()
            try:
                if kind == "timeline":
                    session.call("crm.erp.timeline", "get_timeline_data", partner_id, limit=80)
                elif kind == "confirm quotation":
                    order_id = quotations.pop()
                    session.call("sale.order", "action_confirm", [order_id])
                    with lock:
                        confirmed.append(order_id)
                elif kind == "post claim cost":
                    claim_id = claims.pop()
                    session.call("warranty.claim.cost.line", "create",
                                 {"claim_id": claim_id, "cost_type": "labor", "quantity": 1, "unit_cost": 40.0})
                    session.call("warranty.claim", "action_post_costs", [claim_id])
                    with lock:
                        posted.append(claim_id)
                elif kind == "partner form (Odoo)":
                    session.call("res.partner", "web_read", [partner_id],
                                 specification={name: {} for name in data["partner_form_fields"]})
                elif kind == "order list (Odoo)":
                    session.call("sale.order", "web_search_read", [("partner_id", "=", partner_id)],
                                 specification={"name": {}, "date_order": {}, "amount_total": {}, "state": {},
                                                "partner_id": {"fields": {"display_name": {}}}},
                                 limit=80)
                else:
                    session.rpc("/mail/thread/messages",
                                {"thread_model": "res.partner", "thread_id": partner_id, "limit": 30})
            except Exception as error:  # every failure is counted and reported
                with lock:
                    errors[kind].append(str(error)[:300])
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                samples[kind].append(elapsed)

    threads = [threading.Thread(target=worker, args=(i, user), daemon=True) for i, user in enumerate(data["users"])]
    for thread in threads:
        thread.start()
    logged_in.wait(timeout=600)  # every user logged in: start the clock
    started = time.monotonic()
    clock["deadline"] = started + spec["duration"]
    clock_set.set()
    for thread in threads:
        thread.join(timeout=spec["duration"] + 300)
    wall = time.monotonic() - started
    print(json.dumps({"wall": wall, "samples": samples, "errors": errors, "confirmed": confirmed, "posted": posted}))


# -------------------------------------------------------------------------------------------------
# report and verification
# -------------------------------------------------------------------------------------------------
def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def report(result, args):
    total = sum(len(v) for v in result["samples"].values())
    error_count = sum(len(v) for v in result["errors"].values())
    print(f"\n{args.users} users, {args.workers} workers, {result['wall']:.1f} s: {total} requests OK, "
          f"{error_count} errors, {total / result['wall']:.1f} requests/s")
    print(f"{'request':<24}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for kind in MIX:
        values = result["samples"][kind]
        p50 = f"{statistics.median(values):.0f}" if values else "-"
        p95 = f"{percentile(values, 95):.0f}" if values else "-"
        print(f"{kind:<24}{len(values):>7}{p50:>9}{p95:>9}{len(result['errors'][kind]):>8}")
    for kind, messages in result["errors"].items():
        for message in sorted(set(messages))[:3]:
            print(f"  error ({kind}): {message}")
    return error_count


def server_log_summary(log_path):
    """Count the server's ERROR/CRITICAL lines (the load must not produce any)."""
    if not os.path.exists(log_path):
        return
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        bad = [line.rstrip() for line in handle if " ERROR " in line or " CRITICAL " in line]
    print(f"server log: {len(bad)} ERROR/CRITICAL lines" + "".join(f"\n  {line[:200]}" for line in bad[:5]))


def verify_writes(args, data, result):
    """Every write answered OK is in the database, and nothing else was written."""
    import psycopg2

    pool_orders = [order for user in data["users"] for order in user["quotations"]]
    pool_claims = [claim for user in data["users"] for claim in user["claims"]]
    with psycopg2.connect(bench_env.pg_dsn(args.config, args.db)) as conn, conn.cursor() as cr:
        cr.execute("SELECT id FROM sale_order WHERE id = ANY(%s) AND state = 'sale'", [pool_orders])
        confirmed_db = {row[0] for row in cr.fetchall()}
        cr.execute("""SELECT DISTINCT claim_id FROM warranty_claim_cost_line
                       WHERE claim_id = ANY(%s) AND state = 'posted'""", [pool_claims])
        posted_db = {row[0] for row in cr.fetchall()}
    conn.close()
    lost_orders = set(result["confirmed"]) - confirmed_db
    extra_orders = confirmed_db - set(result["confirmed"])
    lost_claims = set(result["posted"]) - posted_db
    extra_claims = posted_db - set(result["posted"])
    print(f"\nwrites: {len(result['confirmed'])} confirmations OK, {len(confirmed_db)} confirmed pool orders in "
          f"the database; {len(result['posted'])} claim postings OK, {len(posted_db)} claims with posted costs")
    problems = len(lost_orders) + len(extra_orders) + len(lost_claims) + len(extra_claims)
    if problems:
        print(f"LOST/UNEXPECTED WRITES: orders lost {sorted(lost_orders)[:10]} unexpected {sorted(extra_orders)[:10]}; "
              f"claims lost {sorted(lost_claims)[:10]} unexpected {sorted(extra_claims)[:10]}")
    else:
        print("zero lost writes")
    return problems


def main():
    args = parse_args()
    if args.client:
        run_client(args.client)
        return 0
    bench_env.require_config(args.config)
    with bench_env.addons_snapshot("bench_load_") as addons:
        return run_benchmark(args, bench_env.odoo_addons_path(addons))


def run_benchmark(args, addons_path):
    """Prepare the database and its data, start the server, load it, report; clean up."""
    workdir = tempfile.mkdtemp(prefix="bench_load_run_")
    data_dir = os.path.join(workdir, "data")
    server = None
    try:
        prepare_database(args, addons_path, data_dir)
        started = time.perf_counter()
        data = generate_data(args, addons_path)
        print(f"data: {len(data['customers'])} customers, {len(data['users'])} users with {args.pool} quotations "
              f"and {args.pool} approved claims each ({time.perf_counter() - started:.0f} s)", flush=True)
        log_path = os.path.join(workdir, "server.log")
        server, port = start_server(args, addons_path, data_dir, log_path)
        print(f"server: {args.workers} workers on {HOST}:{port} (log {log_path}); load for {args.duration:.0f} s "
              f"or {args.max_requests} requests", flush=True)
        spec_path = os.path.join(workdir, "client.json")
        with open(spec_path, "w", encoding="utf-8") as handle:
            json.dump({"base": f"http://{HOST}:{port}", "data": data, "duration": args.duration,
                       "max_requests": args.max_requests, "seed": args.seed}, handle)
        client = subprocess.run([sys.executable, os.path.abspath(__file__), "--client", spec_path],
                                check=True, capture_output=True, text=True, timeout=args.duration + 600)
        result = json.loads(client.stdout.strip().splitlines()[-1])
        stop_server(server)
        server = None
        errors = report(result, args)
        server_log_summary(log_path)
        lost = verify_writes(args, data, result)
        return 1 if errors or lost else 0
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        if not (args.keep or args.reuse_db):
            try:
                bench_env.drop_database(args)
            except subprocess.CalledProcessError:
                print(f"WARNING: could not drop {args.db}; drop it by hand")


if __name__ == "__main__":
    sys.exit(main())
