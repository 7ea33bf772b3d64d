"""Answering a parsed question (``parser.parse`` -> ``Query``) from the stored verdicts, regions
and photo facts; no model is loaded.

The SQL runs over a DB-API ``Reader`` (``reader.py`` says why not the ORM), so ``plvm-photos ask``
on SQLite answers through the standard library alone (``plvm_photos.launcher``); ``ask(library,
text)`` runs the same code on the library's own connection (SQLite or PostgreSQL). Questions about
what people do or wear go to an engine that sees pixels (``routing.py``); with the face engine,
what the people named do or show (``Query.cues``: smiling, looking at the camera, talking,
next to each other, ...) is judged from their faces and bodies (``interactions.py``), and any
other action is refused (``QuestionError``), never answered from faces alone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from plvm_photos.ask import aggregates, one_photo
from plvm_photos.ask.hidden import without_hidden
from plvm_photos.ask.parser import parse
from plvm_photos.ask.photos import photo_answers
from plvm_photos.ask.query import AllOf, AnyOf, Not, Only, Person, Query, QuestionError
from plvm_photos.ask.roster import Roster
from plvm_photos.ask.sides import side
from plvm_photos.errors import LibraryError
from plvm_photos.ask.reader import Reader, dbapi_reader, session_reader  # noqa: F401 - session_reader is API
from plvm_photos.ask.results import Answer
from plvm_photos.ask.selection import (
    People,
    Selected,
    library_has_dates,
    library_has_positions,
    matching_sql,
    places_within,
    select,
    unread_photos,
)
from plvm_photos.ask.wording import (
    counted,
    counted_items,
    left_out_note,
    media_phrase,
    names_text,
    people_phrase,
    place_phrase,
    plural,
    selection_phrase,
    time_phrase,
    unseen_words,
    within_note,
)
from plvm_photos.ask.photo_ref import resolve_photo  # noqa: F401 - API (curation.clusters)
from plvm_photos.names import show

VISUAL_INTENTS = ("visual_yes_no", "visual_open", "visual_count")


def ask(library, text: str, today: date | None = None, with_photos: bool = True) -> Answer:
    """Answer ``text`` on ``library`` (a ``plvm_photos.library.Library``). ``with_photos=False``:
    an answer that is a number need not list its photos (``Answer.photos`` is then empty)."""
    raw = library.db.raw_connection()
    try:
        db = dbapi_reader(raw.driver_connection, library.db.dialect)
        query = parse_question(db, text, today)
    finally:
        raw.close()
    if query.intent in VISUAL_INTENTS or query.cues:
        from plvm_photos.ask.routing import routed_answer  # light; torch loads only when a question is routed

        visual = routed_answer(library, query)
        if visual is not None:
            return visual
    raw = library.db.raw_connection()
    try:
        return answer_query(dbapi_reader(raw.driver_connection, library.db.dialect), query, with_photos)
    finally:
        raw.close()


def roster(db: Reader) -> Roster:
    """The registered people, for the parser (which never reads the database itself)."""
    return Roster(db.rows("SELECT concepts.name, concepts.display FROM concepts ORDER BY concepts.name"))


def parse_question(db: Reader, text: str, today: date | None = None) -> Query:
    """``text`` parsed with the library's registered people."""
    return parse(text, today or date.today(), roster(db))


def answer_question(db: Reader, text: str, today: date | None = None) -> Answer:
    return answer_query(db, parse_question(db, text, today))


def answer_query(db: Reader, query: Query, with_photos: bool = True) -> Answer:
    """The answer to ``query`` from the database alone (see the module docstring); see ``ask``
    for ``with_photos``."""
    people = People(db)
    people.check(query.people)
    if query.place is not None:
        from plvm_photos.ask.place_choice import with_places_photographed

        query = replace(query, place=with_places_photographed(db, query.place))
    if query.intent != "people_count" or query.photos or query.time or query.place or query.people:
        if db.value("SELECT photos.id FROM photos LIMIT 1") is None:
            raise LibraryError('no photos scanned yet; run "plvm-photos scan FOLDER"')
    if query.cues:
        from plvm_photos.ask.interactions import answer_cues

        return replace(answer_cues(db, query, people), query=query.as_dict(), understood=query.describe())
    if query.intent in VISUAL_INTENTS:  # an engine that sees pixels took it before (``routing``)
        words = unseen_words(query.action or "")
        names = names_text([people.get(n).display for n in query.names()]) if query.names() else ""
        rewrite = (f"is {names} in {query.photo.written}?" if query.photo is not None else f"photos of {names}") if names else None
        raise QuestionError(query.action or query.text, f'the face engine sees who is in a photo and where, not "{words}"',
                            rewrite, text=query.text)
    handler = HANDLERS[query.intent]
    found = handler(db, query, people, with_photos) if handler in WITH_PHOTOS else handler(db, query, people)
    answer = without_hidden(db, found, query.names())
    if query.read_as:  # the misspelt words corrected, said on the answer's first line
        head, sep, rest = answer.answer.partition("\n")
        colon = head.endswith(":")
        note = f' (read as "{query.read_as}")'
        answer = replace(answer, answer=(head[:-1] + note + ":" if colon else head + note) + sep + rest)
    return replace(answer, query=query.as_dict(), understood=query.describe())


