"""Duplicate lead detection quality on generated leads with known truth.

The leads come from ``generator.py`` (the partner benchmark's CRM contacts: e-mail, phones,
address; typos, swapped names, dropped fields, other e-mails, legal forms...): a company record
gives a lead with a company name (``partner_name``), a person record a lead with a contact name
(``contact_name``); records of one entity are the same customer. For ``--customer-share`` of the
entities the first record becomes an existing customer (``res.partner``) and a perturbed copy of
it a lead, so that every such customer has at least one lead.

In a throw-away database (customer_unification installed, rules as shipped: warn mode,
threshold 0.7) the script measures, on those leads only:

* lead vs lead, blocking: the candidate pairs that reach scoring (``crm.lead._cu_lead_candidate_ids``
  of every lead's profiles), the reduction ratio and the *pairs completeness* (share of the true
  duplicate pairs among the candidates);
* lead vs lead, matching: precision, recall and F1 of the pairs ``crm.lead._cu_duplicate_lead_matches``
  returns (what the banner, the Duplicates button and the flag at creation use), next to Odoo's
  own "Similar Leads" (``duplicate_lead_ids``: same company e-mail domain, phone or customer);
* lead vs customer: precision and recall of the best customer ``crm.lead._cu_partner_matches``
  proposes for each lead (truth: the entity's customer, when it has one);
* the time of the check while typing (``crm.lead.cu_duplicate_check``), median and p95.

    python benchmarks/customer_unification/bench_lead_quality.py [-c CONFIG] [--template suite_bench_tpl] \\
        [--db cu_lead_bench_quality] [--entities 2000] [--seed 7] [--customer-share 0.3] [--samples 200] [--keep]

Run ``python benchmarks/make_template.py`` first; CONFIG defaults to ``$ODOO_RC``, else
``benchmarks/.bench-odoo.conf``.
"""

import collections
import itertools
import statistics
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


def data_set(entities, seed, customer_share):
    """``(customers, leads)``: partner records and lead records (``entity`` = ground truth)."""
    gen = generator.Generator(seed)
    records = gen.build(entities)
    by_entity = collections.defaultdict(list)
    for record in records:
        by_entity[record["entity"]].append(record)
    rng = gen.rng
    customers, leads = [], []
    for entity in sorted(by_entity):
        group = by_entity[entity]
        if rng.random() < customer_share:
            customers.append(group[0])
            leads.extend(group[1:] or [gen.duplicate(group[0])])
        else:
            leads.extend(group)
    return customers, leads


def lead_values(record, countries):
    name_field = "partner_name" if record["is_company"] else "contact_name"
    return {
        "name": f"Request from {record['name']}", "type": "lead", name_field: record["name"],
        "email_from": (record["email"] or "").strip() or False, "phone": record["phone"] or False,
        "mobile": record["mobile"] or False, "website": record["website"] or False,
        "street": record["street"] or False, "zip": record["zip"] or False, "city": record["city"] or False,
        "country_id": countries.get(record["country"], False),
    }


def pairs_of(entity_by_id):
    groups = collections.defaultdict(list)
    for record_id, entity in entity_by_id.items():
        groups[entity].append(record_id)
    return {tuple(sorted(pair)) for ids in groups.values() for pair in itertools.combinations(ids, 2)}


