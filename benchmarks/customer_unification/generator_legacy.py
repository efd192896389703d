"""Labeled "legacy table" data set: private persons and small firms with a name and a postal address only.

``generate(n_entities, seed)`` returns a list of partner value dicts, each with an ``entity``
key (the ground truth: records of one real customer share it), like ``generator.generate``.
Each duplicate also carries ``_errors``, the list of the modifications applied to it
(``_errors`` of an original is empty); run ``python generator_legacy.py [--entities N]`` to
print the measured error rates of a generated set.

What it imitates: customer tables keyed in by hand over years (accounting, shop tills,
old ERPs) and the public record-linkage benchmarks built the same way (FEBRL): no e-mail,
phone, VAT or website; every duplicate derived from an original by a few independent
corruptions, in any field, postcodes and house numbers included.  Nothing here looks at
how the suite's matcher works.

Population (Italy 60 %, United Kingdom 20 %, United States 20 %)

* names drawn from frequency-skewed lists (Zipf-like weights: "Rossi", "Smith" are common),
  plus a long tail of rarer generated surnames; 20 % of Italian persons have a compound given
  name ("Maria Grazia", "Gian Luca");
* a gazetteer of about 1,900 towns per seed (real names for the large cities, generated names
  for the small ones), town sizes Zipf-like, large cities with many postcodes, small towns
  with one; British postcodes per street (outward code per town, inward code per address);
  postcodes are plausible, not real;
* streets from a skewed list ("Via Roma", "High Street" exist in many towns), house numbers
  1-200 with suffixes ("12/A", "12 bis", "Flat 3, 12 ...");
* 15 % of entities are small firms ("Ferramenta Rossi S.n.c.", "Bar Centrale", "Smith & Sons Ltd");
* originals already have gaps: no postcode 4 %, no street 3 %, no city 1 %, surname only 1 %;
* 30 % of records (originals and duplicates alike) come from an upper-case system.

Duplicates (``DUP_RATE`` = 35 % of entities have some)

* copies per duplicated entity: 1 (60 %), 2 (22 %), 3 (10 %), 4 (5 %), 5 (3 %), each derived
  from the original;
* modifications per copy: 1 (25 %), 2 (30 %), 3 (25 %), 4 (12 %), 5 (8 %), each drawn from
  ``ERRORS`` (weights: 45 % name, 25 % street, 15 % postcode, 12 % city, 1 % moved; about 2.4
  modifications per copy once the ones that do not apply are redrawn):
  typos (keyboard neighbour, deletion, insertion, transposition, OCR, double consonant),
  nicknames (Giuseppe -> Peppe/Beppe/Pino, William -> Bill, Margaret -> Peggy ...), given
  name as an initial, surname first ("ROSSI GIUSEPPE"), given name missing, second given
  name dropped, titles ("Sig.", "Dott.", "Mr"), particle variants ("De Luca" / "Deluca",
  "D'Angelo" / "Dangelo"); street abbreviations ("P.zza", "C.so", "St", "Rd"), person names in
  street names shortened ("Via G. Garibaldi"), house number typo or missing, street missing;
  postcode typo (one digit, swap), lost leading zero ("184" for "00184", a spreadsheet export),
  old generic city code ("00100"), ZIP+4, British code without space, postcode missing; city
  typo, abbreviation ("S. Giovanni"), province in brackets, accent as apostrophe ("Forli'"),
  city missing; moved (a new address, only the name links the records).

Hard negatives (other entities that look alike)

* households: 10 % of persons have 1-2 relatives at the same address (same surname, another
  given name; in Italy a spouse keeps her own surname in 30 % of cases), and 0.5 % a son with
  the father's full name at the same address ("Mario Rossi" senior and junior: no field tells
  them apart in such a table, an irreducible error);
* neighbours: 3 % of persons have a namesake relative (same surname) in the same street;
* homonyms: 3 % of persons have a person with the same full name in another town, on top
  of the collisions the skewed name lists produce (common names in large cities);
* firms: 5 % of firms have a firm with the same trade name in another town ("Bar Centrale").
"""

import random
import string
import unicodedata

DUP_RATE = 0.35
COPIES = {1: 0.60, 2: 0.22, 3: 0.10, 4: 0.05, 5: 0.03}
MODIFICATIONS = {1: 0.25, 2: 0.30, 3: 0.25, 4: 0.12, 5: 0.08}
# error -> weight (probability of being drawn for one modification, before the ones that do not apply are skipped)
ERRORS = {
    # name (about 45 %)
    "name_typo": 14, "name_nickname": 6, "name_initial": 4, "name_swap": 8, "name_no_given": 3,
    "name_drop_second": 2, "name_title": 3, "name_particle": 2, "name_case_accents": 3,
    # street (about 25 %)
    "street_typo": 7, "street_abbrev": 7, "street_number_typo": 5, "street_number_missing": 2,
    "street_missing": 4,
    # postcode (about 15 %)
    "zip_typo": 6, "zip_format": 4, "zip_missing": 5,
    # city (about 12 %)
    "city_typo": 4, "city_variant": 4, "city_missing": 4,
    # whole record (about 1 % of modifications, 2-3 % of duplicates)
    "moved": 1,
}
COMPANY_SHARE = 0.15
HOUSEHOLD_RATE = 0.10
JUNIOR_RATE = 0.005
NEIGHBOUR_RATE = 0.03
HOMONYM_RATE = 0.03
FIRM_HOMONYM_RATE = 0.05
UPPER_CASE_SYSTEM = 0.30
ORIGINAL_GAPS = {"zip": 0.04, "street": 0.03, "city": 0.01, "given": 0.01}
COUNTRY_WEIGHTS = {"IT": 0.6, "GB": 0.2, "US": 0.2}