# --- questions over all photos ------------------------------------------------------------------
def _selected(db: Reader, query: Query, people: People, with_rows: bool = True) -> tuple[Selected, str]:
    """The photos the filters select and the note on those left out ("" when none were)."""
    found = select(db, query, people, with_rows)
    if query.time is None and query.place is None:
        return found, ""
    note = left_out_note(query, found.no_date, found.no_position, found.left_out,
                         library_has_dates(db) if query.time is not None else True,
                         library_has_positions(db) if query.place is not None else True, unread_photos(db))
    within = within_note(places_within(db, query, people)) if found.ids and query.place is not None else ""
    return found, "; ".join(n for n in (within, note) if n)


def _display(people: People):
    return lambda name: people.get(name).display


def _notes(*notes: str) -> str:
    return "".join(f" ({note})" for note in notes if note)


def _list(db: Reader, query: Query, people: People) -> Answer:
    found, left_out = _selected(db, query, people)
    photos = photo_answers(db, found.ids, found.rows)
    phrase = selection_phrase(query, _display(people))
    notes = _notes(left_out)
    head = f" {phrase}" if phrase else ""
    if query.order is not None:
        return _ordered(query, found, photos, head, notes)
    if not photos:
        return Answer(f"no photos{head}{notes}")
    asked = [people.get(name).display for name in _positive_names(query.people)] or None
    return Answer(f"{counted_items(photos)}{head}{notes}:\n" + "\n".join(f"  {p.path}{p.times(asked)}" for p in photos), photos)


def _ordered(query: Query, found: Selected, photos, head: str, notes: str) -> Answer:
    """"the 3 most recent photos with <a>": by the camera's date, newest (or oldest) first."""
    by_path = {p.path: p for p in photos}
    dated = sorted((row for row in found.rows.values() if row.taken and row.path in by_path),
                   key=lambda row: (row.taken, row.path), reverse=query.order == "last")
    undated = len(photos) - len(dated)
    if query.limit is None:  # "newest first", "sorted by date": every photo, the undated ones last
        dated_paths = {row.path for row in dated}
        rest = sorted((p for p in photos if p.path not in dated_paths), key=lambda p: p.path)
        lines = [f"  {row.path} ({row.taken[:10]}{', ' + row.place if row.place else ''}){by_path[row.path].times()}"
                 for row in dated] + [f"  {p.path} (no date){p.times()}" for p in rest]
        last = f", {plural(undated)} without a date last" if undated else ""
        listed = [by_path[row.path] for row in dated] + rest
        if not listed:
            return Answer(f"no photos{head}{notes}")
        first = "newest" if query.order == "last" else "oldest"
        return Answer(f"{counted_items(listed)}{head}{notes}, {first} first{last}:\n" + "\n".join(lines), listed)
    chosen = dated[: query.limit] if query.limit else dated
    which = "most recent" if query.order == "last" else "earliest"
    note = notes + (f" ({plural(undated)} without a date not considered)" if undated else "")
    if not chosen:
        return Answer(f"no dated photos{head}{note}")
    count = "the" if query.limit == 1 else f"the {len(chosen)}"
    noun = counted_items([by_path[row.path] for row in chosen]).split(" ", 1)[1]
    lines = [f"  {row.path} ({row.taken[:10]}{', ' + row.place if row.place else ''}){by_path[row.path].times()}" for row in chosen]
    return Answer(f"{count} {which} {noun}{head}{note}:\n" + "\n".join(lines), [by_path[row.path] for row in chosen])


def _exists(db: Reader, query: Query, people: People) -> Answer:
    """"Yes, 3 photos with <a> in Paris: ..." / "No photos with <a> in Paris"."""
    found, left_out = _selected(db, query, people)
    photos = photo_answers(db, found.ids, found.rows)
    phrase = selection_phrase(query, _display(people))
    head = f" {phrase}" if phrase else ""
    notes = _notes(left_out)
    if not photos:
        return Answer(f"No, no photos{head}{notes}")
    asked = [people.get(name).display for name in _positive_names(query.people)] or None
    return Answer(f"Yes, {counted_items(photos)}{head}{notes}:\n" + "\n".join(f"  {p.path}{p.times(asked)}" for p in photos), photos)


def _scope(query: Query) -> str:
    return "".join(f" {part}" for part in (time_phrase(query.time), place_phrase(query.place), media_phrase(query.media))
                   if part)


def _aggregate_phrase(query: Query, people: People) -> str:
    """What an answer counted over: "with <a> taken in 2019 (videos only)"."""
    return " ".join(part for part in (selection_phrase(query, _display(people)), media_phrase(query.media)) if part)


def _people(db: Reader, query: Query, people: People, with_photos: bool) -> Answer:
    asked = _positive_names(query.people)
    if query.people is None and query.time is None and query.place is None and query.media is None:
        return aggregates.people_answer(db, query, people, None, "", [], with_photos)
    found, left_out = _selected(db, query, people, with_rows=with_photos)
    among = people_phrase(query.people, _display(people))  # every person filter said, not the names alone
    scope = (f" {among}" if among else "") + _scope(query) + _notes(left_out)
    return aggregates.people_answer(db, query, people, found, scope, [people.get(n).display for n in asked], with_photos,
                                    matching_sql(db, query, people))


