"""Fellegi–Sunter record linkage: comparison levels, parameter estimation, match weights.

Pure Python, independent from the ORM (unit tested without a database).

A *comparison vector* gives, per field, the index of the level the two values
reach (``0`` = exact, then closer to farther, the last level = far) or ``None``
when a side has no value. Per field and level:

* ``m`` = P(level | the records are the same customer),
* ``u`` = P(level | they are not),
* the match weight ``log2(m / u)`` is what the level adds to the pair's
  log2-odds; a missing value adds nothing.

The pair's match weight is ``prior + Σ weights`` with ``prior = log2(λ / (1 - λ))``
(λ: probability that two random records are the same entity), and its probability is
``1 / (1 + 2 ** -weight)``.

``u`` is estimated from random pairs (nearly all non-duplicates) and the exact
level's ``u`` from the value frequencies; ``m`` by expectation–maximisation on
the blocked candidate pairs with ``u`` fixed, as the Splink toolkit does (the
method, not its code).
"""

import itertools
import math
import random
from collections import Counter, defaultdict
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from . import normalize

#: Smallest probability kept for m and u (no infinite weights).
EPSILON = 1e-6

#: Smallest m of a level fixed by prior knowledge (``m = 0``: a level that practically rules a
#: match out, about -40 bits, still finite so that the explanations add up).
M_FLOOR = 1e-12


# ---------------------------------------------------------------------------
# Comparison levels (rapidfuzz)
# ---------------------------------------------------------------------------


def name_similarity(left, right):
    """Order-insensitive Jaro–Winkler similarity of two name keys, in [0, 1]
    (:func:`normalize.aligned_token_similarity`): swapped given/family names
    score 1 and a missing word lowers the score."""
    return normalize.aligned_token_similarity(left.split(), right.split(), JaroWinkler.similarity)


def _word_agrees(word, others):
    """A word agrees with one of ``others``: Jaro–Winkler ≥ 0.94, one typo (an edit or two swapped
    letters) in words of five letters or more, or an initial of it."""
    for other in others:
        if len(word) == 1 or len(other) == 1:
            if word[0] == other[0]:
                return True
        elif JaroWinkler.similarity(word, other) >= 0.94 or _one_typo_apart(word, other, min_length=5):
            return True
    return False


def _one_typo_apart(left, right, min_length):
    """One edit or two swapped letters apart, both words at least ``min_length`` long (a single typo
    brings the Jaro–Winkler of a short word low)."""
    return min(len(left), len(right)) >= min_length and OSA.distance(left, right, score_cutoff=1) <= 1


def level_name(left, right):
    """exact / close (typos, swapped words) / subset (every word of one name agrees with the other:
    a missing given name, an initial, a title) / partial (one word agrees, another differs: a
    nickname, a relative) / far."""
    if left == right:
        return 0
    if name_similarity(left, right) >= 0.92:
        return 1
    tokens_l, tokens_r = left.split(), right.split()
    shorter, longer = (tokens_l, tokens_r) if len(tokens_l) <= len(tokens_r) else (tokens_r, tokens_l)
    if all(_word_agrees(tok, longer) for tok in shorter):
        return 2
    if any(len(tok) > 2 and _word_agrees(tok, tokens_r) for tok in tokens_l):
        return 3
    return 4


@lru_cache(maxsize=65536)
def person_name_alignment(left, right):
    """Given and family names of two persons, read in the order that makes them agree best.

    :param left, right: ``normalize.person_name_parts`` of the two names
    :return: ``(given_left, family_left, given_right, family_right)``, given names possibly ``""``

    A name whose order is unknown is read given name(s) first and family name last, or swapped
    (family name first, ``"ROSSI MARIO"``); a single word is a family name. The reading kept is the
    one where most parts are equal, then whose given and family names are most alike together,
    then whose family names are most alike, then whose given names are known given names. When two
    readings tie (one part equal, the other as different either way: "Emma Robert" and "Paul Robert"
    read as family names Robert, or as given names Robert), the shared part is read as the family
    name: relatives share a family name, so the other given name rules them out (see
    ``customer.match.rule._cu_match_fields``, ``fixed_m``) instead of a weak family-name mismatch.
    """
    best, best_key = None, None
    for given_l, family_l in _name_readings(*left):
        for given_r, family_r in _name_readings(*right):
            given_sim = (normalize.aligned_token_similarity(given_l.split(), given_r.split(), JaroWinkler.similarity)
                         if given_l and given_r else 0.0)
            family_sim = JaroWinkler.similarity(family_l, family_r)
            key = ((given_l == given_r != "") + (family_l == family_r), family_sim + given_sim, family_sim,
                   sum(normalize.is_known_given_name(word) for word in (*given_l.split(), *given_r.split())))
            if best_key is None or key > best_key:
                best, best_key = (given_l, family_l, given_r, family_r), key
    return best


