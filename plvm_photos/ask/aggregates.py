"""Questions over many photos that answer with people, places or dates rather than photos: who is
with <a>, who is in the most photos, where have I been with <a>, which city has the most photos,
when did I last see <a>, when was <a> in Paris, how many people are registered.

Each counts over the photos the query's filters select (``selection.select``), with the stored
verdicts (one indexed query per question, never one per photo); the answer lists the photos too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from plvm_photos.ask.photos import photo_answers, place_text
from plvm_photos.ask.reader import Reader
from plvm_photos.ask.results import Answer
from plvm_photos.ask.selection import CURRENT, DATED, People, Selected, Sql
from plvm_photos.ask.wording import ago, names_joined, names_text, plural
from plvm_photos.names import show

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December"]
SHOWN = 25  # ranked entries spelled out; the rest are counted


def _ranked(counts: Counter, label=lambda k: k) -> list[tuple[str, int]]:
    return [(label(k), n) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(label(kv[0])).casefold()))]


def _listing(ranked: list[tuple[str, int]], unit: str = "photo") -> str:
    shown = [f"{name} ({plural(n, unit)})" for name, n in ranked[:SHOWN]]
    more = len(ranked) - SHOWN
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _top(ranked: list[tuple[str, int]], what: str, scope: str) -> str:
    """"<a> is in the most photos with <b> (12); then <c> (8), <d> (3)"."""
    best = ranked[0][1]
    leaders = [name for name, n in ranked if n == best]
    rest = [(name, n) for name, n in ranked if n != best]
    verb = "is" if len(leaders) == 1 else "are"
    each = "" if len(leaders) == 1 else " each"
    text = f"{names_joined(leaders)} {verb} {what}{scope} ({plural(best)}{each})"
    return text + (f"; then {_listing(rest)}" if rest else "")


def _first(ranked: list[tuple[str, int]], limit: int, noun: str, what: str, scope: str) -> str:
    """"the 3 people in the most photos with <a>: <b> (12 photos), <c> (8 photos), <d> (3
    photos)": the first ``limit`` of a ranking, with any tied with the last of them."""
    shown = ranked[:limit]
    tied = [entry for entry in ranked[limit:] if entry[1] == shown[-1][1]]
    notes = []
    if tied:
        notes.append(f"{len(shown) + len(tied)} listed: a tie at {plural(shown[-1][1])}")
    elif len(ranked) < limit:
        notes.append(f"only {len(ranked)} in all")
    listing = ", ".join(f"{name} ({plural(n)})" for name, n in shown + tied)
    return f"the {len(shown)} {noun} {what}{scope}" + "".join(f" ({note})" for note in notes) + f": {listing}"


# --- people ----------------------------------------------------------------------------------
def people_counts(db: Reader, found: Selected, skip: set[int], where: Sql | None = None) -> Counter:
    """Concept id -> how many of the selected photos it is recognised in (``skip`` left out);
    counted in SQL over ``where`` (``selection.matching_sql``) where given."""
    counts: Counter = Counter()
    if where is not None:
        for concept_id, n in db.rows(f"SELECT verdicts.concept_id, COUNT(*) FROM verdicts JOIN photos ON photos.id = "
                                     f"verdicts.photo_id WHERE verdicts.present = ? AND {where.text} "
                                     "GROUP BY verdicts.concept_id", [True, *where.params]):
            if concept_id not in skip:
                counts[concept_id] += n
        return counts
    for condition, params in db.id_filters("verdicts.photo_id", found.ids):
        for concept_id, n in db.rows(f"SELECT verdicts.concept_id, COUNT(*) FROM verdicts WHERE {condition} AND "
                                     "verdicts.present = ? GROUP BY verdicts.concept_id", [*params, True]):
            if concept_id not in skip:
                counts[concept_id] += n
    return counts


def all_people_counts(db: Reader) -> Counter:
    """Concept id -> its current photos, over the whole library."""
    return Counter(dict(db.rows("SELECT verdicts.concept_id, COUNT(*) FROM verdicts JOIN photos ON photos.id = "
                                f"verdicts.photo_id WHERE verdicts.present = ? AND {CURRENT} GROUP BY verdicts.concept_id",
                                [True, False])))


def hidden_ids(db: Reader, asked: tuple[str, ...], people: People) -> set[int]:
    keys = {people.get(name).key for name in asked}
    return {cid for cid, key in db.rows("SELECT concepts.id, concepts.name FROM concepts WHERE concepts.hidden = ?", [True])
            if key not in keys}


