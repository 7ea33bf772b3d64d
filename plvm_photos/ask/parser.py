"""Questions in plain English -> ``Query`` (see ``query.py``), or a one-line refusal.

``parse(text, today)`` reads a question with the LALR(1) grammar in ``grammar.lark``:

1. The tokenizer splits the text into ``<names>``, photo files (an image suffix, quotes or
   ``#123``), known places (longest name after in/at/from/near/around/within ... of, looked up in
   the offline index), years, dates, numbers and words. Framing words (the, a, my, all, please,
   ...) are dropped; every other word is used or the question is refused.
2. A keyword can also be a plain word of an action ("wearing a hat and gloves"): it keeps its
   keyword meaning only where the grammar can use it, judged by the next token (built from the
   parse table) and by the parser's state.
3. The parse table is built by lark from ``grammar.lark`` once and cached as JSON in the user's
   cache folder (``$XDG_CACHE_HOME/plvm-photos``, else ``~/.cache/plvm-photos``); the small
   driver here runs it, so ``plvm-photos ask`` never imports lark once the cache exists.
4. Rule callbacks build the query; times are resolved against the ``today`` argument.

"in X" is read by what X is: a year, month, season or decade is a time, a known place is a
place, an image file is the photo; an unknown capitalised word after in/at/from/near/around is
refused as an unknown place. A lowercase word after an action word is part of the action
("swimming in the sea"), as are the words in ``LOWERCASE_NOT_PLACES`` when written in lowercase.
"""

from __future__ import annotations

import json
import re
import zlib
from datetime import date
from pathlib import Path

from plvm_photos.ask import when as W
from plvm_photos.ask.query import (
    AllOf,
    AnyOf,
    Not,
    Only,
    Person,
    PhotoRef,
    PlaceFilter,
    Query,
    QuestionError,
)
from plvm_photos.user_cache import cache_dir, write_atomically

GRAMMAR = Path(__file__).resolve().parent / "grammar.lark"
TABLE_FORMAT = 2  # bump when the cached table's layout changes
NEAR_RADIUS_KM = 50.0
DISTANCE_UNITS_KM = {"km": 1.0, "kms": 1.0, "kilometer": 1.0, "kilometers": 1.0, "kilometre": 1.0, "kilometres": 1.0, "mi": 1.609344, "mile": 1.609344, "miles": 1.609344}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".png", ".heic", ".heif", ".webp", ".tif", ".tiff", ".gif", ".bmp", ".avif")
FRAMING_WORDS = frozenset(["the", "a", "an", "my", "our", "all", "please", "pls", "plz", "kindly", "any", "some", "every", "each", "thanks"])
EXCLUSION_WORDS = frozenset(["without", "except", "excluding", "not", "no", "minus"])
EXCLUSION_PAIRS = {("but", "not"), ("and", "not"), ("but", "without"), ("and", "without"), ("but", "no"), ("and", "no"), ("except", "for"), ("but", "except")}
CONTRACTIONS = {"'s": "is", "'re": "are"}
CONTRACTED = frozenset(["who", "what", "where", "that", "there", "here"])
RUN_TOGETHER = {"whos": ("who", "is"), "wheres": ("where", "is"), "whats": ("what", "is")}
PLACE_PREPOSITIONS = frozenset(["in", "at", "from", "near", "around"])
TIME_WORDS = frozenset(W.MONTHS) | frozenset(W.SEASONS) | frozenset(["last", "this", "past", "today", "yesterday"])
# common English words that are also names of listed places, not read as places when lowercase
LOWERCASE_NOT_PLACES = frozenset(["wedding", "bath", "reading", "orange", "split", "mobile", "man", "deal", "best"])
# "photos where <a> appears" asks for the photos with <a>, not about an action
PRESENCE_ACTIONS = frozenset(["appears", "appear", "is", "are", "is there", "are there", "shows up", "show up", "is present", "are present", "is visible", "are visible"])
MAX_PLACE_WORDS = 6

EXAMPLES = [
    "where is <billie>?",
    "where's <billie> in ~/Pictures/2019/beach.jpg?",
    "where are <mike> and <susan> in 'party night.jpg'?",
    "where was <mike> last summer?",
    "photos with <obama>",
    "show me pictures of <mike> and <susan>",
    "photos of <mike> or <susan>",
    "photos with <obama> but not <biden>",
    "pics of <mike> without <susan> or <tom>",
    "photos of only <mike> and <susan>",
    "just <billie>",
    "<billie> alone",
    "photos without <mike>",
    "photos with both <mike> and <susan>",
    "photos of either <mike> or <susan>",
    "photos of <mike>, <susan> and <tom>",
    "photos of <mike>, <susan>, or <tom>",
    "photos of (<mike> or <susan>) and <tom>",
    "photos with neither <mike> nor <susan>",
    "images showing <Zoë> and <李雷>",
    "photos of <O'Brien> with <Anne-Marie>",
    "find photos of <mike> and <susan> together please",
    "photos of <mike> or <susan> in Paris last summer",
    "<mike> in 2019 in Japan",
    "how many photos of <mike> were taken in 2020?",
    "how many pictures with <mike> and <susan> do I have?",
    "how many photos are there from last year?",
    "count photos of <mike> since 2020",
    "photos from 2019",
    "photos of <mike> in July 2019",
    "photos of <mike> in july",
    "photos of <mike> from 2018 to 2020",
    "photos of <mike> between 2018 and 2020",
    "photos of <mike> before March 2021",
    "photos of <mike> after March 2021",
    "photos of <mike> on 2021-07-14",
    "photos of <mike> on 14 July 2021",
    "photos of <mike> on July 14, 2021",
    "photos of <mike> this summer",
    "photos of <mike> from summer 2019",
    "photos of <mike> in the winter of 2019",
    "photos of <mike> from last year",
    "photos of <mike> this month",
    "photos of <mike> today",
    "photos from yesterday",
    "photos of <mike> last week",
    "photos of <mike> in the last 30 days",
    "photos of <mike> in the 1990s",
    "photos of <mike> in the 90s",
    "photos in Paris",
    "photos of <mike> in Japan",
    "photos of <mike> in California",
    "photos of <mike> near Tokyo",
    "photos of <mike> within 20 km of Tokyo",
    "photos of <mike> in New York",
    "photos of <mike> in São Paulo",
    "photos of <mike> in the United States",
    "photos of <mike> in the UK",
    "photos of <mike> in USA",
    "photos of <mike> in Paris, Texas",
    "who is in beach.jpg?",
    "who's in #123?",
    "who is in \"summer holiday/day one.JPG\"?",
    "is <obama> in ~/Pictures/2009/inauguration.jpg?",
    "is <mike> or <susan> in 2019/beach.jpg?",
    "are <mike> and <susan> in beach.jpg?",
    "is there <mike> in beach.heic?",
    "does beach.jpg show <mike>?",
    "which person is <mike> in group.png?",
    "which one is <billie> in \"team photo.jpg\"?",
    "who is left of <mike> in group.jpg?",
    "who's standing to the right of <mike> in group.jpg?",
    "who is next to <mike> in group.jpg?",
    "who is beside <mike> in group.jpg?",
    "photos where <mike> and <susan> are talking",
    "how many photos where <mike> is smiling?",
    "photos of <billie> wearing a hat in Paris",
    "is <billie> wearing a hat in beach.jpg?",
    "are <mike> and <susan> dancing in party.jpg?",
    "does <billie> wear glasses in beach.jpg?",
    "what is <billie> wearing?",
    "what are <mike> and <susan> doing in party.jpg?",
    "describe <billie> in beach.jpg",
]