def _name_readings(words, order):
    if not words:
        return [("", "")]
    if len(words) == 1:
        return [("", words[0])]
    family_first = (" ".join(words[1:]), words[0])
    if order == "family_first":
        return [family_first]
    return [(" ".join(words[:-1]), words[-1]), family_first]


def level_family_name(left, right):
    """exact / close (Jaro–Winkler ≥ 0.92: typos) / far, after aligning the two names; ``None``
    when a name is empty."""
    family_l, family_r = person_name_alignment(left, right)[1::2]
    if not family_l or not family_r:
        return None
    if family_l == family_r:
        return 0
    return 1 if _family_name_typo(family_l, family_r) else 2


def _family_name_typo(left, right):
    """Two family names differ by a typo: Jaro–Winkler ≥ 0.92, or one edit or two swapped letters
    in names of four letters or more ("Jones" / "Jpnes", "Wood" / "Wodo"), whose Jaro–Winkler a
    single typo brings lower in a short name."""
    return JaroWinkler.similarity(left, right) >= 0.92 or _one_typo_apart(left, right, min_length=4)


def level_given_name(left, right):
    """exact / close (a typo, a usual short form: William and Bill) / subset (an initial, a word of a
    compound given name, a shortened name) / partial (spelt alike: several typos, or a similar name) /
    far (another given name: a relative) after aligning the two names; ``None`` when a side has no
    given name."""
    given_l, _family_l, given_r, _family_r = person_name_alignment(left, right)
    if not given_l or not given_r:
        return None
    if given_l == given_r:
        return 0
    words_l, words_r = given_l.split(), given_r.split()
    if len(words_l) == len(words_r) and all(
            word_l == word_r or _given_word_typo(word_l, word_r)
            or normalize.given_name_forms(word_l) & normalize.given_name_forms(word_r)
            or _given_forms_agree_through_typo(word_l, word_r)
            for word_l, word_r in zip(words_l, words_r, strict=True)):
        return 1
    shorter, longer = (words_l, words_r) if len(words_l) <= len(words_r) else (words_r, words_l)
    if all(any(_given_word_agrees(word, other) for other in longer) for word in shorter):
        return 2
    if any(_given_word_alike(word, other) for word in shorter for other in longer):
        return 3
    return 4


def _given_forms_agree_through_typo(word, other):
    """A mistyped form of a given name stands for the other word's name: "Pnio" (Pino) for
    Giuseppe, "Jsck" (Jack) for John (:func:`normalize.given_name_forms_within_typo`: only words
    that are none of the known forms are read through a typo)."""
    typo_forms = normalize.given_name_forms_within_typo(word)
    other_typo_forms = normalize.given_name_forms_within_typo(other)
    if not typo_forms and not other_typo_forms:  # both known, or nothing known that close
        return False
    return bool(typo_forms & normalize.given_name_forms(other) or normalize.given_name_forms(word) & other_typo_forms
                or typo_forms & other_typo_forms)


def _given_word_alike(word, other):
    """Two given-name words spelt alike without being a plain typo: several typos, or two similar
    names (Elena / Elisa): the data tells which (the level's m is estimated)."""
    return JaroWinkler.similarity(word, other) >= 0.75 or (
        min(len(word), len(other)) >= 4 and Levenshtein.distance(word, other, score_cutoff=2) <= 2)


def _given_word_typo(word, other):
    """Two given-name words differ by a typo: Jaro–Winkler ≥ 0.92, or one edit in words of 3+ letters."""
    return JaroWinkler.similarity(word, other) >= 0.92 or (
        min(len(word), len(other)) >= 3 and Levenshtein.distance(word, other, score_cutoff=1) <= 1)


def _given_word_agrees(word, other):
    """A given-name word stands for another: equal, a typo, a usual short form, an initial (of the
    name or of one of its usual forms: "P." for Giuseppe, known as Pino) or a prefix."""
    if word == other or _given_word_typo(word, other):
        return True
    if normalize.given_name_forms(word) & normalize.given_name_forms(other):
        return True
    short, long_ = (word, other) if len(word) <= len(other) else (other, word)
    if len(short) == 1:
        return short in normalize.given_name_initials(long_)
    return len(short) >= 3 and long_.startswith(short)