def people_answer(db: Reader, query, people: People, found: Selected | None, scope: str, asked: list[str],
                  with_photos: bool, where: Sql | None = None) -> Answer:
    """Who is in the selected photos (all photos when ``found`` is None), most photos first; for a
    comparison (``query.kind`` "named": "more photos of <a> or <b>?") only the people named.
    ``scope`` says the whole selection, its people part included ("with <a> or <b>", "without
    <c>", "with 3 people"); ``asked``: the people asked about, left out of the ranking."""
    if query.kind == "named":
        return _compared(db, query, people, found, scope, with_photos, where)
    skip = {people.get(name).id for name in asked} if query.others else set()
    skip |= hidden_ids(db, query.names(), people)
    counts = all_people_counts(db) if found is None else people_counts(db, found, skip, where)
    for cid in skip:
        counts.pop(cid, None)
    ranked = _ranked(counts, lambda cid: show(people.by_id[cid].display))
    photos = photo_answers(db, found.ids, found.rows) if found is not None and with_photos else []
    also = bool(query.others and asked)
    if not ranked:
        nobody = "nobody else you know is" if also else "nobody you know is"
        return Answer(f"{nobody} in the photos{scope}", photos)
    if query.top:  # "the top 3 people"
        return Answer(_first(ranked, query.top, "people", "in the most photos", scope), photos)
    if query.most:
        return Answer(_top(ranked, "in the most photos", scope), photos)
    who = "people" if len(ranked) != 1 else "person"
    return Answer(f"{len(ranked)} {who}{' also' if also else ''} in the photos{scope}: {_listing(ranked)}", photos)


def _compared(db: Reader, query, people: People, found: Selected, scope: str, with_photos: bool,
              where: Sql | None) -> Answer:
    """"<a> is in more photos (10) than <b> (7)"; "<a> and <b> are in as many photos (5 each)"."""
    named = [people.get(name) for name in query.names()]
    counts = people_counts(db, found, set(), where)
    ranked = sorted(((counts.get(p.id, 0), p) for p in named), key=lambda np: (-np[0], np[1].display.casefold()))
    photos = photo_answers(db, found.ids, found.rows) if with_photos else []
    best = ranked[0][0]
    leaders = [p for n, p in ranked if n == best]
    rest = [(n, p) for n, p in ranked if n != best]
    if not rest:
        both = "both" if len(leaders) == 2 else "all"
        return Answer(f"{names_text([p.display for p in leaders])} are {both} in as many photos{scope} ({plural(best)} each)", photos)
    verb = "is" if len(leaders) == 1 else "are each"
    others = ", ".join(f"{show(p.display)} ({plural(n)})" for n, p in rest)
    return Answer(f"{names_text([p.display for p in leaders])} {verb} in more photos{scope} ({plural(best)}) than {others}", photos)


def registered_answer(db: Reader, people: People) -> Answer:
    """"11 people are registered: <a> (12 photos), ..."."""
    counts = all_people_counts(db)
    shown = [p for p in people.by_id.values()]
    ranked = _ranked(Counter({p.id: counts.get(p.id, 0) for p in shown}), lambda cid: show(people.by_id[cid].display))
    if not ranked:
        return Answer('0 people are registered (register someone with "plvm-photos add-person NAME PHOTO")')
    verb = "person is" if len(ranked) == 1 else "people are"
    return Answer(f"{len(ranked)} {verb} registered: {_listing(ranked)}")


def people_count_answer(db: Reader, found: Selected, people: People, scope: str) -> Answer:
    """"4 people you know are in the photos from Paris: ..."."""
    counts = people_counts(db, found, hidden_ids(db, (), people))
    ranked = _ranked(counts, lambda cid: show(people.by_id[cid].display))
    word = "person you know is" if len(ranked) == 1 else "people you know are"
    return Answer(f"{len(ranked)} {word} in the {plural(len(found.ids))}{scope}" + (f": {_listing(ranked)}" if ranked else ""),
                  photo_answers(db, found.ids, found.rows))


# --- places ----------------------------------------------------------------------------------
def _place_key(kind: str, place_id, name, admin1, country, country_code):
    """The name a photo's place is counted under for ``kind`` (a city: the biggest city its
    reverse-geocoded place lies within, so a photo in Shinjuku counts for Tokyo)."""
    if country is None and name is None:
        return None
    if kind == "country":
        return country or country_code
    if kind == "region":
        return ", ".join(p for p in (admin1, country) if p)
    if kind == "continent":
        from plvm_photos.places.geocode import lookup_continent

        return lookup_continent(country_code)
    if place_id is not None:
        from plvm_photos.places.geocode import counted_city

        top = counted_city(int(place_id))
        if top is not None and top.geonameid != int(place_id):
            return ", ".join(p for p in dict.fromkeys((top.name, top.country)) if p)
    return ", ".join(p for p in dict.fromkeys((name, country)) if p)


