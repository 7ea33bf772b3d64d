"""The words of questions, by the part of a question they belong to (see ``parser.py``).

A question is read as parts found wherever they stand; these sets say which words make which part.
Words in ``FILLER`` carry no meaning of their own here ("show me", "any", "do I have") and are
dropped once every part has been read; any other word left over is refused by name.
"""

from __future__ import annotations

# --- what the question is about ------------------------------------------------------------------
PHOTO_NOUNS = frozenset(["photo", "photos", "picture", "pictures", "pic", "pics", "image", "images", "shot", "shots",
                         "snapshot", "snapshots", "snap", "snaps", "photograph", "photographs", "foto", "fotos", "selfie",
                         "selfies", "one", "ones", "file", "files"])
VIDEO_NOUNS = frozenset(["video", "videos", "clip", "clips", "movie", "movies", "footage", "film", "films"])
MEDIA_NOUNS = PHOTO_NOUNS | VIDEO_NOUNS
ASKS_FOR_MEDIA = MEDIA_NOUNS - {"one", "ones", "file", "files"}  # words that ask for photos or videos
NEGATIONS = frozenset(["no", "not", "without", "excluding"])  # "no videos": photos only

# --- what is asked -------------------------------------------------------------------------------
COUNT_WORDS = frozenset(["count", "number", "total", "many"])  # "how many", "the number of", "count"
FIRST_WORDS = frozenset(["first", "earliest", "oldest"])
LAST_WORDS = frozenset(["last", "latest", "newest", "recent", "lastest"])  # "most recent"
MOST_WORDS = frozenset(["most", "more", "mostly", "often", "frequently", "usually", "commonly", "top"])
LEAST_WORDS = frozenset(["least", "fewest", "rarest"])
PLACE_KIND_WORDS = {"city": "city", "cities": "city", "town": "city", "towns": "city", "place": "place",
                    "places": "place", "country": "country", "countries": "country", "region": "region",
                    "regions": "region", "state": "region", "states": "region", "location": "place",
                    "locations": "place", "continent": "continent", "continents": "continent"}
TIME_KIND_WORDS = {"year": "year", "years": "year", "month": "month", "months": "month", "day": "day", "days": "day",
                   "date": "day", "dates": "day"}
PERSON_WORDS = frozenset(["person", "people", "persons", "someone", "somebody", "anyone", "anybody", "everyone",
                          "everybody", "friend", "friends", "face", "faces", "guy", "guys", "folks", "family", "who", "whom",
                          "men", "man", "woman", "women", "kid", "kids"])
QUESTION_WORDS = frozenset(["who", "whom", "whose", "what", "when", "where", "which", "how", "why"])
# "is <a> in beach.jpg?", "does beach.jpg show <a>?": a yes/no question starts with an auxiliary
AUXILIARIES = frozenset(["is", "are", "was", "were", "do", "does", "did", "can", "could", "have", "has", "had", "will",
                         "would", "am"])

# --- people --------------------------------------------------------------------------------------
AND_WORDS = frozenset(["and", "&", "plus", "with", "alongside", "together with", "along with", "as well as", "also"])
OR_WORDS = frozenset(["or", "and/or"])
NOT_WORDS = frozenset(["without", "not", "no", "except", "excluding", "minus", "but not", "and not", "but without",
                       "and without", "but no", "and no", "except for", "but except", "other than", "apart from",
                       "never with", "but never", "nor", "neither", "never", "besides", "aside from"])
ONLY_BEFORE = frozenset(["only", "just", "solely", "exclusively"])  # "only <a>", "just <a> and <b>"
ONLY_AFTER = frozenset(["alone", "only", "solo", "by herself", "by himself", "by themselves", "by themself",
                        "without anyone else", "without anybody else", "without others", "without other people",
                        "with nobody else", "with no others", "and nobody else in it", "on their own", "all by herself",
                        "all by himself", "and nobody else around",
                        "on her own", "on his own", "on their own", "and no one else", "and nobody else",
                        "with no one else", "with nobody else", "and nobody", "and no one", "with no one",
                        "with nobody", "no one else", "nobody else", "by itself", "all alone", "on its own"])
SOLO_WORDS = frozenset(["solo", "single", "individual", "lone"])  # "solo photos of <a>"
TOGETHER_WORDS = frozenset(["together", "together with", "both", "jointly", "each other", "one another"])
BOTH_NOT = frozenset(["but not both", "not both", "but never both", "not together", "never together", "but not together"])
NOBODY_WORDS = frozenset(["nobody i know", "no one i know", "noone i know", "nobody known", "no known people",
                          "no known person", "no one known", "no registered people", "nobody registered",
                          "nobody recognised", "nobody recognized", "nobody is recognised", "nobody is recognized",
                          "no one recognised", "no one recognized", "no one is recognised", "no one is recognized",
                          "nobody i've tagged", "nobody tagged", "no one tagged", "nobody named", "no one i've tagged"])
