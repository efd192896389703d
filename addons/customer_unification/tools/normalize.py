"""Pure normalizers and similarity functions used by the customer matcher.

Every function here is side-effect free and independent from the ORM so that it
can be unit tested, reused by scripts, and called in tight loops.  Each
normalizer returns ``""`` when the input carries no usable information: an
empty key never matches anything.
"""

import re
import unicodedata
from email.utils import getaddresses
from functools import lru_cache

import jellyfish
from rapidfuzz import process
from rapidfuzz.distance import OSA
from stdnum import get_cc_module
from stdnum.exceptions import ValidationError as StdnumValidationError

from . import given_names

try:
    from odoo.addons.phone_validation.tools.phone_validation import phone_format
except ImportError:  # pragma: no cover - used outside an Odoo addons path
    phone_format = None

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\D+")
_DOTTED_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")

#: Legal-form tokens removed from company names (after punctuation removal).
LEGAL_SUFFIXES = frozenset(
    """
    srl srls spa sapa sas snc scarl scrl ss sc coop
    ltd limited llc llp plc inc incorporated corp corporation co company
    gmbh mbh ag kg ohg ug ev
    sarl sa sas sasu eurl sci snc
    bv nv vof
    sl slu
    oy ab as aps
    """.split()
)

#: Connectors that carry no identity ("Rossi & C.", "Smith and Sons").
NAME_STOPWORDS = frozenset(["and", "e", "et", "und", "y", "the", "c", "figli", "sons"])

#: Street abbreviations expanded to a canonical word.
STREET_ABBREVIATIONS = {
    "v": "via",
    "vle": "viale",
    "vl": "viale",
    "pza": "piazza",
    "pzza": "piazza",
    "pz": "piazza",
    "p": "piazza",
    "pzle": "piazzale",
    "cso": "corso",
    "c": "corso",
    "lgo": "largo",
    "vco": "vicolo",
    "loc": "localita",
    "fraz": "frazione",
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "sq": "square",
    "pl": "place",
    "strasse": "strasse",
    "bd": "boulevard",
    "bld": "boulevard",
    "r": "rue",
    "ch": "chemin",
}

#: Noise tokens in addresses ("n. 12", "no 12", "civico 12").
STREET_NOISE = frozenset(["n", "no", "nr", "num", "numero", "civico", "int", "interno"])

#: Words introducing the number of a flat inside the building ("int. 8", "Flat 3", "Apt 4"): that
#: number is not the house number when the street has another one.
STREET_UNIT_WORDS = frozenset(["int", "interno", "flat", "apt", "apartment", "unit", "suite"])