# ---------------------------------------------------------------------------
# names: (name, weight, nicknames)
# ---------------------------------------------------------------------------
IT_MALE = [
    ("Giuseppe", 30, ["Peppe", "Beppe", "Pino", "Peppino"]), ("Giovanni", 25, ["Gianni", "Nanni"]),
    ("Antonio", 25, ["Tonino", "Toni", "Totò"]), ("Mario", 20, []), ("Luigi", 18, ["Gino"]),
    ("Francesco", 18, ["Franco", "Checco", "Cesco"]), ("Angelo", 12, ["Lino"]), ("Vincenzo", 12, ["Enzo"]),
    ("Pietro", 11, ["Piero"]), ("Salvatore", 11, ["Totò", "Turi"]), ("Carlo", 10, []), ("Franco", 9, []),
    ("Domenico", 9, ["Mimmo"]), ("Bruno", 8, []), ("Paolo", 8, []), ("Michele", 8, ["Lele"]),
    ("Giorgio", 7, []), ("Aldo", 6, []), ("Sergio", 6, []), ("Luciano", 6, []), ("Roberto", 7, ["Robi"]),
    ("Alessandro", 7, ["Sandro", "Alex"]), ("Andrea", 7, []), ("Marco", 7, []), ("Luca", 7, []),
    ("Stefano", 6, ["Ste"]), ("Massimo", 6, ["Max"]), ("Maurizio", 5, []), ("Claudio", 5, []),
    ("Raffaele", 5, ["Lello"]), ("Gabriele", 4, ["Lele"]), ("Federico", 4, ["Fede"]),
    ("Emanuele", 4, ["Manu", "Lele"]), ("Daniele", 4, ["Dani"]), ("Leonardo", 3, ["Leo"]),
    ("Lorenzo", 4, ["Renzo"]), ("Riccardo", 4, ["Ricky"]), ("Matteo", 4, []), ("Davide", 4, []),
    ("Simone", 3, []), ("Fabio", 4, []), ("Enrico", 4, ["Chicco"]), ("Filippo", 3, ["Pippo"]),
    ("Nicola", 4, []), ("Gaetano", 3, ["Nino"]), ("Rosario", 3, ["Saro"]), ("Giacomo", 3, ["Giaco"]),
    ("Alberto", 4, ["Berto"]), ("Umberto", 3, []), ("Tommaso", 2, ["Maso"]), ("Niccolò", 1, ["Nicco"]),
    ("Gian Luca", 2, ["Gianluca"]), ("Gian Paolo", 1, ["Gianpaolo"]), ("Pier Luigi", 1, ["Pierluigi"]),
]
IT_FEMALE = [
    ("Maria", 30, []), ("Anna", 18, []), ("Giuseppina", 14, ["Pina", "Peppina"]), ("Rosa", 12, []),
    ("Angela", 10, ["Angelina"]), ("Giovanna", 10, ["Gianna", "Vanna"]), ("Teresa", 9, []),
    ("Lucia", 9, []), ("Carmela", 8, ["Carmen", "Melina"]), ("Caterina", 7, ["Rina", "Katia"]),
    ("Francesca", 8, ["Franca"]), ("Antonella", 6, ["Nella"]), ("Patrizia", 6, ["Patty"]),
    ("Elisabetta", 5, ["Betta", "Lisa"]), ("Margherita", 5, ["Rita"]), ("Roberta", 5, []),
    ("Alessandra", 5, ["Sandra"]), ("Daniela", 5, []), ("Paola", 6, []), ("Laura", 6, []), ("Chiara", 5, []),
    ("Giulia", 5, []), ("Sara", 4, []), ("Silvia", 5, []), ("Elena", 5, []), ("Barbara", 4, []),
    ("Simona", 4, []), ("Federica", 4, ["Fede"]), ("Valentina", 4, ["Vale"]), ("Cristina", 4, ["Cri"]),
    ("Monica", 4, []), ("Manuela", 3, ["Manu"]), ("Concetta", 3, ["Concy", "Tina"]),
    ("Immacolata", 2, ["Imma"]), ("Assunta", 2, ["Susy"]), ("Maria Grazia", 3, ["Mariagrazia", "Grazia"]),
    ("Maria Teresa", 3, ["Mariateresa"]), ("Anna Maria", 3, ["Annamaria"]), ("Maria Rosa", 2, ["Mariarosa"]),
]
EN_MALE = [
    ("James", 20, ["Jim", "Jimmy"]), ("John", 20, ["Jack", "Johnny"]), ("Robert", 18, ["Bob", "Rob", "Bobby"]),
    ("Michael", 18, ["Mike"]), ("William", 16, ["Bill", "Will", "Billy"]), ("David", 16, ["Dave"]),
    ("Richard", 12, ["Rick", "Dick", "Rich"]), ("Joseph", 10, ["Joe"]), ("Thomas", 10, ["Tom", "Tommy"]),
    ("Charles", 9, ["Charlie", "Chuck"]), ("Christopher", 9, ["Chris"]), ("Daniel", 8, ["Dan", "Danny"]),
    ("Matthew", 7, ["Matt"]), ("Anthony", 7, ["Tony"]), ("Edward", 6, ["Ed", "Ted", "Eddie"]),
    ("Andrew", 6, ["Andy", "Drew"]), ("Steven", 6, ["Steve"]), ("Peter", 6, ["Pete"]), ("Paul", 6, []),
    ("Mark", 6, []), ("George", 5, []), ("Kenneth", 4, ["Ken"]), ("Timothy", 4, ["Tim"]),
    ("Alexander", 4, ["Alex"]), ("Samuel", 3, ["Sam"]), ("Benjamin", 3, ["Ben"]), ("Nicholas", 3, ["Nick"]),
    ("Jonathan", 3, ["Jon"]), ("Gary", 3, []), ("Kevin", 3, []), ("Brian", 3, []), ("Harry", 3, []),
]
EN_FEMALE = [
    ("Mary", 18, ["Molly", "Polly"]), ("Patricia", 12, ["Pat", "Patty", "Trish"]),
    ("Jennifer", 11, ["Jen", "Jenny"]), ("Elizabeth", 12, ["Liz", "Beth", "Betty"]), ("Linda", 9, []),
    ("Barbara", 8, ["Barb"]), ("Susan", 9, ["Sue", "Susie"]), ("Margaret", 9, ["Peggy", "Maggie", "Meg"]),
    ("Sarah", 8, []), ("Karen", 7, []), ("Nancy", 5, []), ("Lisa", 6, []), ("Katherine", 6, ["Kate", "Kathy"]),
    ("Deborah", 4, ["Debbie", "Deb"]), ("Rebecca", 4, ["Becky"]), ("Jessica", 5, ["Jess"]),
    ("Victoria", 4, ["Vicky"]), ("Dorothy", 3, ["Dot"]), ("Helen", 5, ["Nell"]), ("Anne", 5, ["Annie"]),
    ("Emma", 4, []), ("Laura", 4, []), ("Sandra", 4, ["Sandy"]), ("Donna", 3, []), ("Carol", 3, []),
    ("Ruth", 3, []), ("Christine", 3, ["Chris"]), ("Alexandra", 2, ["Alex"]), ("Samantha", 2, ["Sam"]),
]
IT_SURNAMES = [
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
    "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
    "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo",
    "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso",
    "Valentini", "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina",
    "Rizzi", "Monti", "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino",
    "Carbone", "Giuliani", "Benedetti", "Barone", "Rossetti", "Caputo", "Montanari", "Guerra", "Palmieri",
    "Bernardi", "Martino", "Fiore", "De Rosa", "Ferretti", "Bellini", "Basile", "Riva", "Donati", "Piras",
    "Vitali", "Battaglia", "Sartori", "Neri", "Costantini", "Milani", "Pagano", "Ruggiero", "Sorrentino",
    "D'Amico", "Orlando", "Damico", "Negri", "Mazzini", "Bassi", "Fumagalli", "Brambilla", "Zanetti",
    "Lo Russo", "Di Stefano", "Di Giacomo", "Dell'Acqua", "La Rosa", "Del Monte", "Mazzoleni", "Cocco",
]
EN_SURNAMES = [
    "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Wilson", "Evans", "Thomas", "Johnson",
    "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall",
    "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper",
    "Morris", "Ward", "Moore", "King", "Watson", "Baker", "Harrison", "Morgan", "Patel", "Young", "Allen",
    "Mitchell", "James", "Anderson", "Phillips", "Lee", "Bell", "Parker", "Davis", "Miller", "Garcia",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanders", "Murphy", "Kelly",
    "O'Brien", "O'Connor", "McDonald", "MacDonald", "McCarthy", "Fitzgerald", "Sullivan", "Bennett", "Gray",
    "Collins", "Stewart", "Campbell", "Murray", "Reid", "Shaw", "Price", "Cook", "Bailey", "Carter",
]
IT_SURNAME_PARTS = (["Bert", "Mor", "Cas", "Pel", "Fer", "Gal", "Mar", "Ross", "Bon", "Cap", "Car", "Ben", "Bal",
                     "Pag", "Vill", "Sal", "Serr", "Giann", "Tad", "Zan", "Lomb", "Bracc", "Franc", "Guid", "Pier",
                     "Nard", "Ang", "Bern", "Dal", "Tur", "Fab", "Vent", "Pul", "Cell", "Ghir", "Marz", "Tosc",
                     "Cort", "Gir", "Pis", "Sant", "Corr", "Mol", "Fin", "Lan", "Brun", "Ciamp", "Spin", "Tess"],
                    ["ini", "elli", "etti", "oni", "ucci", "acci", "otti", "ato", "ari", "ieri", "esi", "one",
                     "ella", "ardi", "olin", "azzi", "ucchi", "ino", "ello", "aro", "ano", "etto", "uzzi"])