def level_text(left, right):
    """exact / close (Jaro–Winkler ≥ 0.88: typos) / far: streets, cities, domains."""
    if left == right:
        return 0
    return 1 if JaroWinkler.similarity(left, right) >= 0.88 else 2


def level_street(left, right):
    """exact / close (Jaro–Winkler ≥ 0.88: typos; or a word of the longer street left out, in order:
    a person's given name dropped from a street named after them, "Via Garibaldi" for "Via Giuseppe
    Garibaldi", or written as an initial, "Via G. Garibaldi") / far: street words (house number apart)."""
    if left == right:
        return 0
    if JaroWinkler.similarity(left, right) >= 0.88:
        return 1
    shorter, longer = sorted((left.split(), right.split()), key=len)
    return 1 if len(shorter) >= 2 and _words_in_order(shorter, longer) else 2


def _words_in_order(shorter, longer):
    """Every word of ``shorter`` agrees (:func:`_word_agrees`: a typo or an initial) with a word of
    ``longer``, in order, the last ones with each other (the distinctive end of a street name)."""
    if not _word_agrees(shorter[-1], [longer[-1]]) or len(shorter[-1]) == 1:
        return False
    position = 0
    for word in shorter[:-1]:
        while position < len(longer) - 1 and not _word_agrees(word, [longer[position]]):
            position += 1
        if position >= len(longer) - 1:
            return False
        position += 1
    return True


def level_code(left, right):
    """exact / close (one edit: a typo or a swapped pair of characters) / far: zips, house numbers, IDs."""
    if left == right:
        return 0
    if Levenshtein.distance(left, right, score_cutoff=1) <= 1:
        return 1
    if len(left) == len(right) and sorted(left) == sorted(right) and sum(
            a != b for a, b in zip(left, right, strict=True)) == 2:
        return 1
    return 2


@lru_cache(maxsize=65536)
def mailbox_letters(email):
    """The letters of an e-mail's mailbox (the part before ``@``), lower case: "Isla.Smith63@x" -> "islasmith"."""
    return "".join(char for char in email.partition("@")[0].lower() if char.isalpha())


@lru_cache(maxsize=65536)
def mailbox_spells_name(mailbox, name_key):
    """Whether an e-mail's mailbox (the part before ``@``) only spells the name: its letters, digits
    and separators left out, are one word of the name, two words of it in either order, or an
    initial and a word ("mario.rossi", "rossi_mario85", "mrossi", "rossim"). Namesakes have such
    mailboxes at every provider: they say no more than the names do."""
    letters = mailbox_letters(mailbox)
    words = [word for word in (name_key or "").split() if word.isalpha()]
    if not letters or not words:
        return False
    return letters in words or any(
        letters in (first + second, first[0] + second, first + second[0])
        for first, second in itertools.permutations(words, 2))


def level_email(left, right):
    """exact / close (same mailbox at another domain, or a typo) / far."""
    if left == right:
        return 0
    if left.split("@", 1)[0] == right.split("@", 1)[0] or JaroWinkler.similarity(left, right) >= 0.95:
        return 1
    return 2


def best_level(compare, values_a, values_b):
    """Best (lowest) level over the values of multi-valued fields (phone and mobile)."""
    return min(compare(a, b) for a in values_a for b in values_b)


# ---------------------------------------------------------------------------
# Weights and probabilities
# ---------------------------------------------------------------------------


def match_weight(m, u):
    """log2 Bayes factor of a level (m floored at ``M_FLOOR``, u at ``EPSILON``)."""
    return math.log2(max(m, M_FLOOR) / max(u, EPSILON))


#: Most the rarity of an agreed value may add to its exact level's weight, in bits (a value seen once
#: in the sample says little about how rare it really is).
TF_MAX_BOOST = 2.0


def term_frequency_adjustment(u_exact, frequency):
    """Bits added to the exact level's weight of a field for the value both records share (the
    term-frequency adjustment of Splink, the method): ``log2(u_exact / frequency)``.

    ``u_exact`` is the average chance that two random records agree on the field (Σ p²), ``frequency``
    the share of records holding this very value: a common name (Rossi, Mario) agrees by chance more
    often than the average and weighs less, a rare one weighs more (at most ``TF_MAX_BOOST``).
    """
    if not frequency or not u_exact:
        return 0.0
    return min(math.log2(max(u_exact, EPSILON) / max(frequency, EPSILON)), TF_MAX_BOOST)


