"""The photos an answer is about, read from the database: path, size, caption, date, place, and
who is recognised where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone

from plvm_photos.ask.reader import Reader, as_datetime
from plvm_photos.fsnames import from_db
from plvm_photos.ask.results import PhotoAnswer

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PhotoRow:
    id: int
    path: str  # the first present file (of an item: the one analysed), else the first file (for history)
    caption: str | None
    width: int
    height: int
    taken: str | None
    place: str | None
    kind: str = "photo"  # photo | video
    duration: float | None = None  # a video's, in seconds


def taken_text(taken, source: str | None, offset_minutes: int | None) -> str | None:
    """The camera's date-time as ISO 8601, or None (no date, or only the file's)."""
    if taken is None or source != "exif":
        return None
    if isinstance(taken, str) and offset_minutes is None and len(taken) == 26:  # SQLite's text, as stored
        return f"{taken[:10]}T{taken[11:19]}" + ("" if taken.endswith(".000000") else taken[19:])
    moment = as_datetime(taken)
    if offset_minutes is not None:
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    return moment.isoformat()


def place_text(name: str | None, admin1: str | None, country: str | None) -> str | None:
    """"Paris, Île-de-France, France", without repeating a part ("Tokyo, Japan")."""
    parts: list[str] = []
    for part in (name, admin1, country):
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts) or None


# The columns of a PhotoRow, after photos.id; the path is the first present file (its parameter
# is False, for files.missing). Selecting photos can read them in the same query (``row_of``).
FIRST_FILE = "ORDER BY CASE WHEN files.role IS NULL THEN 0 ELSE 1 END, files.id"  # an item's companions last
ROW_COLUMNS = (
    f"(SELECT files.path FROM files WHERE files.photo_id = photos.id AND files.missing = ? {FIRST_FILE} LIMIT 1), "
    "photos.caption, photos.width, photos.height, photos.taken_at, photos.taken_source, photos.taken_offset_minutes, "
    "photos.place_name, photos.admin1, photos.country, photos.kind, photos.duration"
)
ROW_WIDTH = 12


class RowReader:
    """PhotoRows from ``ROW_COLUMNS`` values; place names are joined once per place."""

    def __init__(self):
        self._places: dict[tuple, str | None] = {}

    def row_of(self, photo_id: int, values) -> PhotoRow:
        path, caption, width, height, taken, source, offset, place, admin1, country, kind, duration = values
        key = (place, admin1, country)
        shown = self._places.get(key, "")
        if shown == "":
            shown = self._places[key] = place_text(place, admin1, country)
        return PhotoRow(photo_id, from_db(path), caption, width or 1, height or 1, taken_text(taken, source, offset), shown,
                        kind or "photo", duration)


def photo_rows(db: Reader, photo_ids) -> dict[int, PhotoRow]:
    """Each photo that has a file (a photo whose files are all missing: its last known path)."""
    out: dict[int, PhotoRow] = {}
    reader = RowReader()
    for condition, params in db.id_filters("photos.id", sorted(photo_ids)):
        for pid, *values in db.rows(f"SELECT photos.id, {ROW_COLUMNS} FROM photos WHERE {condition}", [False, *params]):
            if values[0] is None:
                values[0] = db.value(f"SELECT files.path FROM files WHERE files.photo_id = ? {FIRST_FILE} LIMIT 1", [pid])
            if values[0] is not None:
                out[pid] = reader.row_of(pid, values)
    return out


def recognised(db: Reader, photo_ids) -> dict[int, dict[str, list[int]]]:
    """Photo id -> {display name: box} of every present verdict ([] where it has no box)."""
    ids = sorted(photo_ids)
    people: dict[int, dict[str, list[int]]] = {pid: {} for pid in ids}
    for condition, params in db.id_filters("verdicts.photo_id", ids):
        for display, photo_id, region_id, left, top, right, bottom in db.rows(
            'SELECT concepts.display, verdicts.photo_id, regions.id, regions."left", regions.top, regions."right", '
            "regions.bottom FROM verdicts JOIN concepts ON concepts.id = verdicts.concept_id "
            "LEFT OUTER JOIN regions ON regions.id = verdicts.region_id "
            f"WHERE {condition} AND verdicts.present = ?",
            [*params, True],
        ):
            people[photo_id][display] = [left, top, right, bottom] if region_id is not None else []
    return people


def seen_times(db: Reader, photo_ids) -> dict[int, dict[str, list[list[float]]]]:
    """Video id -> {display name: [[start, end], ...]}: when each person recognised in it is seen."""
    import json

    out: dict[int, dict[str, list[list[float]]]] = {}
    for condition, params in db.id_filters("verdicts.photo_id", sorted(photo_ids)):
        for display, photo_id, segments in db.rows(
            "SELECT concepts.display, verdicts.photo_id, regions.segments FROM verdicts "
            "JOIN concepts ON concepts.id = verdicts.concept_id JOIN regions ON regions.id = verdicts.region_id "
            f"WHERE {condition} AND verdicts.present = ? AND regions.segments IS NOT NULL",
            [*params, True],
        ):
            out.setdefault(photo_id, {})[display] = json.loads(segments)
    return out


def item_files(db: Reader, photo_ids) -> dict[int, list[str]]:
    """Photo id -> its present files (of an item: the one analysed first, then its companions)."""
    out: dict[int, list[str]] = {}
    for condition, params in db.id_filters("files.photo_id", sorted(photo_ids)):
        for photo_id, path in db.rows(
            f"SELECT files.photo_id, files.path FROM files WHERE {condition} AND files.missing = ? "
            "ORDER BY files.photo_id, CASE WHEN files.role IS NULL THEN 0 ELSE 1 END, files.id",
            [*params, False],
        ):
            out.setdefault(photo_id, []).append(from_db(path))
    return out


def face_boxes(db: Reader, photo_id: int) -> list[Box]:
    """Every face in the photo (and the box of each present verdict that is not a face region,
    e.g. a pet's crop), for positions relative to the others."""
    rows = db.rows(
        'SELECT regions."left", regions.top, regions."right", regions.bottom FROM regions '
        "WHERE regions.photo_id = ? AND (regions.kind = 'face' OR regions.id IN "
        "(SELECT verdicts.region_id FROM verdicts WHERE verdicts.photo_id = ? AND verdicts.present = ?))",
        [photo_id, photo_id, True],
    )
    return [tuple(row) for row in rows]


def photo_answers(db: Reader, photo_ids, rows: dict[int, PhotoRow] | None = None) -> list[PhotoAnswer]:
    """The photos as answers, by path."""
    ids = sorted(photo_ids)
    rows = photo_rows(db, ids) if rows is None else rows
    people = recognised(db, ids)
    videos = [pid for pid in ids if pid in rows and rows[pid].kind == "video"]
    times = seen_times(db, videos) if videos else {}
    files = item_files(db, ids)
    answers = [
        PhotoAnswer(
            path=rows[pid].path,
            people=sorted(people[pid], key=lambda n: (people[pid][n][:1] or [0])[0]),
            regions=people[pid],
            caption=rows[pid].caption,
            taken=rows[pid].taken,
            place=rows[pid].place,
            kind=rows[pid].kind,
            files=files.get(pid) or [rows[pid].path],
            segments=times.get(pid, {}),
            duration=rows[pid].duration,
        )
        for pid in ids
        if pid in rows
    ]
    answers.sort(key=lambda a: a.path)
    return answers
