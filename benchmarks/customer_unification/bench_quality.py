"""Duplicate detection quality on a generated, labeled data set.

Creates a throw-away database with customer_unification, loads the generated
partners, runs the real full scan (SQL blocking + scoring) and compares the
proposed pairs (score >= each rule's default threshold) with the ground truth.
Also scores Odoo's exact-name grouping on the same data.

    python benchmarks/customer_unification/bench_quality.py [-c CONFIG] [--template suite_bench_tpl] \
        [--entities 3000] [--seed 7] [--keep]

Run ``python benchmarks/make_template.py`` first; CONFIG defaults to ``$ODOO_RC``, else
``benchmarks/.bench-odoo.conf``.
"""

import collections
import itertools
import time

import bench_common
import generator


def metrics(predicted, truth):
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(predicted), "tp": tp, "fp": len(predicted - truth), "fn": len(truth - predicted),
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def main():
    args = bench_common.parse_args(__doc__, db="cu_match_bench_quality", entities=3000, seed=7, verbose=0)
    records = generator.generate(args.entities, seed=args.seed)
    bench_common.create_db(args)
    try:
        with bench_common.environment(args) as env:
            ids_to_entity = bench_common.load_partners(env, records)
            env.cr.commit()
        bench_common.vacuum_analyze(args)
        with bench_common.environment(args) as env:
            by_entity = collections.defaultdict(list)
            for pid, entity in ids_to_entity.items():
                by_entity[entity].append(pid)
            truth = {tuple(sorted(pair)) for ids in by_entity.values() for pair in itertools.combinations(ids, 2)}
            started = time.time()
            env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
            elapsed = time.time() - started
            env.cr.execute("SELECT partner_a_id, partner_b_id FROM customer_duplicate_pair WHERE state = 'open'"
                           " AND partner_a_id = ANY(%s)", [list(ids_to_entity)])
            predicted = set(env.cr.fetchall())
            env.cr.execute("SELECT array_agg(id) FROM res_partner WHERE id = ANY(%s) GROUP BY lower(name)"
                           " HAVING count(*) > 1", [list(ids_to_entity)])
            exact = {tuple(sorted(pair)) for (ids,) in env.cr.fetchall() for pair in itertools.combinations(ids, 2)}
            ours, baseline = metrics(predicted, truth), metrics(exact, truth)
            print(f"records: {len(records)}  entities: {len(by_entity)}  true duplicate pairs: {len(truth)}")
            print(f"customer_unification (default rules): {ours}  scan {elapsed:.1f}s")
            print(f"exact-name grouping (Odoo):           {baseline}")
            if args.verbose:
                _show_errors(env, predicted, truth, ids_to_entity)
            env.cr.rollback()
    finally:
        bench_common.drop_db(args)


def _show_errors(env, predicted, truth, ids_to_entity):
    rule = env["customer.match.rule"]
    cols = ["name", "email", "phone", "mobile", "vat", "website", "street", "zip", "city"]
    for label, pairs in (("FALSE POSITIVE", predicted - truth), ("FALSE NEGATIVE", truth - predicted)):
        for a, b in list(pairs)[:25]:
            pa, pb = env["res.partner"].browse([a, b])
            score, _explanation = rule._score_pair(pa, pb)
            print(label, round(score, 3))
            for p in (pa, pb):
                print("    ", [p[c] for c in cols])


if __name__ == "__main__":
    main()