def strip_accents(value):
    """Return ``value`` without diacritics: ``"Città"`` -> ``"Citta"``."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def simplify(value):
    """Lower-case, accent-free, punctuation-free text with single spaces.

    Dotted abbreviations are glued first so that ``"S.r.l."`` becomes ``"srl"``
    rather than three separate letters.
    """
    if not value:
        return ""
    text = strip_accents(str(value)).lower().replace("'", " ")
    text = _DOTTED_ABBREVIATION.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def normalize_email(value):
    """Normalize an e-mail address to ``local@domain`` in lower case.

    Handles surrounding whitespace, ``mailto:`` prefixes and display names
    (``"Mario Rossi" <Mario.Rossi@Example.COM>``).  Only the first address of a
    list is kept.  Returns ``""`` when no ``@`` is present.
    """
    if not value:
        return ""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    addresses = [addr for _name, addr in getaddresses([text]) if "@" in addr]
    if not addresses:
        return ""
    return addresses[0].strip().lower()


_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def email_is_valid(value):
    """Return True when the value holds a well-formed address (``local@domain.tld``)."""
    return bool(_EMAIL_SHAPE.match(normalize_email(value)))


def phone_is_valid(value, country_code=None, country_phone_code=None):
    """Return True when the number is a valid one for its country (``phone_validation``), not just
    digits that :func:`normalize_phone` could turn into a key."""
    if not value or phone_format is None:
        return False
    formatted = phone_format(str(value).strip(), country_code or None, country_phone_code or None,
                             force_format="E164", raise_exception=False)
    return bool(formatted) and formatted.startswith("+") and formatted[1:].isdigit()


def email_domain(value):
    """Return the domain part of a normalized e-mail, ``""`` if none."""
    email = normalize_email(value)
    return email.rsplit("@", 1)[1] if email else ""


def normalize_phone(value, country_code=None, country_phone_code=None):
    """Normalize a phone number to E.164 (``+390212345678``).

    Uses ``phone_validation`` (and the ``phonenumbers`` library when it is
    installed) with the partner's country; falls back to a digit-based rule
    when the number cannot be validated: ``00`` becomes ``+``; a national
    number gets the country's calling code, dropping the trunk ``0`` except
    for Italy where it belongs to the number.  Returns ``""`` for fewer than
    six digits.
    """
    if not value:
        return ""
    text = str(value).strip()
    if phone_format is not None:
        formatted = phone_format(
            text, country_code or None, country_phone_code or None,
            force_format="E164", raise_exception=False,
        )
        if formatted and formatted.startswith("+") and formatted[1:].isdigit():
            return formatted
    digits = _DIGITS.sub("", text)
    if len(digits) < 6:
        return ""
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if not country_phone_code:
        return "+" + digits if len(digits) > 10 else digits
    prefix = str(country_phone_code)
    if digits.startswith(prefix) and len(digits) > 10:
        return "+" + digits
    if prefix != "39":
        digits = digits.lstrip("0")
    return "+" + prefix + digits


def normalize_vat(value, country_code=None):
    """Return the VAT number with its country prefix, upper case, no separators.

    ``"it 123 456 789 01"`` and ``"12345678901"`` (Italian partner) both give
    ``"IT12345678901"``.  The prefix comes from the value when it starts with
    two letters, else from ``country_code``.
    """
    if not value:
        return ""
    compact = re.sub(r"[^0-9A-Z]", "", strip_accents(str(value)).upper())
    if not compact:
        return ""
    if len(compact) > 2 and compact[:2].isalpha():
        return compact
    if country_code:
        return country_code.upper() + compact
    return compact


def vat_is_valid(vat_key):
    """Return True when the normalized VAT passes its country checksum (python-stdnum).

    Unknown countries are reported invalid: we cannot vouch for them.
    """
    if not vat_key or len(vat_key) < 4 or not vat_key[:2].isalpha():
        return False
    country = vat_key[:2].lower()
    if country == "el":
        country = "gr"
    try:
        module = get_cc_module(country, "vat")
    except (ImportError, ValueError):
        module = None
    if module is None:
        return False
    try:
        module.validate(vat_key)
        return True
    except StdnumValidationError:
        try:
            module.validate(vat_key[2:])
            return True
        except StdnumValidationError:
            return False


def normalize_company_registry(value):
    """Company registry number reduced to upper-case letters and digits."""
    if not value:
        return ""
    return re.sub(r"[^0-9A-Z]", "", strip_accents(str(value)).upper())


def normalize_website(value):
    """Reduce a website URL to its host without ``www.``: ``https://WWW.Acme.it/x`` -> ``acme.it``."""
    if not value:
        return ""
    text = str(value).strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if text.startswith("www."):
        text = text[4:]
    return text if "." in text else ""


def name_tokens(value, is_company=False):
    """Tokens of a person or company name, without punctuation and legal forms.

    Legal suffixes (S.r.l., S.p.A., Ltd, GmbH, SARL, Inc., ...) and connectors
    are dropped for companies and, as they never appear in a person name, for
    individuals too. A person's name is read like the scoring reads it
    (:func:`person_name_parts`): courtesy and professional titles dropped ("Dott.",
    "Mrs"), family-name particles glued ("De Luca" and "Deluca" give one word), so
    that the blocking keys built from it agree where the names do.
    """
    if not is_company:
        words = person_name_parts(value)[0]
        if words:
            return [word for word in words if word not in LEGAL_SUFFIXES] or list(words)
    tokens = [tok for tok in simplify(value).split() if tok not in NAME_STOPWORDS]
    kept = [tok for tok in tokens if tok not in LEGAL_SUFFIXES]
    return kept or tokens


def normalize_name(value, is_company=False):
    """Order-independent name key: sorted tokens joined by a space.

    ``"Rossi, Mario"`` and ``"MARIO ROSSI"`` both give ``"mario rossi"``;
    ``"Acme S.r.l."`` gives ``"acme"``.
    """
    return " ".join(sorted(name_tokens(value, is_company=is_company)))


