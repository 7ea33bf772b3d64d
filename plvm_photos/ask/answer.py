"""Answering parsed questions from the stored verdicts and regions (no model is loaded).

The queries are plain SQL over a DB-API connection, not the ORM: ``plvm-photos ask`` answers
through the standard library's ``sqlite3`` alone (``plvm_photos.ask_fast``), because importing
SQLAlchemy's ORM costs more (~0.4 s) than answering a question on a 100 000-photo library.
``ask(library, text)`` runs the same code on the library's own connection (SQLite or PostgreSQL).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from plvm_photos.errors import LibraryError, UnknownPersonError
from plvm_photos.names import show
from plvm_photos.positions import describe
from plvm_photos.ask.question import SUPPORTED_FORMS, Question, parse
from plvm_photos.ask.results import Answer, PhotoAnswer

CHUNK = 500  # ids per IN (...) list


class Reader:
    """Read-only queries over a DB-API connection; SQL is written with ``?`` placeholders.

    ``sqlite`` connections take id lists as one JSON parameter (``json_each``), others as an
    array (``= ANY``): one query per list instead of one per 500 ids.
    """

    def __init__(self, connection, placeholder: str = "?", dialect: str = "sqlite"):
        self._conn = connection
        self._placeholder = placeholder
        self._dialect = dialect
        if dialect == "sqlite":
            import sqlite3

            self._json_ids = sqlite3.sqlite_version_info >= (3, 38)
        else:
            self._json_ids = False

    def id_filters(self, column: str, ids: list[int]):
        """(SQL condition, parameters) pairs that together select ``column`` in ``ids``."""
        if self._dialect == "sqlite" and self._json_ids:
            yield f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(ids)]
        elif self._dialect == "postgresql":
            yield f"{column} = ANY(?)", [ids]
        else:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                yield f"{column} IN ({_marks(len(chunk))})", chunk

    def rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        if self._placeholder != "?":
            sql = sql.replace("?", self._placeholder)
        cursor = self._conn.cursor()
        try:
            cursor.execute(sql, tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def value(self, sql: str, params: tuple | list = ()):
        found = self.rows(sql, params)
        return found[0][0] if found else None


def _marks(n: int) -> str:
    return ", ".join("?" * n)


# Photos with at least one file that is still there.
CURRENT_PHOTOS = "SELECT files.photo_id FROM files WHERE files.missing = ? AND files.photo_id IS NOT NULL"


def ask(library, text: str) -> Answer:
    """Answer ``text`` on ``library`` (a ``plvm_photos.library.Library``)."""
    from plvm_photos.ask.routing import routed_answer  # light; torch loads only when a question really goes to PLVM

    visual = routed_answer(library, text)  # None unless the plvm engine should see the photos
    if visual is not None:
        return visual
    raw = library.db.raw_connection()
    try:
        return answer_question(_dbapi_reader(raw.driver_connection, library.db.dialect), text)
    finally:
        raw.close()


def _dbapi_reader(connection, dialect) -> Reader:
    return Reader(connection, "?" if dialect.paramstyle == "qmark" else "%s", dialect.name)


def session_reader(session) -> Reader:
    """A Reader on an ORM session's own connection, inside the session's transaction."""
    conn = session.connection()
    return _dbapi_reader(conn.connection.driver_connection, conn.dialect)


def answer_question(db: Reader, text: str) -> Answer:
    question = parse(text)
    known = [name for (name,) in db.rows("SELECT concepts.name FROM concepts ORDER BY concepts.name")]
    for name in question.include + question.exclude:
        if name not in known:
            raise UnknownPersonError(name, known)
    if question.intent == "unsupported":
        return Answer(
            "I can't answer that. I answer questions about registered people, written in angle brackets, "
            "such as: " + "; ".join(SUPPORTED_FORMS),
            answered=False,
        )
    if question.intent == "who":
        return _who(db, question)
    if question.intent == "is_in":
        return _is_in(db, question)
    return _photos_with(db, question)


# --- helpers ------------------------------------------------------------------------------------
def _present(db: Reader, names: list[str]) -> dict[str, set[int]]:
    """Current photos (with a file still there) where each named person is present."""
    out = {name: set() for name in names}
    rows = db.rows(
        "SELECT concepts.name, verdicts.photo_id FROM verdicts JOIN concepts ON concepts.id = verdicts.concept_id "
        f"WHERE concepts.name IN ({_marks(len(names))}) AND verdicts.present = ? AND EXISTS "
        "(SELECT 1 FROM files WHERE files.photo_id = verdicts.photo_id AND files.missing = ?)",
        [*names, True, False],
    )
    for name, photo_id in rows:
        out[name].add(photo_id)
    return out


@dataclass(frozen=True)
class _PhotoRow:
    path: str  # the first present file, else the first file (for history)
    caption: str | None
    width: int
    height: int


def _photo_rows(db: Reader, photo_ids) -> dict[int, _PhotoRow]:
    """Path, caption and size of each photo that has a file."""
    out: dict[int, _PhotoRow] = {}
    for condition, params in db.id_filters("photos.id", sorted(photo_ids)):
        for pid, path, caption, width, height in db.rows(
            "SELECT photos.id, (SELECT files.path FROM files WHERE files.photo_id = photos.id "
            "ORDER BY files.missing, files.id LIMIT 1), photos.caption, photos.width, photos.height "
            f"FROM photos WHERE {condition}",
            params,
        ):
            if path is not None:
                out[pid] = _PhotoRow(path, caption, width or 1, height or 1)
    return out


def _photo_answers(db: Reader, photo_ids: set[int], rows: dict[int, _PhotoRow] | None = None) -> list[PhotoAnswer]:
    ids = sorted(photo_ids)
    rows = _photo_rows(db, ids) if rows is None else rows
    people: dict[int, dict[str, list[int]]] = {pid: {} for pid in ids}
    for condition, params in db.id_filters("verdicts.photo_id", ids):
        for name, photo_id, region_id, left, top, right, bottom in db.rows(
            'SELECT concepts.name, verdicts.photo_id, regions.id, regions."left", regions.top, regions."right", '
            "regions.bottom FROM verdicts JOIN concepts ON concepts.id = verdicts.concept_id "
            "LEFT OUTER JOIN regions ON regions.id = verdicts.region_id "
            f"WHERE {condition} AND verdicts.present = ?",
            [*params, True],
        ):
            people[photo_id][name] = [left, top, right, bottom] if region_id is not None else []
    answers = [
        PhotoAnswer(
            path=rows[pid].path,
            people=sorted(people[pid], key=lambda n: (people[pid][n][:1] or [0])[0]),
            regions=people[pid],
            caption=rows[pid].caption,
        )
        for pid in ids
        if pid in rows
    ]
    answers.sort(key=lambda a: a.path)
    return answers


def _names_text(names: list[str], joiner: str = "and") -> str:
    shown = [show(n) for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {joiner} " + shown[-1]


def _unseen_note(question: Question) -> str:
    if not question.unseen:
        return ""
    words = " ".join(question.unseen)
    return (
        f" (the face engine sees who is in a photo and where, not \"{words}\"; "
        "these are the photos that match the people in the question)"
    )


# --- intents ------------------------------------------------------------------------------------
def _photos_with(db: Reader, q: Question) -> Answer:
    present = _present(db, q.include + q.exclude)
    selected: set[int] | None = None
    for name in q.include:
        selected = present[name] if selected is None else selected & present[name]
    selected = set(selected or set())
    for name in q.exclude:
        selected -= present[name]
    rows = _photo_rows(db, selected)
    photos = _photo_answers(db, selected, rows)
    who = _names_text(q.include)
    if q.exclude:
        who += " but not " + _names_text(q.exclude, "or")
    n = len(photos)
    plural = "photo" if n == 1 else "photos"
    note = _unseen_note(q)
    if q.intent == "count":
        return Answer(f"{n} {plural} with {who}{note}", photos)
    if q.intent == "where":
        if n == 0:
            return Answer(f"{who} is in no photo{note}", photos)
        lines = [f"{who} is in {n} {plural}{note}:"]
        size_of = {row.path: (row.width, row.height) for row in rows.values()}
        for photo in photos:
            w, h = size_of[photo.path]
            where = ", ".join(
                f"{show(name)} {describe(tuple(photo.regions[name]), w, h)} {photo.regions[name]}"
                for name in q.include
                if photo.regions.get(name)
            )
            lines.append(f"  {photo.path}: {where}")
        return Answer("\n".join(lines), photos)
    if n == 0:
        return Answer(f"no photos with {who}{note}", photos)
    return Answer(f"{n} {plural} with {who}{note}:\n" + "\n".join(f"  {p.path}" for p in photos), photos)


def _like_suffix(text: str) -> str:
    """A LIKE pattern matching values that end with ``text`` (escape character '/')."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return "%" + escaped


