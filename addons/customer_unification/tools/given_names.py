"""Given names and the short forms and spelling variants that stand for them.

``GIVEN_NAME_VARIANTS`` maps a full given name to the words that may replace it in a customer
record: usual short forms and pet names, and spelling variants of the same name. It is general
knowledge of naming customs (Italian, English, French, German, Spanish and Portuguese names), written
for this module; :func:`customer_unification.tools.normalize.given_name_forms` reads it.

Two full names never match through a short form they share (``Nino`` stands for Giovanni and for
Antonio, which stay two different names): a short form matches the full names it stands for and
their other short forms. A custom module adds entries with
:func:`customer_unification.tools.normalize.add_given_name_variants`.
"""

GIVEN_NAME_VARIANTS = {
    # --- Italian, men --------------------------------------------------------------------------
    "alberto": "berto albi", "alessandro": "sandro ale alex sandrino", "alessio": "ale",
    "alfredo": "fredo dino", "andrea": "andre", "angelo": "lino angiolino", "antonio": "tonino toni toto nino",
    "arturo": "turo", "bartolomeo": "bartolo meo", "benedetto": "betto", "bernardo": "dino nardo",
    "calogero": "lillo lilo", "carlo": "carletto carlino", "cristoforo": "cristo", "daniele": "dani lele",
    "davide": "dado davi", "domenico": "mimmo mimi nico memmo", "edoardo": "edo dodo", "emanuele": "manu lele",
    "enrico": "chicco rico", "ernesto": "tino", "fabrizio": "fabri bicio", "federico": "fede chicco",
    "ferdinando": "nando", "filippo": "pippo pippi", "francesco": "franco checco cecco ciccio cesco",
    "gabriele": "lele gabri", "gaetano": "tano nino", "giacomo": "giaco mino", "gianfranco": "franco",
    "gianluca": "luca", "giorgio": "gio", "giovanni": "gianni nanni vanni nino giannino",
    "girolamo": "momo", "giuseppe": "peppe beppe pino peppino bepi geppetto", "guglielmo": "memmo",
    "ignazio": "nazio", "leonardo": "leo nardo", "lorenzo": "renzo enzo", "luigi": "gigi gino luigino",
    "marcello": "cello", "massimiliano": "max massi", "massimo": "max", "matteo": "teo",
    "maurizio": "mauri", "michele": "lele miki michi", "nicola": "nico", "niccolo": "nicco nico",
    "nicolo": "nicco nico", "orazio": "razio", "pasquale": "lino pasqualino", "pietro": "piero pierino",
    "raffaele": "lello raffa", "riccardo": "ricky rick", "roberto": "berto robi rob", "rosario": "saro charo",
    "salvatore": "toto turi salvo", "santo": "santino", "sebastiano": "seba nello",
    "simone": "simo", "stefano": "ste stefi", "tommaso": "maso tommy", "valentino": "vale",
    "vincenzo": "enzo vince", "vittorio": "vitto",
    # --- Italian, women ------------------------------------------------------------------------
    "alessandra": "sandra ale alex", "angela": "lina angelina", "annunziata": "nunzia", "antonella": "nella",
    "antonietta": "tonia etta", "assunta": "susy susi", "benedetta": "betta", "carmela": "carmen melina lina",
    "caterina": "rina katia cate", "concetta": "tina concy cetta", "cristina": "cri tina", "elena": "ele",
    "elisabetta": "betta elisa lisa", "emanuela": "manu", "federica": "fede", "francesca": "franca fra",
    "gabriella": "gabri ella", "giovanna": "gianna vanna nanna", "giuseppina": "pina peppina giusi",
    "immacolata": "imma", "letizia": "leti", "lucia": "lucy", "manuela": "manu", "margherita": "rita ghita",
    "maria": "mari", "mariagrazia": "grazia", "mariateresa": "teresa", "nunzia": "nunzi", "patrizia": "patty",
    "raffaella": "lella raffa", "rosaria": "rosa", "stefania": "stefi", "teresa": "tessa", "valentina": "vale",
    "veronica": "vero", "vincenza": "enza", "vittoria": "vicky",
    # --- English, men --------------------------------------------------------------------------
    "abraham": "abe", "albert": "al bert bertie", "alexander": "alex sandy alec", "alfred": "alf fred",
    "andrew": "andy drew", "anthony": "tony", "arthur": "art", "benjamin": "ben benny benji",
    "bernard": "bernie", "charles": "charlie chuck chas", "christopher": "chris kit topher",
    "daniel": "dan danny", "david": "dave davy", "dominic": "dom", "donald": "don donny",
    "douglas": "doug", "edward": "ed eddie ted ned", "eugene": "gene", "francis": "frank", "frederick": "fred freddie",
    "gerald": "jerry gerry", "gregory": "greg", "harold": "harry hal", "henry": "harry hank hal",
    "herbert": "herb", "isaac": "ike", "jacob": "jake", "james": "jim jimmy jamie jimmie",
    "jeffrey": "jeff", "jeremy": "jerry", "john": "jack johnny jon", "jonathan": "jon jonny",
    "joseph": "joe joey", "joshua": "josh", "kenneth": "ken kenny", "lawrence": "larry laurie",
    "leonard": "len leo lenny", "louis": "lou", "matthew": "matt", "michael": "mike mick mickey mikey",
    "nathaniel": "nat nate", "nicholas": "nick nicky", "patrick": "pat paddy", "peter": "pete",
    "philip": "phil", "phillip": "phil", "raymond": "ray", "richard": "dick rick ricky rich richie",
    "robert": "bob bobby rob robbie bert", "ronald": "ron ronnie", "samuel": "sam sammy",
    "stanley": "stan", "stephen": "steve", "steven": "steve", "terence": "terry", "theodore": "ted teddy theo",
    "thomas": "tom tommy", "timothy": "tim timmy", "vincent": "vince vinny", "walter": "walt wally",
    "william": "bill billy will willy liam", "zachary": "zach zack",
    # --- English, women ------------------------------------------------------------------------
    "abigail": "abby", "alexandra": "alex sandra sandy lexi", "amanda": "mandy", "ann": "annie nancy",
    "anne": "annie nancy", "barbara": "barb babs", "caroline": "carrie", "catherine": "kate cathy katie cat",
    "christine": "chris tina", "christina": "chris tina", "cynthia": "cindy", "deborah": "deb debbie",
    "dorothy": "dot dottie dolly", "eleanor": "ellie nora nell", "elizabeth": "liz lizzie beth betty bess eliza libby",
    "ellen": "nell ellie", "frances": "fran fanny", "helen": "nell nellie", "jacqueline": "jackie",
    "jennifer": "jen jenny", "jessica": "jess jessie", "judith": "judy", "katherine": "kate kathy katie kitty",
    "kathleen": "kathy kate", "kimberly": "kim", "lucy": "lu", "margaret": "peggy maggie meg marge madge",
    "mary": "molly polly mae", "melissa": "mel missy", "pamela": "pam", "patricia": "pat patty trish tricia",
    "rebecca": "becky becca", "samantha": "sam sammy", "sandra": "sandy", "sarah": "sally",
    "susan": "sue susie", "suzanne": "sue suzy", "theresa": "terry tess", "valerie": "val",
    "victoria": "vicky tori", "virginia": "ginny", "isabel": "izzy bella", "isabella": "izzy bella",
    # --- French, German, Spanish, Portuguese ---------------------------------------------------
    "dominique": "dom", "francois": "franz", "jean": "jeannot", "nicolas": "nico", "philippe": "phil",
    "guillaume": "guigui", "frederic": "fred", "christophe": "chris", "sebastien": "seb", "stephane": "steph",
    "johann": "hans jo", "johannes": "hans jo", "friedrich": "fritz", "heinrich": "heinz", "wolfgang": "wolf",
    "franziska": "franzi", "katharina": "kathi", "josef": "sepp", "jurgen": "jogi",
    "francisco": "paco pancho quico", "jose": "pepe", "manuel": "manolo", "ignacio": "nacho",
    "enrique": "quique", "guadalupe": "lupe", "dolores": "lola", "concepcion": "concha",
    "joao": "joaozinho",
}

#: Spellings of one given name across languages or traditions that records of one customer may carry
#: (a name keyed in by different clerks): every name of a group stands for the others.
GIVEN_NAME_SPELLINGS = (
    "catherine katherine kathryn katharine caterina katharina",
    "stephen steven stefano stephan stefan",
    "philip phillip filippo philipp",
    "nicola nicolo niccolo",
    "jeffrey geoffrey",
    "sara sarah",
    "ann anne anna",
    "isabel isabelle isabella",
    "teresa theresa tereza",
    "elisabetta elisabeth elizabeth",
)