def street_house_number(value):
    """Return the house number of a street (``"Via Roma, 12/A"`` -> ``"12a"``), ``""`` if none."""
    text = simplify(value)
    match = re.search(r"\b(\d+)\s?([a-z])?\b(?!.*\b\d)", text)
    if not match:
        return ""
    return match.group(1).lstrip("0") + (match.group(2) or "")


def normalize_street(value):
    """Canonical street: lower case, no accents, abbreviations expanded, house number last.

    ``"P.zza Garibaldi n. 3"`` -> ``"piazza garibaldi 3"``; ``"12 Main St."`` ->
    ``"main street 12"``.
    """
    if not value:
        return ""
    # glue in-word abbreviations first: "P.zza" -> "pzza", "V.le" -> "vle"
    text = simplify(re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", "", str(value)))
    if not text:
        return ""
    text = re.sub(r"\b(\d+)\s([a-z])\b", r"\1\2", text)
    tokens = text.split()
    # a flat's number ("int. 8", "Flat 3") is dropped when another number is the house number
    units = {index + 1 for index, tok in enumerate(tokens[:-1])
             if tok in STREET_UNIT_WORDS and tokens[index + 1][0].isdigit()}
    if not any(tok[0].isdigit() for index, tok in enumerate(tokens) if index not in units):
        units = set()
    words = []
    numbers = []
    for index, tok in enumerate(tokens):
        if tok in STREET_NOISE or tok in STREET_UNIT_WORDS or index in units:
            continue
        if tok[0].isdigit():
            numbers.append(tok.lstrip("0") or "0")
            continue
        words.append(STREET_ABBREVIATIONS.get(tok, tok))
    return " ".join(words + numbers)


#: Countries whose postal codes are all digits, and how many (general knowledge of the postal systems).
NUMERIC_ZIP_LENGTHS = {
    "AT": 4, "AU": 4, "BE": 4, "BG": 4, "CH": 4, "DK": 4, "HU": 4, "LU": 4, "NO": 4, "NZ": 4, "SI": 4, "ZA": 4,
    "CZ": 5, "DE": 5, "EE": 5, "ES": 5, "FI": 5, "FR": 5, "GR": 5, "HR": 5, "IT": 5, "LT": 5, "MX": 5, "MY": 5,
    "SE": 5, "SK": 5, "TR": 5, "UA": 5, "US": 5, "CN": 6, "IN": 6, "RO": 6, "RU": 6, "SG": 6,
}


def normalize_zip(value, country_code=None):
    """Postal code without spaces or dashes, upper case.

    In a country whose postal codes are all digits (``NUMERIC_ZIP_LENGTHS``) only the digits count,
    and only as many as the country's codes have: a country prefix ("I-20121", "D-10115"), a province
    after the code ("20121 (MI)") and the US ZIP+4 extension ("02134-1234") are dropped; an Italian
    CAP that lost its leading zeros (a spreadsheet export: "187") is padded to 5 digits.
    """
    if not value:
        return ""
    text = re.sub(r"[^0-9A-Z]", "", strip_accents(str(value)).upper())
    length = NUMERIC_ZIP_LENGTHS.get((country_code or "").upper())
    digits = re.sub(r"[^0-9]", "", text)
    if length and digits:
        text = digits[:length]
    if country_code and country_code.upper() == "IT" and text.isdigit() and len(text) < 5:
        text = text.zfill(5)
    return text


#: A province or state code in brackets after a city name: "Messina (ME)", "Albany (NY)".
_CITY_REGION_CODE = re.compile(r"\s*\(\s*[^\W\d_]{1,3}\s*\)\s*$")


def normalize_city(value):
    """City name lower case without accents or punctuation; ``"St."`` / ``"S."`` become ``"saint"``/``"san"``;
    a province or state code in brackets is dropped (``"Messina (ME)"`` is ``"messina"``)."""
    text = simplify(_CITY_REGION_CODE.sub("", value) if isinstance(value, str) else value)
    if not text:
        return ""
    replacements = {"st": "saint", "ste": "sainte", "s": "san"}
    return " ".join(replacements.get(tok, tok) for tok in text.split())


# ---------------------------------------------------------------------------
# Similarities, all in [0, 1]
# ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def trigrams(value):
    """Set of trigrams computed like PostgreSQL ``pg_trgm`` (words padded with two leading and one trailing space)."""
    result = set()
    for word in simplify(value).split():
        padded = "  " + word + " "
        result.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(result)


def trigram_similarity(left, right):
    """``pg_trgm`` ``similarity()``: shared trigrams over all distinct trigrams."""
    if not left or not right:
        return 0.0
    tri_left = trigrams(left)
    tri_right = trigrams(right)
    if not tri_left or not tri_right:
        return 0.0
    common = len(tri_left & tri_right)
    return common / (len(tri_left) + len(tri_right) - common)


def edit_similarity(left, right):
    """1 - normalized optimal-string-alignment distance (typos and adjacent transpositions count 1), by rapidfuzz."""
    if not left or not right:
        return 0.0
    return OSA.normalized_similarity(left, right)


def aligned_token_similarity(tokens_l, tokens_r, scorer):
    """Order-insensitive similarity of two token lists under ``scorer`` (two tokens -> [0, 1]).

    Greedy alignment: every token of the shorter list, longest first, is paired
    with its most similar remaining token of the longer one; the sum is divided
    by the token count of the longer list, so swapped words score like aligned
    ones and an extra or missing word lowers the score. ``0.0`` if a list is empty.
    """
    if not tokens_l or not tokens_r:
        return 0.0
    if len(tokens_l) > len(tokens_r):
        tokens_l, tokens_r = tokens_r, tokens_l
    remaining = list(tokens_r)
    total = 0.0
    for tok in sorted(tokens_l, key=len, reverse=True):
        best_index, best = 0, -1.0
        for index, other in enumerate(remaining):
            sim = scorer(tok, other)
            if sim > best:
                best_index, best = index, sim
        total += best
        remaining.pop(best_index)
    return total / len(tokens_r)


@lru_cache(maxsize=65536)
def token_set_similarity(left, right):
    """Fuzzy token-set similarity of two texts, insensitive to word order.

    Tokens aligned by :func:`aligned_token_similarity` with the edit similarity
    (optimal string alignment, rapidfuzz).
    """
    if left == right:
        return 1.0 if left else 0.0
    return aligned_token_similarity(simplify(left).split(), simplify(right).split(), OSA.normalized_similarity)


def exact_similarity(left, right):
    """1.0 when both keys are non-empty and equal, else 0.0."""
    return 1.0 if left and left == right else 0.0


def phonetic_key(name_key):
    """Order-independent phonetic key of a name key: sorted metaphones of its words (jellyfish).

    ``"mario rossi"`` and ``"rosi mario"`` both give ``"MR RS"``: a typo that
    keeps the sound of every word keeps the key (a blocking key, not a score).
    """
    if not name_key:
        return ""
    codes = {jellyfish.metaphone(tok) or tok for tok in name_key.split() if len(tok) > 1}
    return " ".join(sorted(codes))


def street_parts(street_key):
    """Split a normalized street key (see ``normalize_street``) into ``(words, house_number)``."""
    if not street_key:
        return "", ""
    words, numbers = [], []
    for tok in street_key.split():
        (numbers if tok[0].isdigit() else words).append(tok)
    return " ".join(words), (numbers[-1] if numbers else "")


# ---------------------------------------------------------------------------
# Person names: given and family name
# ---------------------------------------------------------------------------

#: Courtesy and professional titles dropped from person names.
PERSON_TITLES = frozenset(
    """
    sig sigra signor signora sigg signa signorina dott dottssa dottoressa dr prof profssa ing avv rag geom arch
    mr mrs ms miss mx sir dame rev herr frau mme mlle
    """.split()
)

#: Endings of abbreviated titles written with a dot inside ("Sig.ra", "Dott.ssa", "Sig.na").
TITLE_ENDINGS = frozenset(["ra", "ssa", "na"])

#: Family-name particles glued to the next word ("De Luca" and "Deluca", "D'Angelo" and "Dangelo").
NAME_PARTICLES = frozenset(
    "da dal dalla dalle de dei degli del della delle dello di la le lo van von der den du".split())

#: Common given names and their usual short forms and spelling variants (see ``given_names``).
NICKNAMES = dict(given_names.GIVEN_NAME_VARIANTS)

#: nickname or name -> the full names it stands for
_GIVEN_NAME_FORMS = {}


def add_given_name_variants(variants=None, spellings=()):
    """Make given-name words stand for full given names (a seam for a custom module: names of
    another language or region).

    :param dict variants: ``{full name: "short form ..."}`` (words as ``simplify`` gives them)
    :param spellings: strings of space-separated spellings of one name: each stands for the others
    """
    for name, shorts in (variants or {}).items():
        for form in (name, *shorts.split()):
            _GIVEN_NAME_FORMS.setdefault(form, set()).add(name)
    for group in spellings:
        names = group.split()
        for name in names:
            _GIVEN_NAME_FORMS.setdefault(name, set()).update((name, names[0]))
            # the short forms of a spelling stand for the group too
            for form, full_names in _GIVEN_NAME_FORMS.items():
                if name in full_names and form != name:
                    full_names.add(names[0])
    given_name_forms.cache_clear()
    given_name_forms_within_typo.cache_clear()
    given_name_initials.cache_clear()


@lru_cache(maxsize=65536)
def given_name_forms(token):
    """Full given names a given-name word stands for (itself when it is none of the known forms)."""
    return frozenset(_GIVEN_NAME_FORMS.get(token) or (token,))


@lru_cache(maxsize=65536)
def given_name_forms_within_typo(token):
    """Full given names a word stands for, read through a typo when it is none of the known forms:
    the names of the known forms one edit or one swap of two letters away (two edits for words of
    seven letters or more: "pnio" for Pino, Giuseppe; "sallvatire" for Salvatore). A known form
    stands for its own names only: empty for it, and when nothing known is that close."""
    if token in _GIVEN_NAME_FORMS or len(token) < 4:
        return frozenset()
    cutoff = 2 if len(token) >= 7 else 1
    found = process.extract(token, list(_GIVEN_NAME_FORMS), scorer=OSA.distance,
                            score_cutoff=cutoff, limit=None)
    return frozenset(name for form, _distance, _index in found for name in _GIVEN_NAME_FORMS[form])


@lru_cache(maxsize=65536)
def given_name_initials(token):
    """Initials a given-name word may be written as: its own, and the initial of every known form of
    the names it stands for, read through a typo too (:func:`given_name_forms_within_typo`): "p" and
    "b" for Giuseppe (Pino, Beppe), "r" for Dick (Richard), "a" for Tonino (Antonio)."""
    if not token:
        return frozenset()
    names = set(given_name_forms(token)) | given_name_forms_within_typo(token)
    initials = {token[0]}
    initials.update(form[0] for form, full_names in _GIVEN_NAME_FORMS.items() if full_names & names)
    return frozenset(initials)


add_given_name_variants(NICKNAMES, given_names.GIVEN_NAME_SPELLINGS)


def is_known_given_name(token):
    """Whether a word is one of the given names (or short forms) of ``NICKNAMES``."""
    return token in _GIVEN_NAME_FORMS


@lru_cache(maxsize=65536)
def person_name_parts(value):
    """Words of a person's name, titles dropped and family-name particles glued: ``(words, order)``.

    ``order`` is ``"family_first"`` when a comma says so (``"Rossi, Mario"``), else ``""`` (unknown:
    given name first, or swapped, see ``fellegi_sunter.person_name_alignment``).
    """
    if not value:
        return (), ""
    text = str(value).replace("'", "").replace("\u2019", "")  # D'Angelo -> Dangelo
    order = ""
    if "," in text:
        family, given = text.split(",", 1)
        if simplify(family) and simplify(given):
            text, order = f"{family} {given}", "family_first"
    words = []
    pending = ""
    after_title = False
    for tok in simplify(text).split():
        # "Sig.ra", "Dott.ssa": the feminine ending of a title, split off by its dot
        if tok in PERSON_TITLES or tok in NAME_STOPWORDS or (after_title and tok in TITLE_ENDINGS):
            after_title = tok in PERSON_TITLES
            continue
        after_title = False
        if tok in NAME_PARTICLES:
            pending += tok
            continue
        words.append(pending + tok)
        pending = ""
    if pending:
        words.append(pending)
    return tuple(words), order
