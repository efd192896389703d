"""Labeled customer data set with realistic duplicates and hard negatives.

``generate(n_entities, seed)`` returns a list of partner value dicts, each with an
``entity`` key (the ground truth: records of one real customer share it).

Errors injected into duplicates: typos (substitution, deletion, insertion,
transposition), swapped first/last names, missing fields, abbreviations of
legal forms and streets, phone numbers national vs international, a second
e-mail address, VAT with or without prefix and separators, address variants,
case and accent changes.  Hard negatives: homonyms (same name, other person),
relatives at one address (same surname, street, landline), companies with the
same trade name in another city.
"""

import random
import string

from stdnum import luhn
from stdnum.iso7064 import mod_11_10

COUNTRIES = {
    # code: (weight, phone code, cities [(city, zip)], street words, first names, last names)
    "IT": (0.5, "39", [("Milano", "20121"), ("Roma", "00184"), ("Napoli", "80133"), ("Torino", "10121"),
                       ("Bologna", "40121"), ("Firenze", "50122"), ("Forlì", "47121"), ("Cantù", "22063"),
                       ("Bari", "70121"), ("Verona", "37121")],
           ["Via", "Piazza", "Corso", "Viale"],
           ["Mario", "Maria", "Giuseppe", "Giulia", "Luca", "Francesca", "Marco", "Anna", "Paolo", "Chiara",
            "Andrea", "Sara", "Niccolò", "Elena", "Davide", "Martina", "Stefano", "Laura", "Matteo", "Alessia",
            "Fabio", "Federica", "Simone", "Valentina", "Roberto", "Silvia", "Riccardo", "Elisa", "Lorenzo"],
           ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
            "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
            "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini",
            "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis",
            "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Fabbri", "Bianco", "Marini"]),
    "FR": (0.15, "33", [("Paris", "75011"), ("Lyon", "69003"), ("Marseille", "13001"), ("Saint-Étienne", "42000"),
                        ("Toulouse", "31000"), ("Nantes", "44000")],
           ["Rue", "Avenue", "Boulevard", "Place"],
           ["Jean", "Marie", "Pierre", "Sophie", "Luc", "Camille", "Louis", "Léa", "Hugo", "Chloé", "Paul",
            "Manon", "Jules", "Emma", "Thomas", "Inès"],
           ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
            "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]),
    "DE": (0.15, "49", [("Berlin", "10115"), ("München", "80331"), ("Hamburg", "20095"), ("Köln", "50667"),
                        ("Frankfurt am Main", "60311")],
           ["Straße", "Weg", "Allee", "Platz"],
           ["Lukas", "Anna", "Leon", "Lena", "Paul", "Hannah", "Jonas", "Mia", "Felix", "Sophie", "Max", "Laura"],
           ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
            "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf"]),
    "GB": (0.1, "44", [("London", "SW1A 1AA"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 4AP"),
                       ("Bristol", "BS1 4DJ")],
           ["Street", "Road", "Avenue", "Lane"],
           ["James", "Olivia", "Oliver", "Amelia", "Harry", "Isla", "Jack", "Ava", "George", "Emily"],
           ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright"]),
    "US": (0.1, "1", [("New York", "10001"), ("Chicago", "60601"), ("Boston", "02108"), ("Austin", "73301")],
           ["Street", "Avenue", "Road", "Boulevard"],
           ["Michael", "Jennifer", "David", "Linda", "John", "Susan", "Robert", "Karen", "William", "Lisa"],
           ["Miller", "Davis", "Garcia", "Rodriguez", "Martinez", "Anderson", "Taylor", "Thomas", "Moore",
            "Jackson"]),
}
LEGAL_FORMS = {"IT": ["S.r.l.", "S.p.A.", "S.a.s.", "Srl"], "FR": ["SARL", "SAS", "S.A."], "DE": ["GmbH", "AG", "KG"],
               "GB": ["Ltd", "Limited", "PLC"], "US": ["Inc.", "LLC", "Corp."]}
LEGAL_VARIANTS = {"S.r.l.": ["Srl", "SRL", "s.r.l.", ""], "Srl": ["S.r.l.", "SRL", ""], "S.p.A.": ["SpA", "S.P.A.", ""],
                  "S.a.s.": ["Sas", ""], "SARL": ["S.A.R.L.", "Sarl", ""], "SAS": ["S.A.S.", ""],
                  "S.A.": ["SA", ""], "GmbH": ["GMBH", "Gmbh", ""], "AG": [""], "KG": [""],
                  "Ltd": ["Ltd.", "Limited", ""],
                  "Limited": ["Ltd", ""], "PLC": ["plc", ""], "Inc.": ["Inc", "Incorporated", ""],
                  "LLC": ["L.L.C.", ""], "Corp.": ["Corporation", "Corp", ""]}
TRADE_WORDS = ["Meccanica", "Trasporti", "Edilizia", "Alimentari", "Logistica", "Tessile", "Impianti", "Consulting",
               "Systems", "Software", "Foods", "Elettronica", "Servizi", "Costruzioni", "Ottica", "Farmaceutici",
               "Arredamenti", "Energia", "Packaging", "Metalli", "Plastica", "Design", "Motors", "Digital"]
STREET_NAMES = ["Roma", "Garibaldi", "Mazzini", "Verdi", "Dante", "Cavour", "Marconi", "Matteotti", "Vittorio Veneto",
                "Kennedy", "Europa", "della Repubblica", "XX Settembre", "Manzoni", "Leopardi", "Oak", "Maple",
                "Church", "High", "Victoria", "Goethe", "Schiller", "Berliner", "Victor Hugo", "Pasteur", "Jaurès",
                "Lincoln", "Washington", "Park", "Main", "King", "Queen", "Milano", "Torino", "Indipendenza"]
STREET_ABBREV = {"Via": ["V.", "v."], "Piazza": ["P.zza", "P.za"], "Corso": ["C.so"], "Viale": ["V.le"],
                 "Street": ["St.", "St"], "Road": ["Rd", "Rd."], "Avenue": ["Ave", "Av."], "Boulevard": ["Blvd"],
                 "Straße": ["Str.", "Strasse"], "Lane": ["Ln"], "Rue": ["R."], "Place": ["Pl."]}
FREE_MAIL = ["gmail.com", "libero.it", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de", "orange.fr", "virgilio.it"]


def _vat(rng, country):
    if country == "IT":
        base = "".join(rng.choice(string.digits) for _ in range(10))
        return "IT" + base + luhn.calc_check_digit(base)
    if country == "FR":
        siren = rng.randint(100000000, 999999999)
        return "FR%02d%09d" % ((12 + 3 * (siren % 97)) % 97, siren)
    if country == "DE":
        base = str(rng.randint(10000000, 99999999))
        return "DE" + base + mod_11_10.calc_check_digit(base)
    return ""


def _phone(rng, country, mobile=False):
    code = COUNTRIES[country][1]
    if country == "IT":
        national = ("3" + str(rng.randint(20, 99)) + str(rng.randint(1000000, 9999999))) if mobile else (
            "0" + rng.choice(["2", "6", "51", "11", "55", "81"]) + str(rng.randint(1000000, 9999999)))
        return "+%s %s" % (code, national), national
    if country in ("FR", "DE", "GB"):
        national = "0" + ("6" if mobile else "1") + str(rng.randint(10000000, 99999999))
        if country == "DE":
            national = "0" + ("151" if mobile else "30") + str(rng.randint(1000000, 9999999))
        if country == "GB":
            national = "0" + ("7700" if mobile else "20") + str(rng.randint(100000, 999999)).ljust(6, "0")
        return "+%s %s" % (code, national[1:]), national
    national = "%d%d%04d" % (rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999))
    return "+1 %s" % national, "(%s) %s-%s" % (national[:3], national[3:6], national[6:])


def _ascii(text):
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _slug(text):
    return "".join(c for c in _ascii(text).lower() if c.isalnum())


def _typo(rng, word):
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    op = rng.choice(["sub", "del", "ins", "swap"])
    letter = rng.choice("aeiourstnlm")
    if op == "sub":
        return word[:i] + letter + word[i + 1:]
    if op == "del":
        return word[:i] + word[i + 1:]
    if op == "ins":
        return word[:i] + letter + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.records = []
        self.entity_seq = 0

    def _new_entity(self):
        self.entity_seq += 1
        return self.entity_seq

    def _country(self):
        codes = list(COUNTRIES)
        return self.rng.choices(codes, weights=[COUNTRIES[c][0] for c in codes])[0]

    def _address(self, country):
        rng = self.rng
        city, zip_code = rng.choice(COUNTRIES[country][2])
        if zip_code.isdigit():  # a city spans several postal codes
            zip_code = str(int(zip_code) + rng.randint(0, 40)).zfill(len(zip_code))
        kind = rng.choice(COUNTRIES[country][3])
        number = str(rng.randint(1, 180))
        name = rng.choice(STREET_NAMES)
        if country in ("GB", "US"):
            street = f"{number} {name} {kind}"
        elif country == "DE":
            street = f"{name}{kind.lower()} {number}" if kind == "Straße" else f"{name} {kind} {number}"
        elif country == "FR":
            street = f"{number} {kind} {name}"
        else:
            street = f"{kind} {name} {number}" if rng.random() < 0.5 else f"{kind} {name}, {number}"
        return {"street": street, "street_kind": kind, "city": city, "zip": zip_code, "country": country}

    def person(self, country=None, first=None, last=None, household=None):
        rng = self.rng
        country = country or self._country()
        if household:  # a relative: another first name than the household's source person
            first = rng.choice([name for name in COUNTRIES[country][4] if name != household["first"]])
        first = first or rng.choice(COUNTRIES[country][4])
        last = last or rng.choice(COUNTRIES[country][5])
        address = household["address"] if household else self._address(country)
        landline = household["landline"] if household else _phone(rng, country)
        mobile = _phone(rng, country, mobile=True)
        domain = rng.choice(FREE_MAIL)
        email = rng.choice([f"{_slug(first)}.{_slug(last)}{rng.randint(1, 999)}@{domain}",
                            f"{_slug(first)[0]}{_slug(last)}{rng.randint(1, 9999)}@{domain}"])
        record = {
            "entity": self._new_entity(), "is_company": False, "name": f"{first} {last}", "first": first,
            "last": last, "email": email, "mobile": rng.choice(mobile), "phone": rng.choice(landline)
            if rng.random() < 0.5 else False, "landline": landline, "mobile_pair": mobile,
            "vat": False, "company_registry": False, "website": False, **address,
        }
        self.records.append(record)
        return record

    def company(self, country=None, trade=None):
        rng = self.rng
        country = country or self._country()
        trade = trade or f"{rng.choice(COUNTRIES[country][5])} {rng.choice(TRADE_WORDS)}"
        form = rng.choice(LEGAL_FORMS[country])
        domain = f"{_slug(trade)}{self.entity_seq + 1}.{country.lower() if country not in ('US', 'GB') else 'com'}"
        address = self._address(country)
        phone = _phone(rng, country)
        record = {
            "entity": self._new_entity(), "is_company": True, "name": f"{trade} {form}", "trade": trade,
            "form": form, "email": rng.choice(["info", "sales", "amministrazione", "contact"]) + "@" + domain,
            "phone": rng.choice(phone), "landline": phone, "mobile": False, "vat": _vat(rng, country),
            "company_registry": ("%s%07d" % (rng.choice(["MI", "RM", "TO", "HRB", "RCS"]), rng.randint(0, 9999999)))
            if rng.random() < 0.4 else False,
            "website": rng.choice(["https://www.", "http://", "www.", ""]) + domain, **address,
        }
        self.records.append(record)
        return record

    # -- perturbations ---------------------------------------------------
    def duplicate(self, source):
        rng = self.rng
        dup = dict(source)
        ops = rng.sample(self._ops(source), k=rng.choice([1, 2, 2, 3, 3, 4]))
        for op in ops:
            getattr(self, "_op_" + op)(dup)
        self.records.append(dup)
        return dup

    def _ops(self, record):
        common = ["typo_name", "drop_field", "drop_field", "phone_format", "street_variant", "case_accents",
                  "second_email", "typo_street", "drop_address"]
        if record["is_company"]:
            return common + ["legal_form", "vat_format", "vat_format", "website_variant"]
        return common + ["swap_names", "swap_names", "mobile_as_phone", "typo_email"]

    def _op_typo_name(self, rec):
        words = rec["name"].split()
        idx = self.rng.randrange(len(words))
        words[idx] = _typo(self.rng, words[idx])
        rec["name"] = " ".join(words)

    def _op_swap_names(self, rec):
        rec["name"] = self.rng.choice([f"{rec['last']} {rec['first']}", f"{rec['last']}, {rec['first']}",
                                       f"{rec['last'].upper()} {rec['first']}"])

    def _op_drop_field(self, rec):
        fields = [f for f in ("email", "phone", "mobile", "vat", "website", "company_registry") if rec.get(f)]
        if len(fields) > 1:
            rec[self.rng.choice(fields)] = False

    def _op_drop_address(self, rec):
        for key in self.rng.sample(["street", "zip", "city"], k=self.rng.randint(1, 2)):
            rec[key] = False

    def _op_phone_format(self, rec):
        if rec.get("phone") and rec.get("landline"):
            rec["phone"] = rec["landline"][1] if rec["phone"] == rec["landline"][0] else rec["landline"][0]
        if rec.get("mobile") and rec.get("mobile_pair"):
            rec["mobile"] = rec["mobile_pair"][1] if rec["mobile"] == rec["mobile_pair"][0] else rec["mobile_pair"][0]

    def _op_mobile_as_phone(self, rec):
        if rec.get("mobile"):
            rec["phone"], rec["mobile"] = rec["mobile"], False

    def _op_street_variant(self, rec):
        street = rec.get("street")
        if not street:
            return
        kind = rec["street_kind"]
        if kind in STREET_ABBREV and kind in street:
            street = street.replace(kind, self.rng.choice(STREET_ABBREV[kind]), 1)
        if ", " in street:
            street = street.replace(", ", " n. " if self.rng.random() < 0.5 else " ")
        rec["street"] = street

    def _op_typo_street(self, rec):
        if rec.get("street"):
            words = rec["street"].split()
            idx = max(range(len(words)), key=lambda i: len(words[i]))
            words[idx] = _typo(self.rng, words[idx])
            rec["street"] = " ".join(words)

    def _op_case_accents(self, rec):
        rec["name"] = _ascii(rec["name"]).upper() if self.rng.random() < 0.5 else _ascii(rec["name"]).lower()
        if rec.get("city"):
            rec["city"] = _ascii(rec["city"]).upper()

    def _op_second_email(self, rec):
        if rec["is_company"]:
            domain = rec["email"].split("@")[1] if rec.get("email") else "example.com"
            rec["email"] = self.rng.choice(["ordini", "fatture", "office", "admin"]) + "@" + domain
        else:
            rec["email"] = f"{_slug(rec['first'])}{self.rng.randint(10, 99)}@{self.rng.choice(FREE_MAIL)}"

    def _op_typo_email(self, rec):
        if rec.get("email"):
            local, domain = rec["email"].split("@")
            rec["email"] = rec["email"].upper() if self.rng.random() < 0.5 else f" {local}@{domain.upper()} "

    def _op_legal_form(self, rec):
        rec["name"] = f"{rec['trade']} {self.rng.choice(LEGAL_VARIANTS.get(rec['form'], ['']))}".strip()

    def _op_vat_format(self, rec):
        vat = rec.get("vat")
        if vat:
            digits = vat[2:]
            rec["vat"] = self.rng.choice([digits, f"{vat[:2]} {digits[:3]} {digits[3:6]} {digits[6:]}",
                                          vat.lower(), f"{vat[:2]}-{digits}"])

    def _op_website_variant(self, rec):
        if rec.get("website"):
            domain = rec["website"].split("//")[-1].replace("www.", "")
            rec["website"] = self.rng.choice([f"https://www.{domain}/", f"{domain}/contatti", f"HTTP://{domain.upper()}"])

    # -- the data set ----------------------------------------------------
    def build(self, n_entities, dup_rate=0.35, homonym_rate=0.05, household_rate=0.06, company_share=0.4):
        rng = self.rng
        for _ in range(n_entities):
            if rng.random() < company_share:
                source = self.company()
                if rng.random() < homonym_rate:  # same trade name, other company elsewhere
                    self.company(country=source["country"], trade=source["trade"])
            else:
                source = self.person()
                if rng.random() < homonym_rate:
                    self.person(country=source["country"], first=source["first"], last=source["last"])
                if rng.random() < household_rate:
                    household = {"address": {k: source[k] for k in ("street", "street_kind", "city", "zip",
                                                                       "country")},
                                 "landline": source["landline"], "first": source["first"]}
                    relative = self.person(country=source["country"], last=source["last"], household=household)
                    relative["phone"] = source["phone"] or relative["phone"]
            if rng.random() < dup_rate:
                for _copy in range(rng.choice([1, 1, 1, 2])):
                    self.duplicate(source)
        rng.shuffle(self.records)
        return self.records


PROFILES = ("standard", "legacy")


def generate(n_entities, seed=42, profile="standard", **kwargs):
    """Return the labeled records (dicts with ``entity`` = ground-truth id).

    ``profile``: ``"standard"`` (this module: CRM contacts with e-mail, phones, VAT, website) or
    ``"legacy"`` (``generator_legacy``: names and postal addresses only, FEBRL-like corruptions).
    """
    if profile == "legacy":
        import generator_legacy
        return generator_legacy.generate(n_entities, seed=seed, **kwargs)
    if profile != "standard":
        raise ValueError(f"unknown profile {profile!r}, expected one of {PROFILES}")
    return Generator(seed).build(n_entities, **kwargs)