def resolve_photo(db: Reader, ref: str) -> int:
    """A photo named by path, by file name, or as #ID."""
    if ref.startswith("#") and ref[1:].isdigit():
        if db.value("SELECT photos.id FROM photos WHERE photos.id = ?", [int(ref[1:])]) is None:
            raise LibraryError(f"no photo with id {ref}")
        return int(ref[1:])
    absolute = os.path.abspath(os.path.expanduser(ref))
    photo_id = db.value("SELECT files.photo_id FROM files WHERE files.path = ?", [absolute])
    if photo_id is not None:
        return photo_id
    base = os.path.basename(ref)
    rows = db.rows(
        "SELECT files.photo_id, files.path FROM files WHERE files.path LIKE ? ESCAPE '/'", [_like_suffix(os.sep + base)]
    )
    ids = {pid for pid, _ in rows if pid is not None}
    if len(ids) == 1:
        return ids.pop()
    if len(ids) > 1:
        listing = "\n  ".join(sorted(p for _, p in rows)[:10])
        raise LibraryError(f"several photos are named {base!r}; give the full path or #ID:\n  {listing}")
    raise LibraryError(f"no photo {ref!r} in the library (scan its folder first)")


def _analysed_photo(db: Reader, q: Question) -> tuple[int, tuple]:
    photo_id = resolve_photo(db, q.photo or "")
    error, width, height, caption = db.rows(
        "SELECT photos.error, photos.width, photos.height, photos.caption FROM photos WHERE photos.id = ?", [photo_id]
    )[0]
    if error:
        raise LibraryError(f"{q.photo} could not be analysed: {error}")
    return photo_id, (width, height, caption)


def _is_in(db: Reader, q: Question) -> Answer:
    photo_id, (width, height, _caption) = _analysed_photo(db, q)
    [answer] = _photo_answers(db, {photo_id}) or [PhotoAnswer(q.photo or "", [], {})]
    w, h = width or 1, height or 1
    parts = []
    for name in q.include:
        if name in answer.regions:
            parts.append(f"yes, {show(name)} is in {answer.path} ({describe(tuple(answer.regions[name]), w, h)})")
        else:
            parts.append(f"no, {show(name)} is not in {answer.path}")
    present = [n for n in q.include if n in answer.regions]
    return Answer("; ".join(parts), [answer] if present else [])


def _who(db: Reader, q: Question) -> Answer:
    photo_id, (_w, _h, caption) = _analysed_photo(db, q)
    [answer] = _photo_answers(db, {photo_id})
    return Answer(f"{answer.path}: {caption}", [answer])