def _place_groups(db: Reader, found: Selected, where: Sql | None):
    """(place id, name, region, country, country code, photos) of the selected photos' places."""
    columns = "photos.place_id, photos.place_name, photos.admin1, photos.country, photos.country_code"
    if where is not None:
        yield from db.rows(f"SELECT {columns}, COUNT(*) FROM photos WHERE {where.text} GROUP BY {columns}", where.params)
        return
    for condition, params in db.id_filters("photos.id", found.ids):
        yield from db.rows(f"SELECT {columns}, COUNT(*) FROM photos WHERE {condition} GROUP BY {columns}", params)


def place_counts(db: Reader, found: Selected, where: Sql | None, kind: str = "city") -> tuple[Counter, int]:
    """(place name -> photos, photos without a GPS position) of the selected photos, a place
    counted as ``kind`` says (``_place_key``); shared with a person's facts (``person_facts``)."""
    counts: Counter = Counter()
    unplaced = 0
    for place_id, name, admin1, country, code, n in _place_groups(db, found, where):
        key = _place_key(kind, place_id, name, admin1, country, code)
        if key is None:
            unplaced += n
        else:
            counts[key] += n
    return counts, unplaced


def ranking(counts: Counter, label=lambda k: k) -> list[tuple[str, int]]:
    """Most photos first, then by name: the one order of every ranking (answers and pages)."""
    return _ranked(counts, label)


def places_answer(db: Reader, query, found: Selected, scope: str, with_photos: bool, where: Sql | None = None) -> Answer:
    kind = query.kind if query.kind in ("city", "country", "region", "continent") else "city"
    counts, unplaced = place_counts(db, found, where, kind)
    ranked = _ranked(counts)
    photos = photo_answers(db, found.ids, found.rows) if with_photos else []
    kinds = {"city": "cities", "country": "countries", "region": "regions", "continent": "continents"}[kind]
    note = f" ({plural(unplaced)} without a GPS position not counted)" if unplaced else ""
    if not found.ids:  # not "none of the 0 photos": there is no photo to place
        return Answer(f"nowhere: there are no photos{scope}", photos)
    if not ranked:
        return Answer(f"no places: none of the {plural(unplaced)}{scope} has a GPS position", photos)
    if query.top:  # "the top 3 cities"
        return Answer(_first(ranked, query.top, kinds, "with the most photos", scope) + note, photos)
    if query.most:
        best = ranked[0][1]
        leaders = [name for name, n in ranked if n == best]
        rest = [(name, n) for name, n in ranked if n != best]
        verb = "has" if len(leaders) == 1 else "have"
        text = f"{names_joined(leaders)} {verb} the most photos{scope} ({plural(best)}{' each' if len(leaders) > 1 else ''})"
        return Answer(text + (f"; then {_listing(rest)}" if rest else "") + note, photos)
    single = {"cities": "city", "countries": "country", "regions": "region", "continents": "continent"}[kinds]
    return Answer(f"{len(ranked)} {single if len(ranked) == 1 else kinds}{scope}: {_listing(ranked)}{note}", photos)


# --- times -----------------------------------------------------------------------------------
def _day(taken: str) -> str:
    return f"{int(taken[8:10])} {MONTH_NAMES[int(taken[5:7]) - 1]} {taken[:4]}"


def _key_of(taken: str, kind: str) -> tuple:
    if kind == "year":
        return (taken[:4],)
    if kind == "month":
        return (taken[:7],)
    return (taken[:10],)


def _label_of(key: tuple, kind: str) -> str:
    text = key[0]
    if kind == "year":
        return text
    if kind == "month":
        return f"{MONTH_NAMES[int(text[5:7]) - 1]} {text[:4]}"
    return _day(text)


def by_date(rows) -> list:
    """The dated PhotoRows, oldest first (ties by path): what "first" and "last" mean, in answers
    and on a person's page alike."""
    return sorted((row for row in rows if row.taken), key=lambda row: (row.taken, row.path))


def time_counts(rows, kind: str) -> Counter:
    """(year,) / (month,) / (day,) key -> dated photos among ``rows``."""
    return Counter(_key_of(row.taken, kind) for row in rows if row.taken)