EN_SURNAME_PARTS = (["Ash", "Brad", "Crom", "Dar", "Ell", "Fair", "Gold", "Hart", "Haw", "Kings", "Lang", "Mor",
                     "Nor", "Pen", "Red", "Roth", "Shel", "Stan", "Thorn", "Wal", "Wood", "Whit", "Black",
                     "Brook", "Bur", "Cal", "Dun", "Hol", "Lind", "Mid", "Rad", "Sum", "Wes"],
                    ["ley", "ton", "well", "wood", "ford", "field", "by", "son", "man", "worth", "ham", "er",
                     "ington", "more", "stone", "wick", "dale"])

# ---------------------------------------------------------------------------
# places
# ---------------------------------------------------------------------------
# large Italian cities: (name, province, first postcode, number of postcodes, old generic postcode, weight)
IT_CITIES = [
    ("Roma", "RM", 118, 82, "00100", 60), ("Milano", "MI", 20121, 42, "20100", 45),
    ("Napoli", "NA", 80121, 27, "80100", 30), ("Torino", "TO", 10121, 36, "10100", 28),
    ("Palermo", "PA", 90121, 31, "90100", 22), ("Genova", "GE", 16121, 47, "16100", 18),
    ("Bologna", "BO", 40121, 21, "40100", 14), ("Firenze", "FI", 50121, 25, "50100", 13),
    ("Bari", "BA", 70121, 12, "70100", 11), ("Catania", "CT", 95121, 11, "95100", 10),
    ("Venezia", "VE", 30121, 56, "30100", 9), ("Verona", "VR", 37121, 22, "37100", 9),
]
IT_TOWNS = [  # real names of middle-sized towns (postcodes are generated, not theirs)
    ("Messina", "ME"), ("Padova", "PD"), ("Trieste", "TS"), ("Brescia", "BS"), ("Parma", "PR"), ("Taranto", "TA"),
    ("Prato", "PO"), ("Modena", "MO"), ("Reggio Calabria", "RC"), ("Reggio Emilia", "RE"), ("Perugia", "PG"),
    ("Ravenna", "RA"), ("Livorno", "LI"), ("Cagliari", "CA"), ("Foggia", "FG"), ("Rimini", "RN"),
    ("Salerno", "SA"), ("Ferrara", "FE"), ("Sassari", "SS"), ("Latina", "LT"), ("Giugliano in Campania", "NA"),
    ("Monza", "MB"), ("Siracusa", "SR"), ("Pescara", "PE"), ("Bergamo", "BG"), ("Forlì", "FC"), ("Trento", "TN"),
    ("Vicenza", "VI"), ("Terni", "TR"), ("Bolzano", "BZ"), ("Novara", "NO"), ("Piacenza", "PC"), ("Ancona", "AN"),
    ("Andria", "BT"), ("Arezzo", "AR"), ("Udine", "UD"), ("Cesena", "FC"), ("Lecce", "LE"), ("Pesaro", "PU"),
    ("La Spezia", "SP"), ("Alessandria", "AL"), ("Barletta", "BT"), ("Catanzaro", "CZ"), ("Pistoia", "PT"),
    ("Pisa", "PI"), ("Como", "CO"), ("Lucca", "LU"), ("Brindisi", "BR"), ("Treviso", "TV"), ("Busto Arsizio", "VA"),
    ("Sesto San Giovanni", "MI"), ("Pozzuoli", "NA"), ("Varese", "VA"), ("Cinisello Balsamo", "MI"),
    ("Casoria", "NA"), ("Asti", "AT"), ("Caserta", "CE"), ("Gela", "CL"), ("Ragusa", "RG"), ("Pavia", "PV"),
    ("Cremona", "CR"), ("Carpi", "MO"), ("Quartu Sant'Elena", "CA"), ("Lamezia Terme", "CZ"), ("Altamura", "BA"),
    ("Imola", "BO"), ("L'Aquila", "AQ"), ("Massa", "MS"), ("Trapani", "TP"), ("Viterbo", "VT"), ("Cosenza", "CS"),
    ("Potenza", "PZ"), ("Castellammare di Stabia", "NA"), ("Afragola", "NA"), ("Vittoria", "RG"), ("Crotone", "KR"),
    ("Pomezia", "RM"), ("Vigevano", "PV"), ("Carrara", "MS"), ("Caltanissetta", "CL"), ("Viareggio", "LU"),
    ("Fano", "PU"), ("Savona", "SV"), ("Matera", "MT"), ("Legnano", "MI"), ("Acerra", "NA"), ("Marsala", "TP"),
    ("Benevento", "BN"), ("Cantù", "CO"), ("San Giovanni in Persiceto", "BO"), ("Sant'Arcangelo di Romagna", "RN"),
    ("San Donà di Piave", "VE"), ("Santa Maria Capua Vetere", "CE"), ("San Severo", "FG"), ("Faenza", "RA"),
]
IT_TOWN_PARTS = (["San", "Santa", "Castel", "Borgo", "Monte", "Villa", "Ponte", "Torre", "Rocca", "Pieve", "Casal",
                  "Colle", "Poggio", "Valle", "Fonte", "Porto", "Serra", "Bagno", "", "", "", "", "", ""],
                 ["Bruno", "Marino", "Fiore", "Lago", "Franco", "Vito", "Nuovo", "Rotondo", "Alto", "Verde",
                  "Martino", "Lorenzo", "Pietro", "Giorgio", "Michele", "Biagio", "Vecchio", "Rosso", "Bello",
                  "Sereno", "Bianco", "Chiaro", "Rivo", "Cerro", "Fabbro", "Lucido", "Ombroso", "Nevoso"],
                 ["", "", "", "", "d'Adda", "sul Po", "di Sopra", "Superiore", "Inferiore", "al Monte", "a Mare",
                  "in Chianti", "Terme", "Scalo", "Marittimo", "di Romagna", "Canavese", "Lomellina"])