def _people_count(db: Reader, query: Query, people: People) -> Answer:
    if query.photos:
        return one_photo.people_in_photo(db, query, people)
    if query.people is None and query.time is None and query.place is None and query.media is None:
        return aggregates.registered_answer(db, people)
    found, left_out = _selected(db, query, people)
    phrase = _aggregate_phrase(query, people)
    return aggregates.people_count_answer(db, found, people, (f" {phrase}" if phrase else "") + _notes(left_out))


def _places(db: Reader, query: Query, people: People, with_photos: bool) -> Answer:
    found, left_out = _selected(db, query, people, with_rows=with_photos)
    phrase = _aggregate_phrase(query, people)
    return aggregates.places_answer(db, query, found, (f" {phrase}" if phrase else "") + _notes(left_out), with_photos,
                                    matching_sql(db, query, people))


def _times(db: Reader, query: Query, people: People, with_photos: bool) -> Answer:
    found, left_out = _selected(db, query, people, with_rows=with_photos or query.order is not None)
    phrase = _aggregate_phrase(query, people)
    return aggregates.times_answer(db, query, found, (f" {phrase}" if phrase else "") + _notes(left_out), with_photos,
                                   matching_sql(db, query, people))


def _count(db: Reader, query: Query, people: People, with_photos: bool = True) -> Answer:
    """The number of photos selected; with the photos themselves, read only when asked for
    (at 1 M photos reading 20 000 of them takes ~0.5 s, counting them ~0.1 s)."""
    found, left_out = _selected(db, query, people, with_rows=with_photos)
    photos = photo_answers(db, found.ids, found.rows) if with_photos else []
    phrase = selection_phrase(query, _display(people))
    notes = _notes(left_out)
    videos = len(found.ids) if query.media == "video" else 0 if query.media == "photo" else _videos_among(db, found.ids)
    return Answer(f"{counted(len(found.ids), videos)}{' ' + phrase if phrase else ''}{notes}", photos)


def _videos_among(db: Reader, ids: list[int]) -> int:
    """How many of the photos ``ids`` are videos (for the words of a count)."""
    if not ids:
        return 0
    return sum(db.value(f"SELECT COUNT(*) FROM photos WHERE photos.kind = 'video' AND {condition}", params) or 0
               for condition, params in db.id_filters("photos.id", ids))


def _positive_names(expr) -> list[str]:
    """The people an expression asks for (not those it excludes), in order."""
    if expr is None or isinstance(expr, Not):
        return []
    if isinstance(expr, Person):
        return [expr.name]
    if not isinstance(expr, (AllOf, AnyOf, Only)):  # nobody, strangers
        return []
    return list(dict.fromkeys(name for item in expr.items for name in _positive_names(item)))


def _where(db: Reader, query: Query, people: People) -> Answer:
    if query.photo is not None:
        return one_photo.where_in(db, query, people)
    found, left_out = _selected(db, query, people)
    rows = found.rows
    photos = photo_answers(db, found.ids, rows)
    display = _display(people)
    who = people_phrase(query.people, display).removeprefix("with ")
    scope = "".join(f" {part}" for part in (time_phrase(query.time), place_phrase(query.place)) if part)
    notes = _notes(left_out)
    if not photos:
        return Answer(f"{who} is in no photo{scope}{notes}")
    size_of = {row.path: (row.width, row.height) for row in rows.values()}
    asked = [display(name) for name in _positive_names(query.people)]
    places = list(dict.fromkeys(p.place.split(",")[0] for p in photos if p.place))
    taken_in = f" (taken in {', '.join(places)})" if places else ""
    lines = [f"{who} is in {counted_items(photos)}{scope}{taken_in}{notes}:"]
    for photo in photos:
        w, h = size_of[photo.path]
        boxes = [tuple(box) for box in photo.regions.values() if len(box) == 4]
        where = ", ".join(f"{show(name)} {side(tuple(photo.regions[name]), boxes, w, h)} {photo.regions[name]}{photo.times([name])}"
                          for name in asked if photo.regions.get(name))
        at = f" ({photo.place})" if photo.place else ""
        lines.append(f"  {photo.path}{at}: {where}")
    return Answer("\n".join(lines), photos)


HANDLERS = {
    "list": _list,
    "count": _count,
    "exists": _exists,
    "where": _where,
    "which": one_photo.which,
    "who": one_photo.who,
    "who_at": one_photo.who_at,
    "is_in": one_photo.is_in,
    "is_at": one_photo.is_at,
    "relative": one_photo.relative,
    "related": one_photo.related,
    "photo_when": one_photo.photo_when,
    "photo_where": one_photo.photo_where,
    "people_count": _people_count,
    "people": _people,
    "places": _places,
    "times": _times,
}
WITH_PHOTOS = (_count, _people, _places, _times)  # handlers told whether the photos are wanted