def _dated_groups(db: Reader, found: Selected, where: Sql | None):
    """(day "YYYY-MM-DD", place name, region, country, photos, smallest photo id) of the selected
    photos that have a camera date: counted in SQL (at 100 000 photos reading every photo's row
    took 1.6 s, making every photo an answer 2.3 s more)."""
    day = "substr(photos.taken_at, 1, 10)" if db.dialect == "sqlite" else "to_char(photos.taken_at, 'YYYY-MM-DD')"
    columns = "photos.place_name, photos.admin1, photos.country"
    query = f"SELECT {day}, {columns}, COUNT(*), MIN(photos.id) FROM photos WHERE {{}} AND {DATED} GROUP BY {day}, {columns}"
    if where is not None:
        yield from db.rows(query.format(where.text), where.params)
        return
    for condition, params in db.id_filters("photos.id", found.ids):
        yield from db.rows(query.format(condition), params)


def _last_or_first(db: Reader, query, found: Selected, scope: str) -> Answer:
    """"when did I last see <a>": the day of the latest (or earliest) dated photo, its place, and
    the photos of that day."""
    dated = [row for row in found.rows.values() if row.taken]
    undated = len(found.ids) - len(dated)
    note = f" ({plural(undated)} without a date not counted)" if undated else ""
    ordered = by_date(dated)
    row = ordered[-1] if query.order == "last" else ordered[0]
    same_day = {r.id for r in ordered if r.taken[:10] == row.taken[:10]}
    where = f" in {row.place}" if row.place else ""
    which = "last" if query.order == "last" else "first"
    kept = photo_answers(db, same_day, {pid: found.rows[pid] for pid in same_day})
    when = _day(row.taken) + (f" ({ago(date.fromisoformat(row.taken[:10]), query.today)})" if query.today else "")
    return Answer(f"{when}{where}: the {which} photo{scope} ({row.path}; {plural(len(dated))} in all){note}", kept)


def times_answer(db: Reader, query, found: Selected, scope: str, with_photos: bool, where: Sql | None = None) -> Answer:
    """When the selected photos were taken: by day, month or year (with the places of each), the
    one with the most photos, or the first / last (``found.rows`` read for these only)."""
    photos = (lambda: photo_answers(db, found.ids, found.rows or None)) if with_photos else (lambda: [])
    if not found.ids:  # "when did I last see <x>" of someone in no photo: never, not "the last time"
        return Answer(f"never: there are no photos{scope}", [])
    if query.order is not None and any(row.taken for row in found.rows.values()):
        return _last_or_first(db, query, found, scope)
    kind = query.kind if query.kind in ("year", "month", "day") else "day"
    counts: Counter = Counter()
    places: dict[tuple, list] = defaultdict(list)
    for day, name, admin1, country, n, _ in sorted(_dated_groups(db, found, where), key=lambda group: group[-1]):
        key = _key_of(day, kind)
        counts[key] += n
        shown = (place_text(name, admin1, country) or "").split(",")[0]
        if shown and shown not in places[key]:
            places[key].append(shown)  # in the order of their first photo
    if not counts:
        return Answer(f"no dates: none of the {plural(len(found.ids))}{scope} has a date from the camera", photos())
    undated = len(found.ids) - sum(counts.values())
    note = f" ({plural(undated)} without a date not counted)" if undated else ""
    if query.top:  # "the top 3 years"
        ranked = _ranked(counts, lambda key: _label_of(key, kind))
        return Answer(_first(ranked, query.top, f"{kind}s", "with the most photos", scope) + note, photos())
    if query.most:
        ranked = _ranked(counts, lambda key: _label_of(key, kind))
        best = ranked[0][1]
        leaders = [name for name, n in ranked if n == best]
        rest = [(name, n) for name, n in ranked if n != best]
        verb = "has" if len(leaders) == 1 else "have"
        text = f"{names_joined(leaders)} {verb} the most photos{scope} ({plural(best)}{' each' if len(leaders) > 1 else ''})"
        return Answer(text + (f"; then {_listing(rest)}" if rest else "") + note, photos())
    ordered = sorted(counts)
    entries = [f"{_label_of(key, kind)}{' in ' + ', '.join(places[key]) if places[key] else ''} ({plural(counts[key])})"
               for key in ordered]
    units = {"year": "year", "month": "month", "day": "day"}[kind]
    shown = entries if len(entries) <= 2 * SHOWN else entries[:SHOWN] + [f"... and {len(entries) - SHOWN} more"]
    return Answer(f"{plural(len(ordered), units)}{scope}: " + "; ".join(shown) + note, photos())