IT_TOWN_SYLLABLES = (["Car", "Ver", "Mon", "Cas", "Bor", "Gal", "Lam", "Ser", "Vel", "Tor", "Fal", "Pen", "Riv",
                      "Sol", "Bar", "Cor", "Mar", "Ol", "Or", "Cam", "Lev", "Bran", "Crev", "Fos", "Gor"],
                     ["ag", "al", "an", "ar", "el", "en", "er", "es", "ig", "il", "in", "ol", "on", "or", "ur",
                      "ec", "az", "ov", "ad"],
                     ["ate", "ano", "ago", "ello", "edo", "ate", "one", "ara", "ena", "ino", "ico", "olo", "uno",
                      "engo", "asco", "esio", "aglia", "eto"])
EN_CITIES_GB = [("London", 60), ("Birmingham", 15), ("Manchester", 12), ("Leeds", 10), ("Glasgow", 10),
                ("Liverpool", 9), ("Bristol", 8), ("Sheffield", 8), ("Edinburgh", 8), ("Cardiff", 6),
                ("Leicester", 6), ("Coventry", 5), ("Nottingham", 5), ("Newcastle upon Tyne", 5), ("Brighton", 5),
                ("Kingston upon Hull", 4), ("Plymouth", 4), ("Stoke-on-Trent", 4), ("Derby", 4),
                ("Southampton", 4), ("St Albans", 2), ("St Helens", 2)]
EN_CITIES_US = [("New York", 50), ("Los Angeles", 30), ("Chicago", 22), ("Houston", 18), ("Phoenix", 13),
                ("Philadelphia", 12), ("San Antonio", 11), ("San Diego", 11), ("Dallas", 10), ("Jacksonville", 7),
                ("Austin", 8), ("Fort Worth", 7), ("San Jose", 7), ("Columbus", 7), ("Charlotte", 7),
                ("Indianapolis", 7), ("San Francisco", 7), ("Seattle", 6), ("Denver", 6), ("Boston", 6),
                ("Saint Louis", 4), ("Saint Paul", 3), ("Fort Lauderdale", 2)]
EN_TOWN_PARTS = (["Ash", "Brook", "Clay", "Elm", "Fair", "Green", "Hamp", "Kings", "Lake", "Mill", "New", "Oak",
                  "Pine", "Red", "Rock", "Spring", "Stan", "West", "East", "North", "South", "Wood", "Whit",
                  "Bridge", "Chester", "Glen", "Har", "Lin", "Marsh", "Stoke", "Wal", "Ched", "Dun", "Bel"],
                 ["ton", "ford", "field", "ville", "bury", "ham", "wick", "by", "worth", "dale", "port", "wood",
                  "mouth", "stead", "ley", "well", "burgh", "chester", "view", "haven"],
                 ["", "", "", "", "", " Heights", " Park", " Springs", " Falls", " on Sea", " Green", " Hill"])

IT_STREET_KINDS = [("Via", 75), ("Piazza", 8), ("Corso", 5), ("Viale", 6), ("Vicolo", 2), ("Largo", 2),
                   ("Località", 2)]
IT_STREET_NAMES = [
    ("Roma", 20), ("Giuseppe Garibaldi", 15), ("Giuseppe Mazzini", 12), ("Giuseppe Verdi", 9),
    ("Dante Alighieri", 9), ("Camillo Cavour", 8), ("Guglielmo Marconi", 9), ("Giacomo Matteotti", 9),
    ("Antonio Gramsci", 7), ("Vittorio Emanuele II", 8), ("XX Settembre", 7), ("IV Novembre", 6),
    ("John Fitzgerald Kennedy", 4), ("della Repubblica", 8), ("Europa", 6), ("San Francesco", 5),
    ("Giovanni Minzoni", 3), ("Aldo Moro", 6), ("dei Mille", 4), ("Alessandro Manzoni", 6),
    ("Giacomo Leopardi", 5), ("Giosuè Carducci", 5), ("Giovanni Pascoli", 5), ("Francesco Petrarca", 4),
    ("Galileo Galilei", 5), ("Alessandro Volta", 5), ("Giacomo Puccini", 4), ("Gioachino Rossini", 4),
    ("Vincenzo Bellini", 3), ("Cristoforo Colombo", 5), ("Trieste", 4), ("Trento", 3), ("Udine", 2),
    ("Milano", 4), ("Torino", 3), ("Napoli", 3), ("Firenze", 3), ("Venezia", 3), ("delle Rose", 3),
    ("dei Tigli", 3), ("dei Pini", 3), ("Fiume", 2), ("Piave", 3), ("Isonzo", 2), ("Monte Grappa", 3),
    ("Nazionale", 3), ("Provinciale", 3), ("della Stazione", 4), ("del Lavoro", 3), ("Papa Giovanni XXIII", 4),
    ("Cesare Battisti", 5), ("Nazario Sauro", 4), ("Fabio Filzi", 2), ("Guglielmo Oberdan", 2),
    ("Amerigo Vespucci", 2), ("Niccolò Machiavelli", 2), ("Giovanni Boccaccio", 2), ("Torquato Tasso", 2),
    ("Ludovico Ariosto", 2), ("Ugo Foscolo", 3), ("Giuseppe Parini", 2), ("Vittorio Alfieri", 2),
    ("dei Caduti", 3), ("della Libertà", 4), ("Martiri della Libertà", 3), ("25 Aprile", 4), ("2 Giugno", 3),
    ("Primo Maggio", 3), ("San Giovanni", 3), ("Sant'Antonio", 3), ("San Rocco", 3), ("Santa Maria", 3),
    ("Umberto I", 4), ("Regina Margherita", 3), ("Enrico Fermi", 3), ("Luigi Einaudi", 3), ("Sandro Pertini", 3),
    ("Don Luigi Sturzo", 2), ("Pier Paolo Pasolini", 1), ("Salvo D'Acquisto", 2), ("Giovanni Falcone", 2),
    ("Paolo Borsellino", 2), ("delle Industrie", 2), ("dell'Artigianato", 2), ("Emilia", 2), ("Aurelia", 1),
]
EN_STREET_NAMES = [("High", 10), ("Station", 7), ("Main", 8), ("Church", 8), ("Park", 7), ("Victoria", 5),
                   ("Green", 4), ("Manor", 4), ("Kings", 4), ("Queens", 4), ("New", 4), ("Mill", 4), ("School", 4),
                   ("Oak", 4), ("Maple", 4), ("Cedar", 3), ("Elm", 4), ("Pine", 3), ("Washington", 4),
                   ("Lincoln", 3), ("Jefferson", 3), ("Lake", 3), ("Hill", 4), ("River", 3), ("North", 3),
                   ("South", 3), ("West", 3), ("Chester", 2), ("York", 3), ("London", 3), ("Albert", 3),
                   ("Grange", 2), ("Windsor", 2), ("Highland", 2), ("Sunset", 2), ("Madison", 2), ("Franklin", 2),
                   ("Saint Mary's", 2), ("Saint John's", 2), ("Mount Pleasant", 2), ("Meadow", 2), ("Orchard", 2)]
EN_STREET_KINDS = [("Street", 30), ("Road", 25), ("Avenue", 12), ("Lane", 10), ("Drive", 8), ("Close", 5),
                   ("Way", 5), ("Court", 3), ("Place", 3), ("Crescent", 3), ("Boulevard", 2)]
