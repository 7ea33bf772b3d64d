"""The undo journal: every curation action records the rows it changed, in the same transaction.

An entry lists row operations in the order they were made — ``insert`` (the new row's id),
``delete`` (the whole row as it was), ``update`` (the columns before and after) — on the tables
that hold what the user said: people, their references, confirmations, rejections, user regions,
and captions. Verdicts are not recorded: undoing an entry applies the operations' inverses in
reverse order, then decides again the photos the action decided (and every photo the people it
touched are in), so verdicts follow from the restored facts.

Entries are undone last first (``undo`` takes the newest entry not undone yet). A row restored
under an id that something else has taken since gets a new id, and the rows after it that point
to it follow. Reference copies an action made obsolete (a removed person's) are moved to
``undo-files/ENTRY/`` once it commits and back when it is undone; they are deleted when the entry
leaves the journal (the newest ``KEEP`` entries are kept).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from plvm_photos.db.models import Concept, Confirmation, JournalEntry, Photo, Reference, Region, Rejection, utcnow
from plvm_photos.errors import LibraryError

if TYPE_CHECKING:
    from plvm_photos.store.library_store import LibraryStore

KEEP = 200  # entries kept (undoable); older ones are dropped, with the files they made obsolete
UNDO_DIR = "undo-files"
TABLES = {m.__tablename__: m for m in (Concept, Reference, Confirmation, Rejection, Region, Photo)}
FOREIGN = {"concept_id": "concepts", "region_id": "regions", "photo_id": "photos"}


def _plain(value):
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _typed(value):
    if isinstance(value, dict) and "b64" in value:
        return base64.b64decode(value["b64"])
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"])
    return value


def _row(obj) -> dict:
    return {c.key: _plain(getattr(obj, c.key)) for c in inspect(type(obj)).column_attrs}


@dataclass
class Recorder:
    """Makes changes through ``session`` and records them for the journal."""

    session: Session
    ops: list[dict] = field(default_factory=list)
    photos: set[int] = field(default_factory=set)  # photos the action decided again
    created_files: list[str] = field(default_factory=list)  # reference copies it made (removed on undo if unused)
    obsolete_files: list[str] = field(default_factory=list)  # reference copies it made unused

    def add(self, obj):
        self.session.add(obj)
        self.session.flush()
        self.ops.append({"op": "insert", "table": obj.__tablename__, "id": obj.id})
        return obj

    def update(self, obj, **values) -> None:
        before = {k: _plain(getattr(obj, k)) for k in values}
        if all(before[k] == _plain(v) for k, v in values.items()):
            return
        for k, v in values.items():
            setattr(obj, k, v)
        self.session.flush()
        self.ops.append({"op": "update", "table": obj.__tablename__, "id": obj.id, "before": before,
                         "after": {k: _plain(v) for k, v in values.items()}})

    def delete(self, obj) -> None:
        self.ops.append({"op": "delete", "table": obj.__tablename__, "row": _row(obj)})
        self.session.delete(obj)
        self.session.flush()

    def delete_concept(self, concept: Concept) -> None:
        """A person with everything the database would delete with them (verdicts aside)."""
        s = self.session
        for model in (Confirmation, Rejection, Reference):
            for row in s.scalars(select(model).where(model.concept_id == concept.id).order_by(model.id)):
                self.delete(row)
        s.expire(concept, ["references"])
        self.delete(concept)

    @property
    def empty(self) -> bool:
        return not self.ops


def record(recorder: Recorder, action: str, summary: str) -> int | None:
    """Store the entry (nothing when nothing changed); returns its id."""
    if recorder.empty:
        return None
    entry = JournalEntry(action=action, summary=summary, changes=json.dumps({
        "ops": recorder.ops, "photos": sorted(recorder.photos),
        "created_files": recorder.created_files, "obsolete_files": sorted(set(recorder.obsolete_files)),
    }))
    recorder.session.add(entry)
    recorder.session.flush()
    return entry.id


@dataclass(frozen=True)
class Action:
    id: int
    action: str
    summary: str
    created_at: datetime
    undone: bool


def history(store: LibraryStore, limit: int = 20, include_undone: bool = False) -> list[Action]:
    """The newest actions first."""
    with store.session() as s:
        query = select(JournalEntry).order_by(JournalEntry.id.desc()).limit(limit)
        if not include_undone:
            query = query.where(JournalEntry.undone_at.is_(None))
        return [Action(e.id, e.action, e.summary, e.created_at, e.undone_at is not None) for e in s.scalars(query)]


def last_action(store: LibraryStore) -> Action | None:
    found = history(store, 1)
    return found[0] if found else None


@dataclass(frozen=True)
class Undone:
    action: str
    summary: str
    photos: int  # photos decided again


def undo(store: LibraryStore) -> Undone:
    """Undo the newest action not undone yet (``LibraryError`` when there is none, or when what
    it restores now clashes with a later change, e.g. the same name registered again)."""
    from sqlalchemy.exc import IntegrityError

    from plvm_photos.curation.redecide import decide_again, photos_of_concepts
    from plvm_photos.engines.registry import open_engine

    engine = open_engine(store)
    try:
        with store.write_transaction() as s:
            entry = s.scalar(select(JournalEntry).where(JournalEntry.undone_at.is_(None))
                             .order_by(JournalEntry.id.desc()).limit(1))
            if entry is None:
                raise LibraryError("nothing to undo")
            changes = json.loads(entry.changes)
            photos = set(changes["photos"]) | photos_of_concepts(s, _touched(s, changes["ops"]))
            concepts, removed_regions = _reverse(s, changes["ops"])
            entry.undone_at = utcnow()
            photos |= photos_of_concepts(s, concepts)
            decided = decide_again(store, engine, s, photos, None)
            summary, action = entry.summary, entry.action
    except IntegrityError as exc:
        raise LibraryError(f"cannot undo: a later change is in the way ({exc.orig})") from None
    if removed_regions:
        store.indexes.forget(removed_regions)
        store.save_index()
    _restore_files(store, entry.id, changes.get("obsolete_files", []))
    _remove_unused(store, changes.get("created_files", []))
    return Undone(action, summary, decided)


def _reverse(s: Session, ops: list[dict]) -> tuple[set[int], list[tuple[int, str]]]:
    """Apply the inverse of each operation, last first. Returns the concepts touched and the
    regions deleted (for the vector indexes)."""
    moved: dict[tuple[str, int], int] = {}  # (table, recorded id) -> id now
    concepts: set[int] = set()
    removed: list[tuple[int, str]] = []

    def now(table: str, rid):
        return moved.get((table, rid), rid) if rid is not None else None

    for op in reversed(ops):
        model = TABLES[op["table"]]
        if op["op"] == "insert":
            obj = s.get(model, now(op["table"], op["id"]))
            if obj is not None:
                if model is Region:
                    removed.append((obj.id, obj.kind))
                concepts.update(_concepts_of(obj))
                s.delete(obj)
                s.flush()
        elif op["op"] == "update":
            obj = s.get(model, now(op["table"], op["id"]))
            if obj is not None:
                for k, v in op["before"].items():
                    setattr(obj, k, now(FOREIGN[k], _typed(v)) if k in FOREIGN else _typed(v))
                concepts.update(_concepts_of(obj))
                s.flush()
        else:
            row = {k: _typed(v) for k, v in op["row"].items()}
            for column, table in FOREIGN.items():
                if column in row and row[column] is not None:
                    row[column] = now(table, row[column])
                    if s.get(TABLES[table], row[column]) is None:  # gone since (a photo analysed again)
                        row[column] = None
            if any(row.get(c) is None and not model.__table__.c[c].nullable for c in FOREIGN if c in row):
                continue  # what it belonged to is gone: nothing to restore it to
            recorded = row["id"]
            if s.get(model, recorded) is not None:
                del row["id"]
            obj = model(**row)
            s.add(obj)
            s.flush()
            moved[(op["table"], recorded)] = obj.id
            concepts.update(_concepts_of(obj))
    return concepts, removed


def _touched(s: Session, ops: list[dict]) -> set[int]:
    """The concepts the operations are about, as the database is before they are reversed (their
    photos are decided again: a person whose addition is undone leaves captions behind)."""
    out: set[int] = set()
    for op in ops:
        model = TABLES[op["table"]]
        if op["op"] == "delete":
            row = op["row"]
            out |= {row["id"]} if model is Concept else {row.get("concept_id")} - {None}
            continue
        if op["op"] == "update":
            out |= {side.get("concept_id") for side in (op["before"], op["after"])} - {None}
        obj = s.get(model, op["id"])
        if obj is not None:
            out |= _concepts_of(obj)
    return out


def _concepts_of(obj) -> set[int]:
    if isinstance(obj, Concept):
        return {obj.id}
    cid = getattr(obj, "concept_id", None)
    return {cid} if cid is not None else set()


def prune(session: Session) -> list[int]:
    """Drop entries beyond the newest ``KEEP``; returns their ids."""
    count = session.scalar(select(func.count(JournalEntry.id)))
    if count <= KEEP:
        return []
    old = list(session.scalars(select(JournalEntry).order_by(JournalEntry.id).limit(count - KEEP)))
    for entry in old:
        session.delete(entry)
    return [entry.id for entry in old]


@dataclass(frozen=True)
class Finished:
    entry_id: int | None
    obsolete_files: tuple[str, ...]
    pruned: tuple[int, ...]


def finish(recorder: Recorder, action: str, summary: str) -> Finished:
    """Record the entry and prune the journal, in ``recorder``'s transaction; give the result to
    ``after_commit`` once the transaction committed."""
    entry_id = record(recorder, action, summary)
    return Finished(entry_id, tuple(sorted(set(recorder.obsolete_files))) if entry_id else (), tuple(prune(recorder.session)))


def after_commit(store: LibraryStore, finished: Finished) -> None:
    """Move the reference copies the action made unused out of ``references/`` (kept for undo),
    and delete those of entries that left the journal."""
    import shutil

    for entry_id in finished.pruned:
        shutil.rmtree(store.root / UNDO_DIR / str(entry_id), ignore_errors=True)
    if finished.entry_id is None or not finished.obsolete_files:
        return
    with store.session() as s:
        used = set(s.scalars(select(Reference.image).where(Reference.image.in_(finished.obsolete_files))))
    folder = store.root / UNDO_DIR / str(finished.entry_id)
    for image in finished.obsolete_files:
        source = store.references_dir / image
        if image in used or not _plain_name(image) or not source.is_file():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(source, folder / image)


def _restore_files(store: LibraryStore, entry_id: int, images: list[str]) -> None:
    import shutil

    folder = store.root / UNDO_DIR / str(entry_id)
    for image in images:
        kept = folder / image
        if _plain_name(image) and kept.is_file() and not (store.references_dir / image).exists():
            store.references_dir.mkdir(parents=True, exist_ok=True)
            os.replace(kept, store.references_dir / image)
    shutil.rmtree(folder, ignore_errors=True)


def _plain_name(image: str) -> bool:
    """Only ever a file name inside references/ (never a path)."""
    return bool(image) and image not in (".", "..") and os.sep not in image and "/" not in image


def _remove_unused(store: LibraryStore, images: list[str]) -> None:
    """Delete reference copies no reference row uses any more."""
    if not images:
        return
    with store.session() as s:
        used = set(s.scalars(select(Reference.image).where(Reference.image.in_(images))))
    for image in set(images) - used:
        if _plain_name(image):
            (store.references_dir / image).unlink(missing_ok=True)