def measure(env, args):
    customers, records = data_set(args.entities, args.seed, args.customer_share)
    partner_entity = bench_common.load_partners(env, customers)
    customer_of_entity = {entity: pid for pid, entity in partner_entity.items()}
    countries = {c.code: c.id for c in env["res.country"].search([])}
    started = time.perf_counter()
    Lead = env["crm.lead"]
    lead_ids = []
    for start in range(0, len(records), 500):
        lead_ids += Lead._cu_create_without_duplicate_check(
            [lead_values(record, countries) for record in records[start:start + 500]]).ids
    leads = Lead.browse(lead_ids)
    env.flush_all()
    load_time = time.perf_counter() - started
    entity = dict(zip(leads.ids, (record["entity"] for record in records), strict=True))
    truth = pairs_of(entity)
    env.cr.execute("ANALYZE crm_lead")

    started = time.perf_counter()
    candidates, predicted, odoo = set(), set(), set()
    customer_truth, customer_predicted = set(), set()
    for lead in leads:
        for profile in lead._cu_lead_profiles():
            for other in lead._cu_lead_candidate_ids(profile):
                candidates.add(tuple(sorted((lead.id, other))))
        for match in lead._cu_duplicate_lead_matches(limit=10):
            predicted.add(tuple(sorted((lead.id, match["lead_id"]))))
        best = lead._cu_partner_matches(limit=1)
        if best:
            customer_predicted.add((lead.id, best[0]["partner_id"]))
        if entity[lead.id] in customer_of_entity:
            customer_truth.add((lead.id, customer_of_entity[entity[lead.id]]))
    match_time = time.perf_counter() - started
    # the template's demo leads are no part of the data set
    ours = set(lead_ids)
    candidates = {pair for pair in candidates if pair[0] in ours and pair[1] in ours}
    predicted = {pair for pair in predicted if pair[0] in ours and pair[1] in ours}
    for lead in leads:  # Odoo's "Similar Leads", in a pass of its own (not timed with ours)
        for other in lead.duplicate_lead_ids - lead:
            if other.id in ours:
                odoo.add(tuple(sorted((lead.id, other.id))))

    samples = leads[:args.samples]
    timings = []
    for lead in samples:
        values = {"partner_name": lead.partner_name, "contact_name": lead.contact_name,
                  "email_from": lead.email_from, "phone": lead.phone, "mobile": lead.mobile,
                  "city": lead.city, "zip": lead.zip, "street": lead.street, "country_id": lead.country_id.id}
        started = time.perf_counter()
        Lead.cu_duplicate_check(values)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    all_pairs = len(leads) * (len(leads) - 1) // 2
    return {
        "leads": len(leads), "customers": len(customers), "true_pairs": len(truth),
        "candidates": len(candidates), "reduction_ratio": 1 - len(candidates) / all_pairs if all_pairs else 0.0,
        "pairs_completeness": len(candidates & truth) / len(truth) if truth else 1.0,
        "engine": metrics(predicted, truth), "odoo": metrics(odoo, truth),
        "customer": metrics(customer_predicted, customer_truth),
        "load_s": load_time, "match_ms_per_lead": match_time * 1000 / len(leads),
        "check_median_ms": statistics.median(timings), "check_p95_ms": timings[int(len(timings) * 0.95) - 1],
    }


def main():
    args = bench_common.parse_args(__doc__, db="cu_lead_bench_quality", entities=2000, seed=7,
                                   customer_share=0.3, samples=200)
    bench_common.create_db(args)
    try:
        with bench_common.environment(args) as env:
            result = measure(env, args)
            env.cr.rollback()
    finally:
        bench_common.drop_db(args)
    e, o, c = result["engine"], result["odoo"], result["customer"]
    print(f"\n{result['leads']} leads ({args.entities} entities, seed {args.seed}), {result['customers']} existing "
          f"customers; leads created in {result['load_s']:.1f} s; matching {result['match_ms_per_lead']:.1f} ms "
          f"per lead; check while typing median {result['check_median_ms']:.1f} ms, "
          f"p95 {result['check_p95_ms']:.1f} ms")
    print("\n| | pairs found | TP | FP | FN | P | R | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for label, m in (("lead vs lead (suite)", e), ("lead vs lead (Odoo's Similar Leads)", o),
                     ("lead vs customer (suite, best match)", c)):
        print(f"| {label} | {m['pairs']} | {m['tp']} | {m['fp']} | {m['fn']} | {m['precision']:.3f} | "
              f"{m['recall']:.3f} | {m['f1']:.3f} |")
    print(f"\nlead vs lead blocking: {result['true_pairs']} true pairs, {result['candidates']} candidate pairs, "
          f"reduction ratio {result['reduction_ratio']:.4f}, pairs completeness {result['pairs_completeness']:.3f}")


if __name__ == "__main__":
    main()