STREET_ABBREV = {"Via": ["V.", "v."], "Piazza": ["P.zza", "P.za", "Pza", "P."], "Corso": ["C.so"],
                 "Viale": ["V.le"], "Vicolo": ["V.lo", "Vic."], "Largo": ["L.go"], "Località": ["Loc.", "Loc"],
                 "Street": ["St", "St."], "Road": ["Rd", "Rd."], "Avenue": ["Ave", "Av."], "Lane": ["Ln"],
                 "Drive": ["Dr", "Dr."], "Close": ["Cl"], "Court": ["Ct"], "Place": ["Pl"], "Crescent": ["Cres"],
                 "Boulevard": ["Blvd"], "Way": ["Wy"], "Saint": ["St", "St."], "Mount": ["Mt"], "North": ["N"],
                 "South": ["S"], "West": ["W"], "San": ["S."], "Santa": ["S."], "Sant'": ["S."]}

IT_FIRM_TRADES = ["Ferramenta", "Bar", "Pizzeria", "Autofficina", "Carrozzeria", "Macelleria", "Panificio",
                  "Farmacia", "Tabaccheria", "Edilizia", "Impresa Edile", "Idraulica", "Elettrauto",
                  "Parrucchiera", "Studio Dentistico", "Studio Tecnico", "Trattoria", "Gelateria", "Ottica",
                  "Fioreria", "Lavanderia", "Assicurazioni", "Agenzia Viaggi", "Cartoleria", "Merceria"]
IT_FIRM_FANCY = ["Centrale", "Roma", "Italia", "Moderna", "Del Corso", "La Pace", "Il Sole", "Stella",
                 "Europa", "Da Peppe", "Sport", "Nuova", "San Marco", "Bella Napoli", "Al Duomo"]
IT_LEGAL = {"S.n.c.": ["snc", "SNC", "s.n.c.", ""], "S.a.s.": ["sas", "SAS", ""],
            "S.r.l.": ["srl", "SRL", "s.r.l.", ""], "": [""]}
EN_FIRM_TRADES = ["Plumbing", "Builders", "Electrical", "Dental Practice", "Garage", "Bakery", "Cafe",
                  "Hardware", "Pharmacy", "Salon", "Florist", "Motors", "Roofing", "Carpentry", "Laundry"]
EN_FIRM_FANCY = ["Central", "Village", "Corner", "Riverside", "Oakfield", "Park View", "Station", "Royal",
                 "Market", "Golden", "Sunrise", "Victoria", "Hilltop"]
EN_LEGAL = {"Ltd": ["Ltd.", "Limited", "LTD", ""], "& Sons": ["and Sons", "& Son", ""], "LLC": ["L.L.C.", "llc", ""],
            "Inc.": ["Inc", "Incorporated", ""], "": [""]}

KEYBOARD = {c: n for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm") for i, c in enumerate(row)
            for n in [row[max(i - 1, 0):i] + row[i + 1:i + 2]]}
OCR = [("m", "rn"), ("rn", "m"), ("l", "1"), ("o", "0"), ("i", "l"), ("cl", "d"), ("u", "v"), ("e", "c")]
TITLES = {"IT": ["Sig.", "Sig.ra", "Dott.", "Geom.", "Rag.", "Avv."], "GB": ["Mr", "Mrs", "Ms", "Dr"],
          "US": ["Mr.", "Mrs.", "Ms.", "Dr."]}


def _ascii(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _weighted(rng, items):
    """``items`` = [(value, weight, ...)]: a value drawn with its weight."""
    return rng.choices(items, weights=[item[1] for item in items])[0]


def _zipf_weights(n, s=1.0):
    return [1.0 / (rank + 1) ** s for rank in range(n)]


def typo(rng, word):
    """One keying error in ``word``: keyboard neighbour, deletion, insertion, transposition, OCR or doubling."""
    if len(word) < 3:
        return word
    op = rng.choices(["neighbour", "delete", "insert", "swap", "ocr", "double"], weights=[30, 20, 15, 20, 5, 10])[0]
    i = rng.randint(1, len(word) - 2) if len(word) > 3 else rng.randint(0, len(word) - 1)
    char = word[i]
    if op == "ocr":
        for a, b in rng.sample(OCR, len(OCR)):
            if a in word.lower():
                j = word.lower().index(a)
                return word[:j] + b + word[j + len(a):]
        op = "neighbour"
    if op == "double":
        for j in range(1, len(word)):
            if word[j] == word[j - 1] and word[j].isalpha():
                return word[:j] + word[j + 1:]  # "Mazzini" -> "Mazini"
        op = "insert_same"
    if op == "insert_same":
        return word[:i] + char + word[i:]
    if op == "neighbour" and char.lower() in KEYBOARD:
        repl = rng.choice(KEYBOARD[char.lower()])
        return word[:i] + (repl.upper() if char.isupper() else repl) + word[i + 1:]
    if op == "delete" or op == "neighbour":
        return word[:i] + word[i + 1:]
    if op == "insert":
        near = KEYBOARD.get(char.lower(), "aeio")
        return word[:i] + rng.choice(near) + word[i:]
    if i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i - 1] + word[i] + word[i - 1]


def digit_typo(rng, text):
    """A wrong or swapped digit in ``text`` (postcode, house number)."""
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    if not positions:
        return text
    if len(positions) > 1 and rng.random() < 0.35:
        k = rng.randrange(len(positions) - 1)
        i, j = positions[k], positions[k + 1]
        if text[i] != text[j]:
            return text[:i] + text[j] + text[i + 1:j] + text[i] + text[j + 1:]
    i = rng.choice(positions)
    digit = rng.choice([d for d in string.digits if d != text[i]])
    return text[:i] + digit + text[i + 1:]