NO_ONE_WORDS = frozenset(["nobody", "no one", "noone", "no people", "no person", "no faces", "no face", "nobody at all",
                          "no one at all", "no people at all", "without people", "without anyone", "without anybody",
                          "without any people", "without a person", "without faces", "without any faces",
                          "not a single person", "not anyone", "empty of people"])
STRANGER_WORDS = frozenset(["strangers", "stranger", "unknown people", "unknown person", "unknown faces", "unknown face",
                            "people i don't know", "people i do not know", "someone i don't know", "someone i do not know",
                            "unrecognised people", "unrecognized people", "unrecognised faces", "unrecognized faces",
                            "unnamed people", "unnamed faces", "unidentified people", "unknowns"])
PERSON_PREPOSITIONS = frozenset(["of", "with", "featuring", "showing", "containing", "including", "having", "starring",
                                 "about"])

# --- time and place ------------------------------------------------------------------------------
TIME_PREPOSITIONS = frozenset(["in", "during", "from", "on", "at", "of", "since", "before", "after", "until", "till",
                               "til", "between", "around", "through", "thru", "throughout", "by", "within", "over",
                               "back", "circa", "ca", "about", "prior", "later", "earlier", "than", "up", "to"])
PLACE_PREPOSITIONS = frozenset(["in", "at", "from", "near", "around", "outside", "inside", "within", "to", "of",
                                "close", "nearby", "by", "across", "throughout", "all over"])
NO_LOCATION = frozenset(["without a location", "without location", "with no location", "no location", "without gps",
                         "with no gps", "no gps", "without a place", "with no place", "unknown location",
                         "unknown place", "without coordinates", "no coordinates", "not geotagged", "without geotag",
                         "without geotags", "without a geotag", "ungeotagged", "missing location", "no place",
                         "without a gps position", "without position", "without a position", "with no position",
                         "no position", "location unknown", "without any location", "with no gps position"])
HAS_LOCATION = frozenset(["with gps", "with a location", "with location", "with a gps position", "with gps data",
                          "with coordinates", "geotagged", "with a place", "with a known location", "that have a location",
                          "that have gps", "which have a location", "having a location", "with location data",
                          "with a geotag", "with geotags"])
NO_DATE = frozenset(["without a date", "without date", "with no date", "no date", "undated", "unknown date",
                     "without exif date", "date unknown", "without any date", "with an unknown date"])
DISTANCE_UNITS_KM = {"km": 1.0, "kms": 1.0, "kilometer": 1.0, "kilometers": 1.0, "kilometre": 1.0, "kilometres": 1.0,
                     "k": 1.0, "mi": 1.609344, "mile": 1.609344, "miles": 1.609344}
# common English words that are also names of listed places, not read as places when lowercase
LOWERCASE_NOT_PLACES = frozenset(["wedding", "bath", "reading", "orange", "split", "mobile", "man", "deal", "best",
                                  "home", "nice", "of", "the", "is", "me", "us", "it", "who", "why", "how", "why",
                                  "today", "date", "mark", "hope", "independence", "liberty", "victoria", "university",
                                  "hospital", "school", "work", "office", "church", "beach", "park", "bar", "party",
                                  "central", "moody", "normal", "republic", "union", "opportunity", "ai", "reunion",
                                  "chad", "jordan", "georgia", "india", "israel", "gold", "temple", "spring", "forest",
                                  "sunrise", "sunset", "dawn", "dusk", "snow", "rain", "paradise", "eden", "sale"])

# --- one photo -----------------------------------------------------------------------------------
POSITION_WORDS = {  # the words of a position in a photo -> the side words ``sides.side`` gives
    "far left": "far left", "far right": "far right", "left": "left", "right": "right", "middle": "middle",
    "center": "middle", "centre": "middle", "leftmost": "far left", "rightmost": "far right",
    "left-most": "far left", "right-most": "far right", "top": "top", "bottom": "bottom",
}
RELATIONS = {  # words of a relation between two people in a photo
    "left of": "left", "to the left of": "left", "on the left of": "left", "on the left side of": "left",
    "right of": "right", "to the right of": "right", "on the right of": "right", "on the right side of": "right",
    "next to": "next", "beside": "next", "by the side of": "next", "alongside": "next",
    "near": "next", "close to": "next", "adjacent to": "next",
}
TAKEN_WORDS = frozenset(["taken", "shot", "made", "captured", "snapped", "photographed", "recorded", "filmed"])