def term_frequencies(values, min_count=2):
    """``{"n": records with a value, "u": chance that two of them agree (Σ p²), "counts": {value: count}}``
    of the values seen at least ``min_count`` times (the others are rare: their frequency is taken as
    ``1 / n``). The adjustment of a value is taken against this ``u``: values as common as the
    average leave the weight unchanged."""
    counts = Counter(value for value in values if value)
    return {"n": sum(counts.values()), "u": exact_u_from_frequencies(values) or 0.0,
            "counts": {value: c for value, c in counts.items() if c >= min_count}}


def value_frequency(table, value):
    """Share of records holding ``value`` according to a :func:`term_frequencies` table (``None``: no table)."""
    if not table or not table.get("n"):
        return None
    return table["counts"].get(value, 1) / table["n"]


def prior_weight(prior):
    """log2 prior odds of λ."""
    prior = min(max(prior, EPSILON), 1 - EPSILON)
    return math.log2(prior / (1 - prior))


def probability(weight):
    """Probability of a match weight (log2 odds)."""
    if weight < -60:
        return 0.0
    if weight > 60:
        return 1.0
    return 1.0 / (1.0 + 2.0 ** -weight)


# ---------------------------------------------------------------------------
# Estimation
# ---------------------------------------------------------------------------


def estimate_u(vectors, n_levels, exact_u=None, smoothing=1.0):
    """u-probabilities from the comparison vectors of random pairs.

    :param vectors: iterable of comparison vectors (tuples, ``None`` = missing)
    :param n_levels: number of levels per position of the vectors
    :param exact_u: optional per-position exact-level u computed from value
        frequencies (more precise than a sample for rare values)
    :return: list (per position) of lists of u per level, or ``None`` for a
        position never compared (a field absent from the data gets no weight)
    """
    counts = [[0] * n for n in n_levels]
    for vector in vectors:
        for position, level in enumerate(vector):
            if level is not None:
                counts[position][level] += 1
    result = []
    for position, row in enumerate(counts):
        total = sum(row)
        known = exact_u[position] if exact_u else None
        if not total and known is None:
            result.append(None)
            continue
        u = [(count + smoothing / len(row)) / (total + smoothing) for count in row]
        if known is not None:
            rest = sum(u[1:])
            u = [known] + [value * (1 - known) / rest for value in u[1:]] if rest else [known] + u[1:]
        result.append([max(value, EPSILON) for value in u])
    return result


def exact_u_from_frequencies(values):
    """P(two random values agree exactly) = Σ p_v² over the non-empty values (``None`` if none)."""
    counts = Counter(value for value in values if value)
    total = sum(counts.values())
    if total < 2:
        return None
    return max(sum(c * (c - 1) for c in counts.values()) / (total * (total - 1)), EPSILON)