class Gazetteer:
    """Towns with postcodes and population weights for one country."""

    def __init__(self, rng, country, n_small):
        self.rng, self.country = rng, country
        self.towns = []  # dicts: name, province, zips, generic, weight
        used = set()
        if country == "IT":
            for name, province, first, count, generic, weight in IT_CITIES:
                zips = [str(first + k).zfill(5) for k in range(count)]
                used.update(zips)
                self.towns.append({"name": name, "province": province, "zips": zips, "generic": generic,
                                   "weight": weight})
            names = [(name, province) for name, province in IT_TOWNS]
            provinces = sorted({p for _n, p in IT_TOWNS})
            seen = {n for n, _p in names} | {c[0] for c in IT_CITIES}
            while len(names) < len(IT_TOWNS) + n_small:
                name = self._it_town_name(rng)
                if name not in seen:
                    seen.add(name)
                    names.append((name, rng.choice(provinces)))
            weights = _zipf_weights(len(names), 0.9)
            for (name, province), weight in zip(names, weights, strict=True):
                zip_code = self._unique(used, lambda: "%05d" % rng.randint(1000, 98199))
                self.towns.append({"name": name, "province": province, "zips": [zip_code], "generic": None,
                                   "weight": weight * 40})
        else:
            big = EN_CITIES_GB if country == "GB" else EN_CITIES_US
            names = [name for name, _w in big]
            seen = set(names)
            while len(names) < len(big) + n_small:
                a, b, c = (rng.choice(part) for part in EN_TOWN_PARTS)
                name = a + b + c
                if name not in seen:
                    seen.add(name)
                    names.append(name)
            weights = [w for _n, w in big] + [w * 15 for w in _zipf_weights(n_small, 0.9)]
            for index, (name, weight) in enumerate(zip(names, weights, strict=True)):
                big_city = index < len(big)
                if country == "GB":
                    area = "".join(c for c in _ascii(name).upper() if c.isalpha())[:2]
                    top = 99 if big_city else 20
                    zips = [self._unique(used, lambda area=area, top=top: f"{area}{rng.randint(1, top)}")
                            for _k in range(12 if big_city else 1)]
                else:
                    first = rng.randint(1000, 99000)
                    zips = [self._unique(used, lambda first=first, big_city=big_city: "%05d" % (
                        first + rng.randint(0, 300 if big_city else 0))) for _k in range(15 if big_city else 1)]
                self.towns.append({"name": name, "province": None, "zips": zips, "generic": None, "weight": weight})
        self._weights = [town["weight"] for town in self.towns]

    @staticmethod
    def _unique(used, make):
        for _attempt in range(1000):
            value = make()
            if value not in used:
                used.add(value)
                return value
        return make()

    @staticmethod
    def _it_town_name(rng):
        if rng.random() < 0.55:
            a, b, c = (rng.choice(part) for part in IT_TOWN_SYLLABLES)
            name = a + b + c
            if rng.random() < 0.2:
                name += " " + rng.choice(IT_TOWN_PARTS[2][4:])
            return name
        a, b, c = (rng.choice(part) for part in IT_TOWN_PARTS)
        return " ".join(part for part in (a, b, c) if part)

    def town(self, exclude=None):
        while True:
            town = self.rng.choices(self.towns, weights=self._weights)[0]
            if town is not exclude:
                return town

    def postcode(self, town):
        zip_code = self.rng.choice(town["zips"])
        if self.country == "GB":  # inward code per street/address
            rng = self.rng
            return f"{zip_code} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
                   f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        return zip_code