# --- filler: words that never change what a question means here -------------------------------
FILLER = frozenset("""
    a an the my our your all any some every each please pls plz kindly thanks thank you thx
    show shows showing shown me us find found list get give gimme display fetch search look looking pull bring up see
    seen let i want wanna would like to i'd i'm can could will you tell know there here are is was were be been
    do does did have has had got get gotten taken took take that which these those this them they it its in on
    photo photos picture pictures pic pics image images shot shots snapshot snapshots snap snaps photograph photographs
    foto fotos one ones file files stuff things everything anything something of where appear appears appeared
    appearing visible present seen shown pictured photographed featured featuring feature features containing contains contain
    include includes including included having with, also too just exist exists existing available stored saved
    library collection album albums camera roll gallery total altogether overall so far ever yet again now currently
    okay ok hey hi hello well um uh just quick quickly am looking for what we our ours need needs
    mr mrs ms dr prof
    go goes went gone visit visits visited travel travels travelled traveled ever been meet met
    hang hangs hanging hung out recognised recognized identified tagged named usually
    u ya wondering wonder curious trying try hoping alright question quick mind maybe honestly love if whether
    idea listing list
""".split())
# A trip is where (and when) it was: "trip to Tokyo", "my Tokyo trip", "holiday in Paris" are the photos
# in that place (and time); without a place or a time the word is refused (``parser``).
TRIP_WORDS = frozenset(["trip", "trips", "holiday", "holidays", "vacation", "vacations", "vacay", "journey", "getaway",
                        "travels", "tour", "visit", "stay"])
# Of those, the words that may stand alone before a name without making a list of photos wrong
# ("<a> Paris 2020"): a question needs at least one part besides them.
FRAMING = frozenset(["the", "a", "an", "my", "our", "all", "please", "pls", "plz", "kindly", "any", "some", "every",
                     "each", "thanks", "thank", "you", "thx", "hey", "hi", "hello", "okay", "ok", "um", "uh", "well",
                     "so", "now", "alright", "quick", "question", "curious", "honestly", "u", "idea", "maybe"])

# Words that say an action or a state of a person a vision model (or the face engine's geometry for
# talking, facing each other and being next to each other) judges; issue-by-issue new kinds slot
# in here and in ``ACTION_HEADS``.
ACTION_HEADS = frozenset(["wearing", "wears", "wear", "holding", "holds", "hold", "doing", "does", "eating", "drinking",
                          "smiling", "laughing", "hugging", "kissing", "dancing", "talking", "chatting", "sitting",
                          "standing", "walking", "running", "swimming", "playing", "singing", "looking", "facing",
                          "riding", "cooking", "sleeping", "crying", "waving", "reading", "writing", "jumping",
                          "skiing", "surfing", "hiking", "cycling", "driving", "posing", "pointing", "shaking",
                          "having", "in conversation", "side by side", "face to face"])

# --- the people expression's joining words (read_people), and the keywords of what is asked -----
PEOPLE_WORDS = {  # single words of the people expression (after phrases)
    "and": "and", "&": "and", "plus": "and", "with": "with", "alongside": "with", ",": "and", "or": "or", "and/or": "or",
    "without": "not", "not": "not", "no": "not", "except": "not", "excluding": "not", "minus": "not", "nor": "nor",
    "neither": "neither", "either": "either", "both": "both", "only": "only", "just": "only", "solely": "only",
    "exclusively": "only", "alone": "alone", "solo": "solo", "(": "(", ")": ")", "but": "but", "never": "not",
    "besides": "not", "than": "or",
    "together": "together",
}
PEOPLE_PAIRS = {("but", "not"): "not", ("and", "not"): "not", ("but", "without"): "not", ("and", "without"): "not",
                ("but", "no"): "not", ("and", "no"): "not", ("except", "for"): "not", ("but", "except"): "not",
                ("other", "than"): "not", ("apart", "from"): "not", ("aside", "from"): "not", ("together", "with"): "with", ("along", "with"): "with",
                ("as", "well"): "and", ("but", "never"): "not", ("and", "also"): "and"}
KEYWORDS = frozenset(["how", "many", "much", "count", "number", "most", "least", "first", "last", "latest", "newest",
                      "earliest", "oldest", "recent", "when", "where", "who", "whom", "which", "what", "near", "far",
                      "left", "right", "middle", "centre", "center", "top", "bottom", "next", "beside", "times", "time",
                      "often", "else", "together", "alone", "only", "both", "either", "neither", "nor", "without",
                      "except", "describe", "am", "been", "go", "went", "visit", "visited", "travel", "traveled",
                      "travelled", "take", "took", "tagged", "registered", "named", "know", "people", "person"])
