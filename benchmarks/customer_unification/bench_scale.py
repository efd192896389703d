"""Full-scan time and peak memory on generated partners, and the latency of the check for one partner being typed.

    python benchmarks/customer_unification/bench_scale.py [-c CONFIG] [--template suite_bench_tpl] \
        [--partners 100000] [--samples 200] [--scoring {default,manual,learned}] [--keep]

Run ``python benchmarks/make_template.py`` first; CONFIG defaults to ``$ODOO_RC``, else
``benchmarks/.bench-odoo.conf``.

The full scan runs exactly like the cron job (chunk by chunk, committing after each
chunk).  Peak memory is the Odoo process's maximum resident set size (RSS).
``--scoring manual|learned`` switches every rule to that scoring first (threshold 0.7 / 0.9, like
``bench_quality.py``); ``default`` scans with the rules as installed.
"""

import cProfile
import gc
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
                                   profile=0, scoring="default")
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
        with bench_common.environment(args) as env:
            if args.scoring in ("manual", "learned"):  # every rule scored one way (see bench_quality.py)
                env["customer.match.rule"].search([]).write(
                    {"scoring": args.scoring, "threshold": 0.9 if args.scoring == "learned" else 0.7})
                env.cr.commit()
            rss_before = rss_mb()
            profiler = cProfile.Profile() if args.profile else None
            started = time.time()
            if profiler:
                profiler.enable()
            job = env["customer.scan.job"].create({"mode": "full"})
            job.action_start()
            env.cr.commit()
            while job.state == "running":
                job._process_chunk()
                env.cr.commit()  # what the cron runner does between two calls
            elapsed = time.time() - started
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            groups = env["customer.duplicate.group"].search_count([("state", "=", "open")])
            print(f"full scan: {job.total_count} partners, {job.pair_count} pairs, {groups} groups "
                  f"in {elapsed:.1f}s; peak RSS {rss_mb():.0f} MB (process before scan {rss_before:.0f} MB)")
            _typing_latency(env, records, args.samples)
    finally:
        bench_common.drop_db(args)


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