class LegacyGenerator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.records = []
        self.entity_seq = 0
        gazetteer_rng = random.Random(seed * 7919 + 1)
        self.places = {"IT": Gazetteer(gazetteer_rng, "IT", 1200), "GB": Gazetteer(gazetteer_rng, "GB", 350),
                       "US": Gazetteer(gazetteer_rng, "US", 350)}
        it_extra = self._generated_surnames(IT_SURNAME_PARTS, 600)
        en_extra = self._generated_surnames(EN_SURNAME_PARTS, 400)
        self.surnames = {"IT": self._skewed(IT_SURNAMES, it_extra), "GB": self._skewed(EN_SURNAMES, en_extra),
                         "US": self._skewed(EN_SURNAMES, en_extra)}

    def _generated_surnames(self, parts, count):
        names = sorted({a + b for a in parts[0] for b in parts[1]})
        self.rng.shuffle(names)
        return names[:count]

    @staticmethod
    def _skewed(common, rare):
        weights = [w * 3 for w in _zipf_weights(len(common), 0.8)] + [0.02] * len(rare)
        return list(zip(common + rare, weights, strict=True))

    def _new_entity(self):
        self.entity_seq += 1
        return self.entity_seq

    # -- originals --------------------------------------------------------
    def _given(self, country, female=None):
        female = self.rng.random() < 0.5 if female is None else female
        if country == "IT":
            return _weighted(self.rng, IT_FEMALE if female else IT_MALE), female
        return _weighted(self.rng, EN_FEMALE if female else EN_MALE), female

    def _street(self, country):
        rng = self.rng
        number = str(min(int(rng.expovariate(1 / 30)) + 1, 250))
        suffix = rng.random()
        if country == "IT":
            kind = _weighted(rng, IT_STREET_KINDS)[0]
            name = _weighted(rng, IT_STREET_NAMES)[0]
            if kind == "Località":
                return {"street": f"Località {rng.choice(IT_TOWN_PARTS[1])}", "street_kind": kind,
                        "street_name": name, "number": ""}
            if suffix < 0.05:
                number += rng.choice(["/A", "/B", "/C", " bis", "a", "/1"])
            elif suffix < 0.08:
                number += f" int. {rng.randint(1, 12)}"
            street = f"{kind} {name} {number}" if rng.random() < 0.7 else f"{kind} {name}, {number}"
        else:
            kind = _weighted(rng, EN_STREET_KINDS)[0]
            name = _weighted(rng, EN_STREET_NAMES)[0]
            street = f"{number} {name} {kind}"
            if suffix < 0.08:
                street = (f"Flat {rng.randint(1, 30)}, " if country == "GB" else "") + street + (
                    f" Apt {rng.randint(1, 20)}{rng.choice('ABCD')}" if country == "US" else "")
        return {"street": street, "street_kind": kind, "street_name": name, "number": number}

    def _address(self, country, town=None, exclude_town=None):
        gazetteer = self.places[country]
        town = town or gazetteer.town(exclude=exclude_town)
        return {**self._street(country), "town": town, "city": town["name"], "zip": gazetteer.postcode(town),
                "country": country}

    def _finish(self, record):
        """Gaps and case of the source system (originals and derived records)."""
        rng = self.rng
        for field in ("zip", "street", "city"):
            if rng.random() < ORIGINAL_GAPS[field]:
                record[field] = False
        if rng.random() < UPPER_CASE_SYSTEM:
            record["upper"] = True
        return record

    def person(self, country=None, given=None, last=None, address=None, exclude_town=None):
        rng = self.rng
        country = country or rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]
        given = given or self._given(country)[0]
        last = last or _weighted(rng, self.surnames[country])[0]
        record = {"entity": self._new_entity(), "is_company": False, "given": given[0], "nicknames": given[2],
                  "last": last, "_errors": []}
        record.update(address or self._address(country, exclude_town=exclude_town))
        if rng.random() < ORIGINAL_GAPS["given"]:
            record["given"] = ""
        self.records.append(self._finish(record))
        return record

    def firm(self, country=None, trade=None, exclude_town=None):
        rng = self.rng
        country = country or rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()))[0]
        if not trade:
            owner = _weighted(rng, self.surnames[country])[0]
            if country == "IT":
                kind = rng.random()
                if kind < 0.45:
                    trade = f"{rng.choice(IT_FIRM_TRADES)} {owner}"
                elif kind < 0.7:
                    trade = f"{owner} {self._given(country)[0][0]} & C."
                else:
                    trade = f"{rng.choice(IT_FIRM_TRADES)} {rng.choice(IT_FIRM_FANCY)}"
                form = rng.choice(list(IT_LEGAL))
            else:
                kind = rng.random()
                trade = f"{owner} {rng.choice(EN_FIRM_TRADES)}" if kind < 0.6 else (
                    f"{rng.choice(EN_FIRM_FANCY)} {rng.choice(EN_FIRM_TRADES)}")
                form = rng.choice(list(EN_LEGAL))
        else:
            trade, form = trade
        record = {"entity": self._new_entity(), "is_company": True, "trade": trade, "form": form, "_errors": []}
        record.update(self._address(country, exclude_town=exclude_town))
        self.records.append(self._finish(record))
        return record

    # -- duplicates -------------------------------------------------------
    def duplicate(self, source):
        rng = self.rng
        dup = dict(source, _errors=[])
        dup["upper"] = rng.random() < UPPER_CASE_SYSTEM
        errors = list(ERRORS)
        weights = [ERRORS[e] for e in errors]
        wanted = rng.choices(list(MODIFICATIONS), weights=list(MODIFICATIONS.values()))[0]
        attempts = 0
        while len(dup["_errors"]) < wanted and attempts < 30:
            attempts += 1
            error = rng.choices(errors, weights=weights)[0]
            if error == "moved" and "moved" in dup["_errors"]:
                continue
            if getattr(self, "_err_" + error)(dup) is not False:
                dup["_errors"].append(error)
        self.records.append(dup)
        return dup

    def _name_field(self, rec):
        return "trade" if rec["is_company"] else ("last" if rec["last"] and self.rng.random() < 0.6 else "given")

    def _err_name_typo(self, rec):
        field = self._name_field(rec)
        words = (rec[field] or "").split()
        if not words:
            return False
        i = max(range(len(words)), key=lambda k: len(words[k]) + self.rng.random() * 4)
        new = typo(self.rng, words[i])
        if new == words[i]:
            return False
        words[i] = new
        rec[field] = " ".join(words)
        return True

    def _err_name_nickname(self, rec):
        if rec["is_company"] or not rec.get("nicknames") or rec["given"] in rec["nicknames"]:
            return False
        rec["given"] = self.rng.choice(rec["nicknames"])
        return True

    def _err_name_initial(self, rec):
        if rec["is_company"] or len(rec["given"]) < 2:
            return False
        rec["given"] = rec["given"][0] + ("." if self.rng.random() < 0.7 else "")
        return True

    def _err_name_swap(self, rec):
        if rec["is_company"]:
            if " & C." in rec["trade"]:
                last, given = rec["trade"].replace(" & C.", "").split(" ", 1)
                rec["trade"] = f"{given} {last} & C."
                return True
            return False
        if rec.get("order") == "last_first" or not rec["given"]:
            return False
        rec["order"] = "last_first"
        rec["comma"] = self.rng.random() < 0.25
        return True

    def _err_name_no_given(self, rec):
        if rec["is_company"]:
            words = rec["trade"].split()
            if len(words) < 3:
                return False
            rec["trade"] = " ".join(words[:-1])  # "Ferramenta Rossi Mario" -> "Ferramenta Rossi"
            return True
        if not rec["given"]:
            return False
        rec["given"] = ""
        return True

    def _err_name_drop_second(self, rec):
        if rec["is_company"]:
            variants = IT_LEGAL.get(rec["form"]) or EN_LEGAL.get(rec["form"]) or [""]
            rec["form"] = self.rng.choice(variants)
            return True
        if " " not in rec["given"]:
            return False
        rec["given"] = rec["given"].split()[self.rng.choice([0, 0, 1])]
        return True

    def _err_name_title(self, rec):
        if rec["is_company"] or rec.get("title"):
            return False
        rec["title"] = self.rng.choice(TITLES[rec["country"]])
        return True

    def _err_name_particle(self, rec):
        field = "trade" if rec["is_company"] else "last"
        value = rec[field]
        for particle in ("De ", "Di ", "Del ", "Della ", "Dell'", "D'", "La ", "Lo ", "O'", "Mc", "Mac"):
            if particle in value:
                repl = self.rng.choice({"D'": ["D", "D ", "D' ", "De "], "Dell'": ["Dell", "Dell' ", "Della "],
                                        "O'": ["O", "O "], "Mc": ["Mac", "Mc "], "Mac": ["Mc"]}.get(
                    particle, [particle.strip(), particle.strip().lower() + " "]))
                rec[field] = value.replace(particle, repl, 1)
                return True
        return False

    def _err_name_case_accents(self, rec):
        field = "trade" if rec["is_company"] else ("given" if rec["given"] and self.rng.random() < 0.5 else "last")
        value = rec[field]
        if any(c in value for c in "àèéìòùÀÈÌÒÙ"):
            rec[field] = _accent_apostrophe(value)
            return True
        if "'" in value:
            rec[field] = value.replace("'", self.rng.choice(["", " ", "`"]))
            return True
        return False

    def _err_street_typo(self, rec):
        if not rec["street"]:
            return False
        words = rec["street"].split()
        idx = [i for i, w in enumerate(words) if len(w) > 3 and not any(c.isdigit() for c in w)]
        if not idx:
            return False
        i = self.rng.choice(idx)
        words[i] = typo(self.rng, words[i])
        rec["street"] = " ".join(words)
        return True

    def _err_street_abbrev(self, rec):
        street = rec["street"]
        if not street:
            return False
        rng = self.rng
        changed = street
        for word, abbreviations in STREET_ABBREV.items():
            if (word + " ") in changed or changed.endswith(" " + word) or (word.endswith("'") and word in changed):
                changed = changed.replace(word + ("" if word.endswith("'") else ""), rng.choice(abbreviations), 1)
                break
        name = rec.get("street_name") or ""
        if " " in name and name.split()[0][0].isupper() and name in changed and rng.random() < 0.6:
            first, rest = name.split(" ", 1)
            changed = changed.replace(name, rng.choice([rest, f"{first[0]}. {rest}"]), 1)
        if ", " in changed and rng.random() < 0.5:
            changed = changed.replace(", ", rng.choice([" n. ", " n.", " N. ", " "]), 1)
        if changed == street:
            return False
        rec["street"] = changed
        return True

    def _err_street_number_typo(self, rec):
        number = rec.get("number")
        if not rec["street"] or not number or number not in rec["street"]:
            return False
        head, _sep, tail = rec["street"].rpartition(number) if rec["country"] == "IT" else (
            "", "", rec["street"])
        if rec["country"] == "IT":
            rec["street"] = head + digit_typo(self.rng, number) + tail
        else:
            rec["street"] = rec["street"].replace(number, digit_typo(self.rng, number), 1)
        return True

    def _err_street_number_missing(self, rec):
        number = rec.get("number")
        if not rec["street"] or not number or number not in rec["street"]:
            return False
        rec["street"] = " ".join(rec["street"].replace(number, "", 1).replace(" ,", "").split()).strip(", ")
        return True

    def _err_street_missing(self, rec):
        if not rec["street"]:
            return False
        rec["street"] = False
        return True

    def _err_zip_typo(self, rec):
        if not rec["zip"]:
            return False
        new = digit_typo(self.rng, rec["zip"])
        if new == rec["zip"]:
            return False
        rec["zip"] = new
        return True

    def _err_zip_format(self, rec):
        zip_code, rng = rec["zip"], self.rng
        if not zip_code:
            return False
        if rec["country"] == "GB":
            rec["zip"] = rng.choice([zip_code.replace(" ", ""), zip_code.lower()])
        elif rec["country"] == "US":
            rec["zip"] = zip_code.lstrip("0") if zip_code.startswith("0") and rng.random() < 0.5 else (
                f"{zip_code}-{rng.randint(1, 9999):04d}")
        elif zip_code.startswith("0") and rng.random() < 0.6:
            rec["zip"] = zip_code.lstrip("0")  # spreadsheet export
        elif rec["town"]["generic"]:
            rec["zip"] = rec["town"]["generic"]  # postcode of the city before 1990s street codes
        else:
            rec["zip"] = f"I-{zip_code}" if rng.random() < 0.5 else f"{zip_code} ({rec['town']['province']})"
        return rec["zip"] != zip_code

    def _err_zip_missing(self, rec):
        if not rec["zip"]:
            return False
        rec["zip"] = False
        return True

    def _err_city_typo(self, rec):
        if not rec["city"] or len(rec["city"]) < 4:
            return False
        words = rec["city"].split()
        i = max(range(len(words)), key=lambda k: len(words[k]))
        words[i] = typo(self.rng, words[i])
        rec["city"] = " ".join(words)
        return True

    def _err_city_variant(self, rec):
        city, rng = rec["city"], self.rng
        if not city:
            return False
        options = []
        for word, abbr in (("San ", "S. "), ("Santa ", "S. "), ("Sant'", "S. "), ("Saint ", "St "),
                           ("Fort ", "Ft "), ("Kingston upon Hull", "Hull"), ("Newcastle upon Tyne", "Newcastle")):
            if word in city:
                options.append(city.replace(word, abbr, 1))
        if any(c in city for c in "àèéìòù"):
            options.append(_accent_apostrophe(city))
        if rec["country"] == "IT" and rec["town"]["province"]:
            options.append(f"{city} ({rec['town']['province']})")
            options.append(f"{city} {rec['town']['province']}")
        if "-" in city:
            options.append(city.replace("-", " "))
        if not options:
            return False
        rec["city"] = rng.choice(options)
        return True

    def _err_city_missing(self, rec):
        if not rec["city"]:
            return False
        rec["city"] = False
        return True

    def _err_moved(self, rec):
        same_town = self.rng.random() < 0.4
        rec.update(self._address(rec["country"], town=rec["town"] if same_town else None))
        return True

    # -- the data set -----------------------------------------------------
    def build(self, n_entities, dup_rate=DUP_RATE):
        rng = self.rng
        for _ in range(n_entities):
            if rng.random() < COMPANY_SHARE:
                source = self.firm()
                if rng.random() < FIRM_HOMONYM_RATE:  # same trade name, another firm elsewhere
                    self.firm(country=source["country"], trade=(source["trade"], source["form"]),
                              exclude_town=source["town"])
            else:
                source = self.person()
                self._hard_negatives(source)
            if rng.random() < dup_rate:
                copies = rng.choices(list(COPIES), weights=list(COPIES.values()))[0]
                for _copy in range(copies):
                    self.duplicate(source)
        rng.shuffle(self.records)
        return [self._render(record) for record in self.records]

    def _hard_negatives(self, source):
        rng, country = self.rng, source["country"]
        address = {k: source[k] for k in ("street", "street_kind", "street_name", "number", "town", "city", "zip",
                                           "country")}
        if rng.random() < HOUSEHOLD_RATE:
            for _relative in range(rng.choice([1, 1, 2])):
                spouse_surname = country == "IT" and rng.random() < 0.3
                given = self._given(country)[0]
                if given[0] == source["given"]:
                    continue
                last = _weighted(rng, self.surnames[country])[0] if spouse_surname else source["last"]
                self.person(country=country, given=given, last=last, address=dict(address))
        if rng.random() < JUNIOR_RATE and source["given"]:
            self.person(country=country, given=(source["given"], 0, source["nicknames"]), last=source["last"],
                        address=dict(address))
        if rng.random() < NEIGHBOUR_RATE and source["street"]:
            neighbour = dict(address, **self._street(country))
            neighbour.update(street=source["street"].replace(source["number"], str(rng.randint(1, 200)), 1)
                             if source["number"] else source["street"])
            self.person(country=country, last=source["last"], address=neighbour)
        if rng.random() < HOMONYM_RATE and source["given"]:
            self.person(country=country, given=(source["given"], 0, source["nicknames"]), last=source["last"],
                        exclude_town=source["town"])

    @staticmethod
    def _render(record):
        """Partner values of the record (the keys the benchmark loader expects)."""
        if record["is_company"]:
            name = f"{record['trade']} {record['form']}".strip()
        else:
            given, last = record["given"], record["last"]
            if not given:
                name = last
            elif record.get("order") == "last_first":
                name = f"{last}, {given}" if record.get("comma") else f"{last} {given}"
            else:
                name = f"{given} {last}"
            if record.get("title"):
                name = f"{record['title']} {name}"
        name = " ".join(name.split())
        street, city = record["street"] or False, record["city"] or False
        if record.get("upper"):
            name, street, city = (_ascii(v).upper() if v else v for v in (name, street, city))
        return {
            "entity": record["entity"], "is_company": record["is_company"], "name": name, "street": street,
            "zip": record["zip"] or False, "city": city, "country": record["country"], "email": False,
            "phone": False, "mobile": False, "vat": False, "company_registry": False, "website": False,
            "_errors": list(record["_errors"]),
        }