def expectation_maximisation(vectors, m, u, prior, free=None, max_iterations=100, tolerance=1e-6,
                             strength=0.0, update_m=True, total_pairs=None, fixed=None, caps=None):
    """Estimate m (for the ``free`` positions) and λ by EM with u fixed.

    :param vectors: comparison vectors of the blocked candidate pairs
    :param m: initial m per position (list of lists; ``None`` for unused positions)
    :param u: fixed u per position (same shape)
    :param prior: initial λ
    :param free: positions whose m is estimated and which take part in the
        likelihood (default: every used position). A blocking pass that
        requires agreement on a field says nothing about that field's m, so
        the field is left out of the session.
    :param strength: weight, in pairs, of the initial m as a Dirichlet prior
        (maximum a posteriori EM): m only moves away from it as far as the
        evidence carries it (0: maximum likelihood)
    :param update_m: False to estimate λ alone, m fixed
    :param total_pairs: number of pairs the vectors were drawn from, when they
        are only the candidate pairs of a blocking: the others count as
        non-matches (posterior ≈ 0) and λ is then the probability that two
        random records match, consistent with a u from random pairs
    :param fixed: ``{position: level indices}`` whose m is kept (prior knowledge the data cannot
        give, see ``customer.match.rule._cu_match_fields``); the other levels of the position
        share the rest
    :param caps: ``{position: {level index: largest m}}``: prior knowledge bounding a level (a
        duplicate rarely disagrees entirely on its e-mail or address); without it EM may settle on
        another latent class than "same customer", e.g. namesakes in one town, who agree on the
        name and the place and on nothing else
    :return: ``(m, prior, expected_matches, iterations, support)``; ``support``
        gives per position the expected number of matches with a value (the
        evidence behind its m; 0 for positions left out)
    """
    positions = [p for p in range(len(m)) if m[p] is not None and u[p] is not None]
    if free is not None:
        positions = [p for p in positions if p in free]
    grouped = Counter(tuple(vector[p] for p in positions) for vector in vectors)
    total = max(sum(grouped.values()), total_pairs or 0)
    m = [list(row) if row is not None else None for row in m]
    m_prior = [list(row) if row is not None else None for row in m]
    support = [0.0] * len(m)
    if not total or not positions:
        return m, prior, 0.0, 0, support
    iterations = 0
    expected = 0.0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported
        numerator = [defaultdict(float) for _p in positions]
        denominator = [0.0] * len(positions)
        expected = 0.0
        for vector, count in grouped.items():
            likelihood_m, likelihood_u = prior, 1.0 - prior
            for index, level in enumerate(vector):
                if level is not None:
                    position = positions[index]
                    likelihood_m *= m[position][level]
                    likelihood_u *= u[position][level]
            posterior = likelihood_m / (likelihood_m + likelihood_u)
            weight = posterior * count
            expected += weight
            for index, level in enumerate(vector):
                if level is not None:
                    numerator[index][level] += weight
                    denominator[index] += weight
        new_prior = min(max(expected / total, EPSILON), 1 - EPSILON)
        change = abs(new_prior - prior)
        for index, position in enumerate(positions):
            if denominator[index] <= 0 or not update_m:
                continue
            row = [max((numerator[index][level] + strength * m_prior[position][level])
                       / (denominator[index] + strength), EPSILON) for level in range(len(m[position]))]
            row = _keep_fixed(row, m_prior[position], (fixed or {}).get(position))
            row = _cap_levels(row, (caps or {}).get(position))
            change = max(change, max(abs(a - b) for a, b in zip(row, m[position], strict=True)))
            m[position] = row
        prior = new_prior
        for index, position in enumerate(positions):
            support[position] = denominator[index]
        if change < tolerance:
            break
    return m, prior, expected, iterations, support


def _keep_fixed(row, initial, levels):
    """``row`` with the m of ``levels`` reset to ``initial``, the other levels rescaled to sum to the rest."""
    if not levels:
        return row
    kept = sum(initial[level] for level in levels)
    free_total = sum(value for level, value in enumerate(row) if level not in levels)
    scale = (1.0 - kept) / free_total if free_total else 0.0
    return [initial[level] if level in levels else max(value * scale, EPSILON) for level, value in enumerate(row)]


def _cap_levels(row, caps):
    """``row`` with the m of the capped levels at most their cap, the other levels rescaled to sum to the rest."""
    if not caps or all(row[level] <= cap for level, cap in caps.items()):
        return row
    capped = {level: min(row[level], cap) for level, cap in caps.items()}
    kept = sum(capped.values())
    free_total = sum(value for level, value in enumerate(row) if level not in capped)
    if not free_total:
        return row
    scale = (1.0 - kept) / free_total
    return [capped[level] if level in capped else max(value * scale, EPSILON) for level, value in enumerate(row)]


def random_pairs_within(groups, count, seed=0):
    """Up to ``count`` distinct random pairs ``(i, j)``, ``i < j``, of indices sharing a group
    (``groups``: lists of indices), drawn with probability proportional to the group's pairs."""
    groups = [sorted(group) for group in groups if len(group) > 1]
    weights = [len(group) * (len(group) - 1) // 2 for group in groups]
    total = sum(weights)
    if not total:
        return []
    count = min(count, total)
    rng = random.Random(seed)
    pairs = set()
    attempts = 0
    while len(pairs) < count and attempts < count * 20:
        attempts += 1
        group = rng.choices(groups, weights)[0]
        i, j = rng.sample(group, 2)
        pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def random_pairs(count, size, seed=0):
    """Up to ``count`` distinct random index pairs ``(i, j)``, ``i < j < size`` (reproducible)."""
    if size < 2:
        return []
    rng = random.Random(seed)
    maximum = size * (size - 1) // 2
    count = min(count, maximum)
    pairs = set()
    while len(pairs) < count:
        i, j = rng.randrange(size), rng.randrange(size)
        if i != j:
            pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)
