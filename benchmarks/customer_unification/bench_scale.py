"""Full-scan time and peak memory on generated partners, and the latency of the check for one partner being typed.

    python benchmarks/customer_unification/bench_scale.py [-c CONFIG] [--template suite_bench_tpl] \
        [--partners 100000] [--samples 200] [--workers 1] [--incremental 0] \
        [--scoring {default,manual,learned}] [--keep]

Run ``python benchmarks/make_template.py`` first; CONFIG defaults to ``$ODOO_RC``, else
``benchmarks/.bench-odoo.conf``.

The full scan runs exactly like the cron job (partition by partition, committing after each
one).  Peak memory is the Odoo process's maximum resident set size (RSS).

``--incremental 1000`` then changes 1,000 partners and times the incremental scan of the
changed customers (with the largest worker count).

``--workers 1,2`` scans the same data once per count, one after the other: with N workers, N
processes (this one and N - 1 others, each with its own registry and database connection, started
before the clock) share the scan's partitions as N cron workers or servers would, and the table
compares the times. Peak RSS is this process's; the other workers' peaks are printed by them.

``--scoring manual|learned`` switches every rule to that scoring first (threshold 0.7 / 0.9, like
``bench_quality.py``); ``default`` scans with the rules as installed.
"""

import cProfile
import gc
import multiprocessing
import pstats
import resource
import statistics
import time

import bench_common
import generator


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    args = bench_common.parse_args(__doc__, db="cu_match_bench_scale", partners=100000, samples=200, seed=11,
                                   profile=0, workers="1", incremental=0, scoring="default")
    # about 1.45 records per entity with the default duplicate rates
    records = generator.generate(int(args.partners / 1.45), seed=args.seed)[:args.partners]
    bench_common.create_db(args)
    try:
        with bench_common.environment(args) as env:
            started = time.time()
            ids = bench_common.load_partners(env, records)
            env.cr.commit()
            print(f"loaded {len(ids)} partners in {time.time() - started:.1f}s")
        bench_common.vacuum_analyze(args)
        # The generated data set stays in memory for the typing check below; a cron worker holds no
        # such thing, so move it out of the garbage collector's way before timing the scan.
        gc.collect()
        gc.freeze()
        if args.scoring in ("manual", "learned"):  # every rule scored one way (see bench_quality.py)
            with bench_common.environment(args) as env:
                env["customer.match.rule"].search([]).write(
                    {"scoring": args.scoring, "threshold": 0.9 if args.scoring == "learned" else 0.7})
                env.cr.commit()
        timings = {}
        for workers in [int(count) for count in args.workers.split(",")]:
            timings[workers] = _full_scan(args, workers)
        if len(timings) > 1:
            base = timings[min(timings)]
            print("\nworkers  full scan  speed-up")
            for workers, elapsed in timings.items():
                print(f"{workers:>7}  {elapsed:>8.1f}s  {base / elapsed:>7.2f}x")
        if args.incremental:
            _incremental_scan(args, max(timings))
        with bench_common.environment(args) as env:
            _typing_latency(env, records, args.samples)
    finally:
        bench_common.drop_db(args)


def _full_scan(args, workers, mode="full", since=None):
    """One scan with ``workers`` processes sharing its partitions; the elapsed seconds."""
    context = multiprocessing.get_context("spawn")  # a fresh Odoo per worker, no inherited connection
    ready, go = context.Barrier(workers), context.Event()
    with bench_common.environment(args) as env:
        job = env["customer.scan.job"].create({"mode": mode, "since": since})
        env.cr.commit()
        helpers = [context.Process(target=_worker, args=(args.config, args.db, job.id, ready, go))
                   for _ in range(workers - 1)]
        for helper in helpers:
            helper.start()
        ready.wait()  # every worker has loaded its registry: only the scan is timed
        rss_before = rss_mb()
        profiler = cProfile.Profile() if args.profile else None
        started = time.time()
        if profiler:
            profiler.enable()
        job.action_start()  # estimation of learned weights, split into partitions
        env.cr.commit()
        go.set()
        _work(env, job)
        for helper in helpers:
            helper.join()
        elapsed = time.time() - started
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        groups = env["customer.duplicate.group"].search_count([("state", "=", "open")])
        print(f"{mode} scan, {workers} worker(s): {job.total_count} partners in {job.partition_count} partitions, "
              f"{job.pair_count} pairs, {groups} groups in {elapsed:.1f}s; peak RSS {rss_mb():.0f} MB "
              f"(process before scan {rss_before:.0f} MB)")
    return elapsed


def _incremental_scan(args, workers):
    """Change ``args.incremental`` partners (a new street number, through the ORM so that their
    match keys follow), then time the incremental scan of the changed customers."""
    with bench_common.environment(args) as env:
        env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        since = env.cr.fetchone()[0]
        env.cr.execute("SELECT id FROM res_partner WHERE active AND cu_name_key IS NOT NULL "
                       "ORDER BY md5(id::text) LIMIT %s", [args.incremental])
        partners = env["res.partner"].browse([row[0] for row in env.cr.fetchall()])
        for partner in partners:
            partner.street = f"{partner.street or 'Via Roma'} bis"
        env.cr.commit()
    elapsed = _full_scan(args, workers, mode="incremental", since=since)
    print(f"incremental scan after {args.incremental} partners changed: {elapsed:.1f}s")


def _work(env, job):
    """What a cron worker does: scan partitions, committing each, until the scan is closed."""
    while True:
        env.invalidate_all()
        if job.state != "running":
            return
        if job._process_chunk() is None:  # the rest is held by other workers: wait for them
            env.cr.commit()
            job._wait_for_other_workers()
        env.cr.commit()


def _worker(config, db, job_id, ready, go):
    import odoo  # a spawned process: Odoo is imported and configured here
    bench_common._load_config(config, db)
    registry = odoo.modules.registry.Registry(db)
    ready.wait()
    go.wait()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        _work(env, env["customer.scan.job"].browse(job_id))
    print(f"  worker process: peak RSS {rss_mb():.0f} MB")


def _typing_latency(env, records, samples):
    """Time the banner computation of an unsaved partner, as the form onchange does."""
    countries = {c.code: c.id for c in env["res.country"].search([])}
    timings = []
    for record in records[:samples]:
        env.invalidate_all()
        started = time.perf_counter()
        partner = env["res.partner"].new({
            "name": record["name"], "is_company": record["is_company"], "email": record["email"],
            "phone": record["phone"], "mobile": record["mobile"], "vat": record["vat"],
            "street": record["street"], "zip": record["zip"], "city": record["city"],
            "country_id": countries.get(record["country"]),
        })
        partner.cu_duplicate_warning  # noqa: B018 - triggers the compute
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"single-partner check: median {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms over {len(timings)}")


if __name__ == "__main__":
    main()