def _accent_apostrophe(text):
    """ "Forlì" -> "Forli'" (accents keyed as apostrophes on old terminals)."""
    return "".join(_ascii(c) + "'" if _ascii(c) != c else c for c in text)


def generate(n_entities, seed=42, **kwargs):
    """Return the labeled records (dicts with ``entity`` = ground-truth id)."""
    return LegacyGenerator(seed).build(n_entities, **kwargs)


def describe(records):
    """Counts and measured error rates of a generated set (a list of lines)."""
    import collections
    entities = collections.Counter(r["entity"] for r in records)
    duplicates = [r for r in records if r["_errors"]]
    errors = collections.Counter(e for r in duplicates for e in r["_errors"])
    pairs = sum(n * (n - 1) // 2 for n in entities.values())
    lines = [
        f"records {len(records)}, entities {len(entities)}, with duplicates {sum(n > 1 for n in entities.values())},"
        f" true pairs {pairs}, duplicate records {len(duplicates)}",
        f"distinct cities {len({r['city'] for r in records if r['city']})},"
        f" postcodes {len({r['zip'] for r in records if r['zip']})},"
        f" names {len({r['name'] for r in records})}, firms {sum(r['is_company'] for r in records)}",
        "missing in all records: " + ", ".join(
            f"{f} {sum(not r[f] for r in records) / len(records):.1%}" for f in ("street", "zip", "city")),
        f"modifications per duplicate: {sum(errors.values()) / max(len(duplicates), 1):.2f}",
        "share of duplicates with each modification:",
    ]
    lines += [f"  {error:24s} {count / max(len(duplicates), 1):6.1%}" for error, count in errors.most_common()]
    return lines


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entities", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=0, help="print this many duplicate groups")
    args = parser.parse_args()
    data = generate(args.entities, seed=args.seed)
    print("\n".join(describe(data)))
    if args.sample:
        import collections
        groups = collections.defaultdict(list)
        for r in data:
            groups[r["entity"]].append(r)
        shown = 0
        for group in groups.values():
            if len(group) > 1 and shown < args.sample:
                shown += 1
                for r in group:
                    print("   ", r["name"], "|", r["street"], "|", r["zip"], "|", r["city"], "|", r["_errors"])
                print()