class _Stuck(Exception):
    """The parser cannot use the token at ``index`` (internal; becomes a QuestionError)."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


# --- the parse table ----------------------------------------------------------------------------
class _Rows:
    """The table's rows, each decoded from its flat list on first use: state -> {symbol:
    (0, next state) for a shift or goto | (1, rule index) for a reduce}."""

    def __init__(self, flat: list[list[int]], symbols: list[str]):
        self._flat = flat
        self._symbols = symbols
        self._rows: dict[int, dict] = {}

    def __getitem__(self, state: int) -> dict:
        row = self._rows.get(state)
        if row is None:
            flat, symbols = self._flat[state], self._symbols
            row = self._rows[state] = {symbols[flat[i]]: divmod(flat[i + 1], 2)[::-1] for i in range(0, len(flat), 2)}
        return row

    def __len__(self) -> int:
        return len(self._flat)


class Tables:
    """The LALR table: ``rows``, ``rules`` ([name, alias, expand1, keep flags, size]), start
    and end states, ``keywords`` (literal -> terminal) and ``follow`` (terminal -> terminals that
    can come right after it)."""

    def __init__(self, data: dict):
        self.rows = _Rows(data["states"], data["symbols"])
        self.rules = data["rules"]
        self.start = data["start"]
        self.end = data["end"]
        self.keywords = data["keywords"]
        self.follow = {sym: frozenset(after) for sym, after in data["follow"].items()}


def _cache_file(grammar: bytes) -> Path:
    key = f"{zlib.crc32(grammar):08x}-{len(grammar)}-{TABLE_FORMAT}"
    return cache_dir() / f"ask-grammar-{key}.json"


def build_table_data(grammar: str) -> dict:
    """The LALR table of ``grammar`` as JSON-able data (imports lark: slow, done once)."""
    from lark import Lark
    from lark.lexer import Lexer
    from lark.parsers.lalr_analysis import Shift

    class _TokensFromParser(Lexer):  # tokens come from our tokenizer; lark builds the table only
        def __init__(self, conf):
            pass

        def lex(self, data):
            raise NotImplementedError

    lark = Lark(grammar, parser="lalr", lexer=_TokensFromParser, start="start")
    table = lark.parser.parser.parser.parse_table
    rule_index = {rule: i for i, rule in enumerate(lark.rules)}
    rows = {state: {sym: (0, arg) if action is Shift else (1, rule_index[arg]) for sym, (action, arg) in row.items()} for state, row in table.states.items()}
    symbols = sorted({sym for row in rows.values() for sym in row})
    number = {sym: i for i, sym in enumerate(symbols)}
    flat = [[x for sym, (action, arg) in rows[state].items() for x in (number[sym], arg * 2 + action)] for state in range(len(rows))]
    return {
        "symbols": symbols,
        "states": flat,
        "rules": [[r.origin.name, r.alias, bool(r.options.expand1), [not getattr(s, "filter_out", False) for s in r.expansion], len(r.expansion)] for r in lark.rules],
        "start": table.start_states["start"],
        "end": table.end_states["start"],
        "keywords": {t.pattern.value: t.name for t in lark.terminals if type(t.pattern).__name__ == "PatternStr"},
        "follow": _follow_sets(rows),
    }


def _follow_sets(rows: dict) -> dict[str, list[str]]:
    """Terminal -> the terminals (and $END) acceptable right after shifting it, anywhere."""
    follow: dict[str, set] = {}
    for row in rows.values():
        for sym, (action, arg) in row.items():
            if action == 0 and sym.isupper():
                follow.setdefault(sym, set()).update(s for s in rows[arg] if s.isupper() or s == "$END")
    return {sym: sorted(after) for sym, after in follow.items()}


def _read_or_build_table(grammar: bytes) -> dict:
    path = _cache_file(grammar)
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        pass
    data = build_table_data(grammar.decode("utf-8"))
    try:
        text = json.dumps(data, separators=(",", ":"))
        write_atomically(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
        _remove_stale_tables(path)
    except OSError:
        pass  # an unwritable cache: build again next time
    return data


def _remove_stale_tables(current: Path) -> None:
    """Tables of earlier grammars (another plvm-photos version) are of no further use."""
    for old in current.parent.glob("ask-grammar-*.json"):
        if old != current:
            old.unlink(missing_ok=True)


_TABLES: Tables | None = None


def tables() -> Tables:
    """The parse table, from the cache (or built and cached), loaded once per process."""
    global _TABLES
    if _TABLES is None:
        _TABLES = Tables(_read_or_build_table(GRAMMAR.read_bytes()))
    return _TABLES


# --- tokens -------------------------------------------------------------------------------------
class Tok:
    """A token: its possible terminals (preferred first), the text as written and where, its
    value (a name, PhotoRef, places, number, date) and its lowercased word."""

    __slots__ = ("chosen", "end", "start", "text", "types", "value", "word")

    def __init__(self, types: tuple, text: str, start: int, end: int, value: object = None, word: str = ""):
        self.types, self.text, self.start, self.end = types, text, start, end
        self.value, self.word, self.chosen = value, word, ""

    def __repr__(self) -> str:
        return f"Tok({self.types}, {self.text!r})"


_SCAN = re.compile(
    r"""(?P<person><[^<>]*>)
      |(?P<dquote>"[^"]*"|“[^”]*”)
      |(?P<squote>(?<!\w)'[^']+'(?=[\s?!.,;]|$))
      |(?P<punct>[(),&])
      |(?P<chunk>[^\s<>"“”(),&]+)""",
    re.VERBOSE,
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YEAR_RANGE = re.compile(r"^(\d{4})[-–](\d{4})$")
_DECADE = re.compile(r"^(?:['’]?\d{2}|\d{4})['’]?s$")
_NUMBER = re.compile(r"^(\d+)(?:st|nd|rd|th)?$")
_DISTANCE = re.compile(r"^(\d+)(km|kms|mi)$")
_PHOTO_ID = re.compile(r"^#(\d+)$")
_WORD = re.compile(r"^[^\W\d_][\w'’.\-]*$")
_TRAILING = "?!.:;"


def _raw_tokens(text: str) -> list[Tok]:
    """Split ``text`` into raw tokens (types filled in later); refuses unclosed <, quotes."""
    out, pos = [], 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _SCAN.match(text, pos)
        if match is None:
            raise QuestionError(text[pos:], _unclosed_message(text[pos]))
        out.extend(_raw_from_match(match))
        pos = match.end()
    return out


def _unclosed_message(char: str) -> str:
    if char in "<>":
        return 'a name must be written between < and >, e.g. "<mike>"'
    return "a quote is not closed; put a photo's name between two quotes"


def _raw_from_match(match: re.Match) -> list[Tok]:
    kind, text, start, end = match.lastgroup, match.group(), match.start(), match.end()
    if kind == "person":
        name = text[1:-1].strip()
        if not name:
            raise QuestionError(text, 'a name is empty; write it between < and >, e.g. "<mike>"')
        return [Tok(("PERSON",), text, start, end, value=name)]
    if kind in ("dquote", "squote"):
        inner = text[1:-1].strip()
        if not inner:
            raise QuestionError(text, "the quotes are empty; put a photo's name between them")
        return [_file_token(inner, text, start, end)]
    if kind == "punct":
        return [Tok((), text, start, end, word=text)]
    return _chunk_tokens(text, start)


def _file_token(ref: str, text: str, start: int, end: int) -> Tok:
    photo_id = _PHOTO_ID.match(ref)
    value = PhotoRef(ref, int(photo_id.group(1))) if photo_id else PhotoRef(ref)
    return Tok(("FILE",), text, start, end, value=value)


def _chunk_tokens(text: str, start: int) -> list[Tok]:
    """One chunk of non-space text: a photo file, a word, or a few tokens written together."""
    stripped = text.rstrip(_TRAILING)
    end = start + len(stripped)
    if not stripped:
        return []
    if stripped.lower().endswith(IMAGE_SUFFIXES) or _PHOTO_ID.match(stripped):
        return [_file_token(stripped, stripped, start, end)]
    for split in (_split_contraction, _split_year_range, _split_distance):
        toks = split(stripped, start, end)
        if toks:
            return toks
    return [Tok((), stripped, start, end, word=stripped.lower().rstrip("."))]


def _split_contraction(chunk: str, start: int, end: int) -> list[Tok] | None:
    """"who's" / "whos" -> who is, "where're" -> where are."""
    low = chunk.lower()
    if low in RUN_TOGETHER:
        return [Tok((), chunk, start, end, word=w) for w in RUN_TOGETHER[low]]
    for suffix, full in CONTRACTIONS.items():
        head = low[: -len(suffix)]
        if low.endswith(suffix) and head in CONTRACTED:
            cut = start + len(head)
            return [Tok((), chunk[: len(head)], start, cut, word=head), Tok((), chunk[len(head) :], cut, end, word=full)]
    return None


def _split_year_range(chunk: str, start: int, end: int) -> list[Tok] | None:
    """"2018-2020" -> 2018 DASH 2020."""
    years = _YEAR_RANGE.match(chunk)
    if years is None:
        return None
    middle = start + 4
    first, last = years.groups()
    return [Tok((), first, start, middle, word=first), Tok(("DASH",), "-", middle, middle + 1), Tok((), last, middle + 1, end, word=last)]


def _split_distance(chunk: str, start: int, end: int) -> list[Tok] | None:
    """"20km" -> 20 km."""
    distance = _DISTANCE.match(chunk.lower())
    if distance is None:
        return None
    number, unit = distance.groups()
    cut = start + len(number)
    return [Tok((), number, start, cut, word=number), Tok((), chunk[len(number) :], cut, end, word=unit)]


# --- places -------------------------------------------------------------------------------------
def _is_plain_word(tok: Tok) -> bool:
    return not tok.types and bool(_WORD.match(tok.text))


def _is_capitalised(tok: Tok) -> bool:
    return tok.text[:1].isupper()


def _place_span(toks: list[Tok], first: int, text: str):
    """(last index, places) of the longest known place name starting at ``first``, or None."""
    from plvm_photos.places.geocode import candidates

    last_candidates = []
    index, words = first, 0
    while index < len(toks) and words < MAX_PLACE_WORDS:
        tok = toks[index]
        if tok.text == "," and index + 1 < len(toks) and _is_plain_word(toks[index + 1]):
            index += 1
            continue
        if not _is_plain_word(tok):
            break
        words += 1
        last_candidates.append(index)
        index += 1
    for last in reversed(last_candidates):
        found = candidates(text[toks[first].start : toks[last].end])
        if found:
            return last, found
    return None


def _starts_time(toks: list[Tok], index: int) -> bool:
    tok = toks[index]
    return tok.word in TIME_WORDS or bool(_NUMBER.match(tok.word) or _DECADE.match(tok.word) or _ISO_DATE.match(tok.word))


def _after_action_word(toks: list[Tok], preposition: int, keywords: dict) -> bool:
    previous = toks[preposition - 1] if preposition > 0 else None
    return previous is not None and _is_plain_word(previous) and previous.word not in keywords and previous.word not in FRAMING_WORDS


def _common_word(toks: list[Tok], start: int, last: int, preposition: int, keywords: dict) -> bool:
    """A single lowercase word that is not read as a place: a common English word
    (``LOWERCASE_NOT_PLACES``), or any word after an action word ("swimming in nice water")."""
    tok = toks[start]
    if last != start or _is_capitalised(tok):
        return False
    return tok.word in LOWERCASE_NOT_PLACES or _after_action_word(toks, preposition, keywords)


def _looks_like_a_name(tok: Tok, keywords: dict) -> bool:
    """Capitalised and neither a keyword, a framing word nor a misspelt time word ("Jully")."""
    word = tok.word
    return _is_capitalised(tok) and word not in keywords and word not in FRAMING_WORDS and _near_keyword(word) not in TIME_WORDS


def _unknown_place(toks: list[Tok], first: int, text: str, keywords: dict) -> QuestionError:
    from plvm_photos.places.geocode import near_misses

    last = first
    while last + 1 < len(toks) and _is_plain_word(toks[last + 1]) and _is_capitalised(toks[last + 1]) and toks[last + 1].word not in keywords:
        last += 1
    name = text[toks[first].start : toks[last].end]
    guesses = near_misses(name)
    hint = f' (did you mean {" or ".join(g.describe() for g in guesses)}?)' if guesses else ""
    return QuestionError(name, f'I don\'t know the place "{name}"{hint}; places are cities, regions and countries')


def _place_after(toks: list[Tok], preposition: int, text: str, keywords: dict) -> tuple[Tok | None, int]:
    """The PLACE token right after the preposition at ``preposition`` (with or without a "the":
    "The Hague", "the UK") and the index after it, or (None, index of the next token). Refuses
    an unknown capitalised name there."""
    index = preposition + 1
    first = index + 1 if toks[index].word == "the" and index + 1 < len(toks) else index
    if not _is_plain_word(toks[first]) or _starts_time(toks, first):
        return None, index
    for start in dict.fromkeys((index, first)):
        span = _place_span(toks, start, text)
        if span and not _common_word(toks, start, span[0], preposition, keywords):
            last, places = span
            return Tok(("PLACE",), text[toks[start].start : toks[last].end], toks[start].start, toks[last].end, value=places), last + 1
    if _looks_like_a_name(toks[first], keywords):
        raise _unknown_place(toks, first, text, keywords)
    return None, index


def _mark_places(toks: list[Tok], text: str, keywords: dict) -> list[Tok]:
    """Merge place names after place prepositions into PLACE tokens (``toks`` are raw tokens,
    without types yet)."""
    out, index = [], 0
    while index < len(toks):
        out.append(toks[index])
        if index + 1 < len(toks) and _opens_place(toks, index):
            place, index = _place_after(toks, index, text, keywords)
            if place is not None:
                out.append(place)
        else:
            index += 1
    return out


def _opens_place(toks: list[Tok], index: int) -> bool:
    word = toks[index].word
    if word in PLACE_PREPOSITIONS:
        return True
    previous = toks[index - 1].word if index > 0 else ""
    return (word == "to" and previous == "close") or (word in ("of", "from") and previous in DISTANCE_UNITS_KM)


# --- token types --------------------------------------------------------------------------------
def _typed(tok: Tok, keywords: dict) -> Tok | None:
    """``tok`` with its possible terminals, or None for a framing word."""
    if tok.types:
        return tok
    word = tok.word
    if word in FRAMING_WORDS:
        return None
    types = _special_types(tok) or _word_types(word, keywords)
    tok.types = types
    return tok


def _special_types(tok: Tok) -> tuple | None:
    word = tok.word
    if _ISO_DATE.match(word) or _SLASH_DATE.match(word):
        tok.value = _date_value(word)
        return ("DATE",)
    if _DECADE.match(word):
        return ("DECADE",)
    number = _NUMBER.match(word)
    if number:
        tok.value = int(number.group(1))
        return ("YEAR", "INT") if len(word) == 4 and word.isdigit() else ("INT",)
    return None


def _date_value(word: str) -> tuple[int, int, int]:
    iso = _ISO_DATE.match(word)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    first, second, year = (int(g) for g in _SLASH_DATE.match(word).groups())
    if first <= 12 and second <= 12 and first != second:
        raise QuestionError(word, f'"{word}" could be day/month or month/day; write it as {year}-MM-DD or like "14 July {year}"')
    day, month = (first, second) if first > 12 or first == second else (second, first)
    if month > 12:
        raise QuestionError(word, f'"{word}" is not a date')
    return year, month, day


def _word_types(word: str, keywords: dict) -> tuple:
    types = []
    if word in keywords:
        types.append(keywords[word])
    for table, terminal in ((W.MONTHS, "MONTH"), (W.SEASONS, "SEASON"), (W.PERIODS, "PERIOD"), (DISTANCE_UNITS_KM, "DIST")):
        if word in table:
            types.append(terminal)
    if word.endswith("ing") and len(word) >= 5:
        types.append("GERUND")
    types.append("WORD")
    return tuple(types)


def _merge_exclusions(toks: list[Tok]) -> list[Tok]:
    """"but not", "and without", "except for", "without", ... -> one EXCL token each."""
    out, index = [], 0
    while index < len(toks):
        tok = toks[index]
        pair = (tok.word, toks[index + 1].word) if index + 1 < len(toks) else None
        if pair in EXCLUSION_PAIRS:
            out.append(Tok(("EXCL", "WORD"), f"{tok.text} {toks[index + 1].text}", tok.start, toks[index + 1].end, word=" ".join(pair)))
            index += 2
            continue
        if tok.word in EXCLUSION_WORDS and not tok.types:
            tok.types = ("EXCL", "WORD")
        out.append(tok)
        index += 1
    return out


def _keep_comma(toks: list[Tok], index: int) -> bool:
    """A comma is kept before a name, "(", a year, or "and/or <name>"; other commas are pauses."""
    after = toks[index + 1 : index + 3]
    if not after:
        return False
    if after[0].types == ("PERSON",) or after[0].text == "(" or after[0].word.isdigit():
        return True
    return after[0].word in ("and", "or") and len(after) > 1 and (after[1].types == ("PERSON",) or after[1].text == "(")


def _punct_types(toks: list[Tok], keywords: dict) -> list[Tok]:
    out = []
    for index, tok in enumerate(toks):
        if tok.types or tok.text not in "(),&":
            out.append(tok)
        elif tok.text == ",":
            if _keep_comma(toks, index):
                tok.types = (keywords[","],)
                out.append(tok)
        else:
            tok.word = "and" if tok.text == "&" else tok.text
            tok.types = (keywords[tok.word],)
            out.append(tok)
    return out


def _normalise_words(toks: list[Tok]) -> list[Tok]:
    """"and/or" means "or"."""
    for tok in toks:
        if tok.word == "and/or":
            tok.word = "or"
    return toks


def _prune_by_follow(toks: list[Tok], follow: dict) -> list[Tok]:
    """Drop keyword readings that no reading of the next token can ever follow. The last
    reading (WORD, INT) always stays, so a refusal points at the first token really unused."""
    nexts = [set(tok.types) for tok in toks[1:]] + [{"$END"}]
    for tok, after in zip(toks, nexts):
        if len(tok.types) > 1:
            tok.types = tuple(t for t in tok.types[:-1] if follow.get(t, frozenset()) & after) + tok.types[-1:]
    return toks


def tokenize(text: str) -> list[Tok]:
    """The typed tokens of ``text`` (see the module docstring)."""
    table = tables()
    toks = _normalise_words(_raw_tokens(text))
    toks = _mark_places(toks, text, table.keywords)
    toks = _merge_exclusions(toks)
    toks = _punct_types(toks, table.keywords)
    toks = [typed for tok in toks if (typed := _typed(tok, table.keywords)) is not None]
    return _prune_by_follow(toks, table.follow)


# --- the LALR driver ----------------------------------------------------------------------------
class _Splice(list):
    """Children of an inlined rule (_name or an EBNF helper), spliced into the parent's."""


def _choose(tok: Tok, row: dict) -> str | None:
    return next((t for t in tok.types if t in row), None)


def _reduce(rule: list, values: list, callbacks: Callbacks):
    """The value of a reduced rule, built as lark builds trees: anonymous keyword tokens are
    dropped, rules named _x (and EBNF helpers) are spliced into their parent, a ?rule with one
    child and no alias is that child, any other rule calls its callback."""
    name, alias, expand1, keep, _size = rule
    children = []
    for flag, value in zip(keep, values):
        if flag and isinstance(value, _Splice):
            children.extend(value)
        elif flag:
            children.append(value)
    if name.startswith("_"):
        return _Splice(children)
    if expand1 and alias is None and len(children) == 1:
        return children[0]
    return callbacks.call(alias or name, children)


def run_parser(toks: list[Tok], callbacks: Callbacks):
    """Parse ``toks`` with the LALR table, building values with ``callbacks``."""
    table = tables()
    states, rules = table.rows, table.rules
    stack, values = [table.start], []
    end = Tok(("$END",), "", callbacks.length, callbacks.length)
    for index, tok in enumerate([*toks, end]):
        kind = _choose(tok, states[stack[-1]])
        if kind is None:
            raise _Stuck(index)
        tok.chosen = kind
        while True:
            action, arg = states[stack[-1]][kind]
            if action == 0:
                stack.append(arg)
                values.append(tok)
                break
            rule = rules[arg]
            size = rule[4]
            children = values[len(values) - size :] if size else []
            del stack[len(stack) - size :], values[len(values) - size :]
            values.append(_reduce(rule, children, callbacks))
            stack.append(states[stack[-1]][rule[0]][1])
            if kind == "$END" and stack[-1] == table.end:
                return values[-1]
            if kind not in states[stack[-1]]:
                raise _Stuck(index)
    raise _Stuck(len(toks))


RETRIES = 8


def run_parser_retrying(toks: list[Tok], callbacks) -> object:
    """``run_parser``, where a keyword reading that leads to a dead end a few tokens later is read
    as a plain word instead and the parse tried again. LALR(1) picks a token's reading looking at
    one token after it: in "photos where <a> and <b> are next to each other", "are" fits the start
    of "are taken in 2019" until "next" shows it was a word of the action. When no retry parses,
    the first dead end is reported, with the readings as they were (the refusal explains it)."""
    original = [tok.types for tok in toks]
    first: _Stuck | None = None
    for attempt in range(RETRIES + 1):
        for tok in toks:
            tok.chosen = ""
        try:
            return run_parser(toks, callbacks())
        except _Stuck as stuck:
            first = first or stuck
            chosen = [j for j in range(min(stuck.index, len(toks) - 1), max(-1, stuck.index - 4), -1)
                      if toks[j].chosen and toks[j].chosen != toks[j].types[-1]]
            if not chosen or attempt == RETRIES:
                break
            tok = toks[chosen[0]]
            tok.types = tuple(t for t in tok.types if t != tok.chosen)
    for tok, types in zip(toks, original):
        tok.types = types
    raise first


# --- building the query -------------------------------------------------------------------------
class _Time:
    """A time filter on its way to the query."""

    def __init__(self, range):
        self.range = range


class _Action:
    """The action words, as written."""

    def __init__(self, text: str):
        self.text = text


class _Relation:
    """left | right | next."""

    def __init__(self, name: str):
        self.name = name


class _Excluded:
    """People after "but not", "without", ...: they must not be in the photo."""

    def __init__(self, expr):
        self.expr = expr


PEOPLE_TYPES = (Person, AllOf, AnyOf, Not, Only)


def _flatten(kind, items) -> tuple:
    """Items, with those of nested ``kind`` expressions lifted: (a and b) and c -> a, b, c."""
    out = []
    for item in items:
        if isinstance(item, kind):
            out.extend(item.items)
        else:
            out.append(item)
    return tuple(out)


def _person(item):
    return Person(item.value) if isinstance(item, Tok) else item


class Callbacks:
    """Rule callbacks: each named after a rule or alias in grammar.lark."""

    def __init__(self, text: str, today: date):
        self.text = text
        self.reference_day = today
        self.length = len(text)

    def call(self, name: str, children: list):
        return getattr(self, name)(children)

    # questions
    def start(self, c):
        return c[0]

    def list_photos(self, c):
        return self._query("list", c)

    def visual_list(self, c):
        action = next((x for x in c if isinstance(x, _Action)), None)
        if action is not None and action.text.lower() in PRESENCE_ACTIONS:
            return self._query("list", [x for x in c if x is not action])
        return self._query("visual_yes_no", c)

    def count_photos(self, c):
        return self._query("count", c)

    def visual_count(self, c):
        action = next((x for x in c if isinstance(x, _Action)), None)
        if action is not None and action.text.lower() in PRESENCE_ACTIONS:
            return self._query("count", [x for x in c if x is not action])
        return self._query("visual_count", c)

    def where(self, c):
        return self._query("where", c)

    def which(self, c):
        return self._query("which", c)

    def who(self, c):
        return self._query("who", c)

    def is_in(self, c):
        return self._query("is_in", c)

    is_in_file_first = is_in

    def relative(self, c):
        return self._query("relative", c)

    def yes_no(self, c):
        return self._query("visual_yes_no", c)

    yes_no_do = yes_no

    def open_question(self, c):
        return self._query("visual_open", c)

    def describe_question(self, c):
        return self._query("visual_open", [*c, _Action("describe")])

    def _query(self, intent: str, children: list) -> Query:
        parts = {"people": [], "time": [], "place": [], "photo": [], "relation": [], "action": [], "excluded": []}
        for child in children:
            parts[_part_name(child)].append(_part_value(child))
        for name in ("time", "place"):
            if len(parts[name]) > 1:
                raise QuestionError(self.text, f"the question gives more than one {name}; give one, e.g. \"in July 2019\" or \"in Paris\"")
        people = parts["people"] + [Not(excluded) for excluded in parts["excluded"]]
        people = [AllOf(_flatten(AllOf, people))] if len(people) > 1 else people
        return Query(
            intent=intent,
            people=people[0] if people else None,
            time=(parts["time"] or [None])[0],
            place=(parts["place"] or [None])[0],
            photo=(parts["photo"] or [None])[0],
            relation=(parts["relation"] or [None])[0],
            action=(parts["action"] or [None])[0],
            text=self.text,
        )

    # people
    def selection(self, c):
        return c[0]

    def people(self, c):
        positive = [x for x in c if not isinstance(x, _Excluded)]
        negative = [Not(x.expr) for x in c if isinstance(x, _Excluded)]
        items = positive + negative
        return items[0] if len(items) == 1 else AllOf(_flatten(AllOf, items))

    def person(self, c):
        return Person(c[0].value)

    def or_expr(self, c):
        return AnyOf(_flatten(AnyOf, c))

    any_of = or_expr

    def and_expr(self, c):
        return AllOf(_flatten(AllOf, [_person(x) for x in c]))

    def all_of(self, c):
        return AllOf(_flatten(AllOf, [_person(x) for x in c]))

    def only(self, c):
        return Only(tuple(dict.fromkeys(Person(t.value) for t in c)))

    def exclusion(self, c):
        items = [x for x in c if not (isinstance(x, Tok) and x.chosen == "EXCL")]
        return _Excluded(items[0] if len(items) == 1 else AnyOf(_flatten(AnyOf, items)))

    def excluded(self, c):
        return c[0] if len(c) == 1 else AnyOf(_flatten(AnyOf, c))

    # actions and relations
    def action(self, c):
        return _Action(self.text[c[0].start : c[-1].end])

    gerund_action = action

    def left(self, c):
        return _Relation("left")

    def right(self, c):
        return _Relation("right")

    def next(self, c):
        return _Relation("next")

    # time
    def time_at(self, c):
        return _Time(c[0])

    def span(self, c):
        points = [x for x in c if not isinstance(x, Tok)]
        return _Time(W.span(points[0], points[1]))

    def before(self, c):
        return _Time(W.before(c[0]))

    def after(self, c):
        return _Time(W.after(c[0]))

    def since(self, c):
        return _Time(W.since(c[0]))

    def until(self, c):
        return _Time(W.until(c[0]))

    def decade(self, c):
        return W.decade_range(c[0].text, self.reference_day)

    def year(self, c):
        return W.year_range(W.check_year(c[0].value, c[0].text))

    def month_year(self, c):
        return W.month_range(c[1].value, W.month_number(c[0].word))

    def recent_month(self, c):
        return W.recent_month(W.month_number(c[0].word), self.reference_day)

    def date(self, c):
        return W.day_range(*c[0].value)

    def day_month(self, c):
        day, month = c[0].value, W.month_number(c[1].word)
        return W.day_range(c[2].value, month, day) if len(c) > 2 else W.recent_day(month, day, self.reference_day)

    def month_day_year(self, c):
        return W.day_range(c[-1].value, W.month_number(c[0].word), c[1].value)

    def month_day(self, c):
        return W.recent_day(W.month_number(c[0].word), c[1].value, self.reference_day)

    def season_year(self, c):
        return W.season_range(c[0].word, c[-1].value)

    def last_season(self, c):
        return W.last_season(c[-1].word, self.reference_day)

    def this_season(self, c):
        return W.this_season(c[-1].word, self.reference_day)

    def today(self, c):
        return W.today_range(self.reference_day)

    def yesterday(self, c):
        return W.yesterday_range(self.reference_day)

    def last_period(self, c):
        return W.calendar_period("last", c[-1].word, self.reference_day)

    def this_period(self, c):
        return W.calendar_period("this", c[-1].word, self.reference_day)

    def rolling(self, c):
        return W.rolling(c[-2].value, c[-1].word, self.reference_day)

    def rolling_one(self, c):
        return W.rolling(1, c[-1].word, self.reference_day)

    # place
    def in_place(self, c):
        from plvm_photos.places.geocode import city_radius_km

        place, *others = c[-1].value
        radius = city_radius_km(place.population) if place.level == "city" else None
        return PlaceFilter("in", place, radius, tuple(others))

    def near_place(self, c, radius: float = NEAR_RADIUS_KM):
        place, *others = c[-1].value
        if place.level != "city":
            raise QuestionError(c[-1].text, f'"near" needs a city and {place.describe()} is a {place.level}; ask "in {c[-1].text}"')
        return PlaceFilter("near", place, radius, tuple(others))

    def within_place(self, c):
        distance, unit = c[0].value, c[1].word
        if not 0 < distance <= 20000:
            raise QuestionError(f"{distance} {unit}", f"{distance} {unit} is out of range")
        return self.near_place(c, round(distance * DISTANCE_UNITS_KM[unit], 3))


def _part_name(child) -> str:
    if isinstance(child, PEOPLE_TYPES):
        return "people"
    if isinstance(child, Tok):
        return "people" if child.chosen == "PERSON" else "photo"
    return {_Time: "time", PlaceFilter: "place", _Relation: "relation", _Action: "action", _Excluded: "excluded"}[type(child)]


def _part_value(child):
    if isinstance(child, Tok):
        return Person(child.value) if child.chosen == "PERSON" else child.value
    if isinstance(child, _Time):
        return child.range
    if isinstance(child, _Relation):
        return child.name
    if isinstance(child, _Action):
        return child.text
    if isinstance(child, _Excluded):
        return child.expr
    return child


# --- refusals -----------------------------------------------------------------------------------
def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a swap of neighbours counts as one edit)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _vocabulary() -> list[str]:
    words = [w for w in tables().keywords if w.isalpha()]
    connectives = sorted(EXCLUSION_WORDS | {word for pair in EXCLUSION_PAIRS for word in pair})
    return words + list(W.MONTHS) + list(W.SEASONS) + list(W.PERIODS) + connectives


def _near_keywords(word: str) -> list[str]:
    """The keywords ``word`` most likely misspells, best first: two run-together keywords
    ("whois"), else the nearest within one edit (two for words of six letters or more); several
    when they are equally near ("whre": where, were)."""
    if len(word) < 3 or not word.isalpha():
        return []
    vocabulary = _vocabulary()
    known = set(vocabulary)
    split = next((f"{word[:i]} {word[i:]}" for i in range(2, len(word) - 1) if word[:i] in known and word[i:] in known), None)
    if split:
        return [split]
    limit = 2 if len(word) >= 6 else 1
    scored = sorted({(_edit_distance(word, k), k) for k in vocabulary if abs(len(k) - len(word)) <= limit})
    best = scored[0][0] if scored else 0
    return [k for d, k in scored if d == best] if 0 < best <= limit else []


def _near_keyword(word: str) -> str | None:
    found = _near_keywords(word)
    return found[0] if found else None


def _as_question(text: str) -> str:
    first = text.split(maxsplit=1)[0].lower() if text.split() else ""
    asks = first in ("where", "who", "which", "is", "are", "does", "do", "did", "how", "what", "can")
    return text + "?" if asks and not text.rstrip().endswith("?") else text


KEYWORD_READINGS = frozenset(["MONTH", "SEASON", "PERIOD", "DIST", "EXCL"])


def _parses_with_keywords_at(text: str, today: date, starts: list[int]) -> bool:
    """Whether ``text`` parses with the words starting at ``starts`` read as keywords (so a
    "correction" that only made a place name or an action word does not count)."""
    try:
        toks = tokenize(text)
        run_parser_retrying(toks, lambda: Callbacks(text.strip(), today))
    except (QuestionError, _Stuck):
        return False
    keywords = set(tables().keywords.values()) | KEYWORD_READINGS
    return bool(toks) and all(any(t.start == start and t.chosen in keywords for t in toks) for start in starts)


def _apply_fixes(text: str, fixes: list) -> tuple[str, list[int]]:
    """``text`` with each (token, replacement) applied, and where the replacements start."""
    fixed, starts, shift = text, [], 0
    for tok, replacement in sorted(fixes, key=lambda f: f[0].start):
        start = tok.start + shift
        replacement = replacement.capitalize() if tok.text[:1].isupper() else replacement
        fixed = fixed[:start] + replacement + fixed[tok.end + shift :]
        starts.append(start)
        shift += len(replacement) - (tok.end - tok.start)
    return fixed, starts


def _typo_fix(text: str, toks: list[Tok], today: date) -> str | None:
    """The question with near-miss keywords corrected (all at once, else one at a time), if
    that parses with the corrected words used as keywords."""
    near = [(tok, ks) for tok in toks if tok.types in (("WORD",), ("GERUND", "WORD")) if (ks := _near_keywords(tok.word))]
    fixes = [(tok, ks[0]) for tok, ks in near]
    for chosen in ([fixes] if len(fixes) > 1 else []) + [[(tok, k)] for tok, ks in near for k in ks]:
        fixed, starts = _apply_fixes(text, chosen)
        if _parses_with_keywords_at(fixed, today, starts):
            return _as_question(fixed.strip())
    return None


def _names_in(toks: list[Tok]) -> list[str]:
    return [t.text for t in toks if t.types == ("PERSON",)]


def _example_for(toks: list[Tok]) -> str:
    """A supported question shaped like the refused one (same first word, same names)."""
    names = _names_in(toks) or ["<mike>"]
    a, b = names[0], (names[1] if len(names) > 1 else "<susan>")
    by_head = {
        "where": f"where is {a}?",
        "who": "who is in beach.jpg?",
        "which": f"which person is {a} in group.jpg?",
        "is": f"is {a} in beach.jpg?",
        "are": f"are {a} and {b} in beach.jpg?",
        "how": f"how many photos of {a} were taken in 2020?",
        "count": f"count photos of {a} in 2020",
        "what": f"what is {a} wearing in beach.jpg?",
        "does": f"does {a} wear glasses in beach.jpg?",
    }
    people = f"{a} or {b}" if len(names) > 1 else a
    return by_head.get(toks[0].word if toks else "", f"photos of {people} in Paris last summer")


def _stuck_part(text: str, toks: list[Tok], index: int) -> str:
    if index >= len(toks):
        return ""
    return text[toks[index].start :].rstrip().rstrip(_TRAILING)


def _people_phrase(toks: list[Tok]) -> str:
    names = _names_in(toks) or ["<mike>"]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _explain_too_short(part: str, toks: list[Tok], index: int) -> str | None:
    last = index == len(toks) - 1 and toks[index].word in tables().keywords
    return "the question stops too early" if not part or last else None


def _explain_place_for_photo(part: str, toks: list[Tok], index: int) -> tuple | None:
    tok = toks[index]
    if tok.types != ("PLACE",):
        return None
    return f'"{tok.text}" is a place, not a photo; a photo is a file such as "beach.jpg"', f"photos of {_people_phrase(toks)} in {tok.text}"


def _explain_photo_in_list(part: str, toks: list[Tok], index: int) -> tuple | None:
    tok = toks[index]
    if tok.types != ("FILE",) or toks[0].word in ("is", "are", "who", "where", "which", "what", "does", "do", "did", "describe"):
        return None
    return f"a list of photos cannot be about one photo ({tok.text})", f"is {_people_phrase(toks)} in {tok.text}?"


def _explain_path_without_suffix(part: str, toks: list[Tok], index: int) -> tuple | None:
    path = next((t.text for t in toks[index : index + 2] if "/" in t.text or t.text.startswith("~")), None)
    if path is None:
        return None
    return f'"{path}" looks like a path: name a photo with its suffix (.jpg, .png, ...) or put it in quotes', None


def _explain_unknown_place_word(part: str, toks: list[Tok], index: int) -> tuple | None:
    tok = toks[index]
    following = toks[index + 1] if index + 1 < len(toks) else None
    if tok.word not in PLACE_PREPOSITIONS or following is None or following.types[-1:] != ("WORD",):
        return None
    return f'I can\'t use "{part}": "{following.text}" is not a place I know (places are cities, regions and countries)', None


def _explain_person_in_action(part: str, toks: list[Tok], index: int) -> tuple | None:
    if toks[index].types != ("PERSON",) or index == 0 or toks[index - 1].chosen not in ("WORD", "GERUND"):
        return None
    verb = next((t.word for t in reversed(toks[:index]) if t.word.endswith("ing")), "talking")
    return f'I can\'t use "{part}": name everyone before what they do', f"photos where {_people_phrase(toks)} are {verb}"


EXPLAINERS = (_explain_place_for_photo, _explain_photo_in_list, _explain_path_without_suffix, _explain_unknown_place_word, _explain_person_in_action)


def _refusal(text: str, toks: list[Tok], stuck: _Stuck, today: date) -> QuestionError:
    """Why the parser got stuck at ``toks[stuck.index]``, with a supported form to try."""
    question = text.strip()
    fix = _typo_fix(text, toks, today)
    if fix is not None:
        return QuestionError(question, "", fix, text=question, corrected=True)
    part = _stuck_part(text, toks, stuck.index)
    too_short = _explain_too_short(part, toks, stuck.index)
    if too_short:
        return QuestionError(part or question, too_short, _example_for(toks), text=question)
    for explain in EXPLAINERS:
        found = explain(part, toks, stuck.index)
        if found:
            return QuestionError(part, found[0], found[1], text=question)
    return QuestionError(part, f'I can\'t use "{part}"', _example_for(toks), text=question)


def _parse_tokens(text: str, today: date) -> Query:
    toks = tokenize(text)
    if not toks:
        raise QuestionError(text, "there is no question", "photos of <mike>", text=text.strip())
    try:
        return run_parser_retrying(toks, lambda: Callbacks(text.strip(), today))
    except _Stuck as stuck:
        raise _refusal(text, toks, stuck, today) from None


def parse(text: str, today: date) -> Query:
    """The question ``text`` as a ``Query``; times relative to ``today``.

    Raises ``QuestionError`` (one line: the part not understood and a supported form) for
    anything the grammar does not cover completely; nothing but framing words is ignored.
    """
    if not isinstance(text, str):
        raise QuestionError(str(text), "a question must be text")
    try:
        return _parse_tokens(text, today)
    except QuestionError as error:
        if error.text is None:
            raise error.with_text(text.strip()) from None
        raise
