"""The undo journal: every curation action records the rows it changed, in the same transaction.

An entry lists row operations in the order they were made — ``insert`` (the new row's id),
``delete`` (the whole row as it was), ``update`` (the columns before and after) — on the tables
that hold what the user said: people, their references, confirmations, rejections, user regions,
and captions. Verdicts are not recorded: undoing an entry applies the operations' inverses in
reverse order, then decides again the photos the action decided (and every photo the people it
touched are in), so verdicts follow from the restored facts.

Entries are undone last first (``undo`` takes the newest entry not undone yet; given the entry's
id, as the gallery's Undo button does, it refuses when that is no longer the newest). Undoing
records its own operations in the entry (``undo_ops``), and ``redo`` reverses those: the entry
undone last can be done again until a new action is recorded. A row restored under an id that
something else has taken since gets a new id, and the rows after it that point to it follow.

Reference copies: those an action made unused (a removed person's) move to ``undo-files/ENTRY/``
once it commits; those an undo makes unused (an added person's) move there after the undo
commits; a copy that rows use again is moved back into ``references/`` before the transaction
that uses it commits. Undo folders are deleted when their entry leaves the journal (the newest
``KEEP`` entries are kept).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from plvm_photos.db.models import (Concept, Confirmation, FaceMark, JournalEntry, Photo, Reference, Region, Rejection,
                                   Setting, utcnow)
from plvm_photos.errors import LibraryError

if TYPE_CHECKING:
    from plvm_photos.store.library_store import LibraryStore

KEEP = 200  # entries kept (undoable); older ones are dropped, with the files they made obsolete
UNDO_DIR = "undo-files"
TABLES = {m.__tablename__: m for m in (Concept, Reference, Confirmation, Rejection, Region, Photo, FaceMark)}
FOREIGN = {"concept_id": "concepts", "region_id": "regions", "photo_id": "photos"}
REDO_KEY = "internal.redo_stack"  # the entries undone since the last new action (JSON list; redo takes the last)


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
    created_files: list[str] = field(default_factory=list)  # reference copies it made (put away on undo if unused)
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


def record(recorder: Recorder, action: str, summary: str, extend: int | None = None) -> int | None:
    """Store the entry (nothing when nothing changed); returns its id. With ``extend``, an action
    committed in several transactions (``import-xmp``): the operations join that entry, while it
    is still the newest and not undone; else they make a new one."""
    if recorder.empty:
        return extend
    s = recorder.session
    entry = s.get(JournalEntry, extend) if extend is not None else None
    if entry is not None and entry.undone_at is None and undoable(s) is entry:
        changes = json.loads(entry.changes)
        changes["ops"] += recorder.ops
        changes["photos"] = sorted(set(changes["photos"]) | recorder.photos)
        changes["created_files"] += recorder.created_files
        changes["obsolete_files"] = sorted(set(changes["obsolete_files"]) | set(recorder.obsolete_files))
        entry.changes, entry.summary = json.dumps(changes), summary
        s.flush()
        return entry.id
    entry = JournalEntry(action=action, summary=summary, changes=json.dumps({
        "ops": recorder.ops, "photos": sorted(recorder.photos),
        "created_files": recorder.created_files, "obsolete_files": sorted(set(recorder.obsolete_files)),
    }))
    s.add(entry)
    s.flush()
    if _redo_stack(recorder.session):
        _set_redo_stack(recorder.session, [])  # a new action: what was undone before it stays undone
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
    id: int  # the journal entry undone (or redone)
    action: str
    summary: str
    photos: int  # photos decided again


def undoable(session: Session) -> JournalEntry | None:
    """The entry ``undo`` takes: the newest not undone."""
    return session.scalar(select(JournalEntry).where(JournalEntry.undone_at.is_(None))
                          .order_by(JournalEntry.id.desc()).limit(1))


def redoable(session: Session) -> JournalEntry | None:
    """The entry ``redo`` takes: the one undone last, when nothing was done since the undos (a new
    action, as in every editor, leaves nothing to redo)."""
    stack = _redo_stack(session)
    entry = session.get(JournalEntry, stack[-1]) if stack else None
    return entry if entry is not None and entry.undone_at is not None else None


def _redo_stack(session: Session) -> list[int]:
    """The entries undone since the last new action, the one undone last at the end."""
    row = session.get(Setting, REDO_KEY)
    return [int(i) for i in json.loads(row.value)] if row is not None else []


def _set_redo_stack(session: Session, stack: list[int]) -> None:
    row = session.get(Setting, REDO_KEY)
    if row is None:
        session.add(Setting(key=REDO_KEY, value=json.dumps(stack)))
    else:
        row.value = json.dumps(stack)


def next_redo(store: LibraryStore) -> Action | None:
    with store.session() as s:
        e = redoable(s)
        return Action(e.id, e.action, e.summary, e.created_at, True) if e is not None else None


def undo(store: LibraryStore, entry_id: int | None = None) -> Undone:
    """Undo the newest action not undone yet; with ``entry_id``, only if that is still it (a page
    or a script that saw an older state must not undo someone else's later action).
    ``LibraryError`` when there is none, when it is not ``entry_id``, or when what it restores
    now clashes with a later change, e.g. the same name registered again."""
    return _replay(store, entry_id, redo=False)


def redo(store: LibraryStore, entry_id: int | None = None) -> Undone:
    """Do again the action undone last (``redoable``); with ``entry_id``, only if that is still it."""
    return _replay(store, entry_id, redo=True)


def _replay(store: LibraryStore, entry_id: int | None, redo: bool) -> Undone:
    """Undo (or redo) one entry: its operations reversed through a ``Recorder``, whose record of
    them is kept in the entry, so that the other direction is a reversal again. Reference copies
    the restored rows use are back in ``references/`` before the transaction commits (a kill after
    the commit leaves no row pointing at a file that is elsewhere); those no row uses any more
    move to the entry's undo folder after it (a kill before then leaves only an unused file)."""
    from sqlalchemy.exc import IntegrityError

    from plvm_photos.curation.redecide import decide_again, photos_of_concepts, restored_candidates
    from plvm_photos.engines.registry import open_engine

    verb = "redo" if redo else "undo"
    engine = open_engine(store)
    brought: list[tuple[Path, Path]] = []
    try:
        with store.write_transaction() as s:
            entry = redoable(s) if redo else undoable(s)
            if entry is None:
                raise LibraryError(f"nothing to {verb}")
            if entry_id is not None and entry.id != entry_id:
                raise LibraryError(_stale(s, entry_id, entry, verb))
            changes = json.loads(entry.changes)
            ops = changes.pop("undo_ops", []) if redo else changes["ops"]
            incoming, outgoing = ((changes.get("created_files", []), changes.get("obsolete_files", [])) if redo
                                  else (changes.get("obsolete_files", []), changes.get("created_files", [])))
            photos = set(changes["photos"]) | photos_of_concepts(s, _touched(s, ops))
            rec = Recorder(s)
            concepts, removed_regions, added_regions, restored = _reverse(rec, ops)
            if redo:
                changes["ops"] = rec.ops
            else:
                changes["undo_ops"] = rec.ops
            entry.changes = json.dumps(changes)
            entry.undone_at = None if redo else utcnow()
            stack = [i for i in _redo_stack(s) if i != entry.id]
            _set_redo_stack(s, stack if redo else stack + [entry.id])
            photos |= photos_of_concepts(s, concepts) | restored_candidates(
                store, engine, s, [o for o in restored if isinstance(o, Reference)],
                [np.frombuffer(s.get(Region, o.region_id).vector, dtype=np.float32)
                 for o in restored if isinstance(o, Confirmation)])
            decided = decide_again(store, engine, s, photos, None)
            brought = _bring_in(store, entry.id, incoming)
            result = Undone(entry.id, entry.action, entry.summary, decided)
    except IntegrityError as exc:
        _put_back(brought)
        raise LibraryError(f"cannot {verb}: a later change is in the way ({exc.orig})") from None
    except BaseException:
        _put_back(brought)
        raise
    store.indexes.forget(removed_regions)
    store.indexes.add_regions(engine.spaces, added_regions)
    store.save_index()
    _put_away(store, result.id, outgoing)
    return result


def _stale(s: Session, wanted: int, entry: JournalEntry, verb: str) -> str:
    asked = s.get(JournalEntry, wanted)
    what = f"#{wanted} ({asked.summary})" if asked is not None else f"#{wanted}"
    return (f"not done: the last action is now #{entry.id} ({entry.summary}), not {what}; "
            f"look again and {verb} that if you mean to")


def _reverse(rec: Recorder, ops: list[dict]) -> tuple[set[int], list[tuple[int, str]], list[tuple[int, str, np.ndarray]], list]:
    """Apply the inverse of each operation, last first, through ``rec``. Returns the concepts
    touched, the regions deleted and added (for the vector indexes) and the rows put back."""
    s = rec.session
    restored: list = []
    moved: dict[tuple[str, int], int] = {}  # (table, recorded id) -> id now
    concepts: set[int] = set()
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str, np.ndarray]] = []

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
                rec.delete(obj)
        elif op["op"] == "update":
            obj = s.get(model, now(op["table"], op["id"]))
            if obj is not None:
                rec.update(obj, **{k: now(FOREIGN[k], _typed(v)) if k in FOREIGN else _typed(v)
                                   for k, v in op["before"].items()})
                concepts.update(_concepts_of(obj))
        else:
            row = {k: _typed(v) for k, v in op["row"].items()}
            for column, table in FOREIGN.items():
                if column in row and row[column] is not None:
                    row[column] = now(table, row[column])
                    if s.get(TABLES[table], row[column]) is None:  # gone since (a photo analysed again)
                        row[column] = None
            if any(row.get(c) is None and not model.__table__.c[c].nullable for c in FOREIGN if c in row):
                continue  # what it belonged to is gone: nothing to restore it to
            if model is Rejection and op["row"].get("region_id") is not None and row["region_id"] is None:
                continue  # a rejection of a face that is gone: never widened to the whole photo
            recorded = row["id"]
            if s.get(model, recorded) is not None:
                del row["id"]
            obj = rec.add(model(**row))
            restored.append(obj)
            moved[(op["table"], recorded)] = obj.id
            if model is Region:
                added.append((obj.id, obj.kind, np.frombuffer(obj.vector, dtype=np.float32)))
            concepts.update(_concepts_of(obj))
    return concepts, removed, added, restored


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


def finish(recorder: Recorder, action: str, summary: str, extend: int | None = None) -> Finished:
    """Record the entry (``extend``: see ``record``) and prune the journal, in ``recorder``'s
    transaction; give the result to ``after_commit`` once the transaction committed."""
    entry_id = record(recorder, action, summary, extend)
    return Finished(entry_id, tuple(sorted(set(recorder.obsolete_files))) if entry_id else (), tuple(prune(recorder.session)))


def after_commit(store: LibraryStore, finished: Finished) -> None:
    """Move the reference copies the action made unused out of ``references/`` (kept for undo),
    and delete the undo folders of entries that left the journal."""
    for entry_id in finished.pruned:
        _drop_folder(store, entry_id)
    if finished.entry_id is not None:
        _put_away(store, finished.entry_id, list(finished.obsolete_files))


def _folder(store: LibraryStore, entry_id: int) -> Path:
    return store.root / UNDO_DIR / str(entry_id)


def _unused(store: LibraryStore, images: list[str]) -> set[str]:
    """Of ``images``, the plain file names no reference row uses."""
    if not images:
        return set()
    with store.session() as s:
        used = set(s.scalars(select(Reference.image).where(Reference.image.in_(images))))
    return {image for image in images if image not in used and _plain_name(image)}


def _put_away(store: LibraryStore, entry_id: int, images: list[str]) -> None:
    """Move the copies no row uses any more from ``references/`` to the entry's undo folder (after
    the commit that left them unused)."""
    for image in sorted(_unused(store, images)):
        source = store.references_dir / image
        if source.is_file() and not source.is_symlink():
            _folder(store, entry_id).mkdir(parents=True, exist_ok=True)
            os.replace(source, _folder(store, entry_id) / image)


def _bring_in(store: LibraryStore, entry_id: int, images: list[str]) -> list[tuple[Path, Path]]:
    """Move the entry's kept copies of ``images`` back into ``references/`` (before the commit
    that makes rows use them again); returns the (from, to) moves made, for ``_put_back``."""
    moves = []
    for image in images:
        kept, target = _folder(store, entry_id) / image, store.references_dir / image
        if _plain_name(image) and kept.is_file() and not target.exists():
            store.references_dir.mkdir(parents=True, exist_ok=True)
            os.replace(kept, target)
            moves.append((kept, target))
    return moves


def _put_back(moves: list[tuple[Path, Path]]) -> None:
    """Undo ``_bring_in``'s moves (its transaction did not commit)."""
    for kept, target in moves:
        try:
            os.replace(target, kept)
        except OSError:
            pass  # left in references/: an unused copy, harmless


def _drop_folder(store: LibraryStore, entry_id: int) -> None:
    """Delete the undo folder of an entry that left the journal; a copy there that a reference row
    still uses (a library an earlier version left so, killed in the middle of an undo) goes back
    to ``references/`` instead."""
    import shutil

    folder = _folder(store, entry_id)
    if not folder.is_dir():
        return
    images = [p.name for p in folder.iterdir()]
    _bring_in(store, entry_id, sorted(set(images) - _unused(store, images)))
    shutil.rmtree(folder, ignore_errors=True)


def _plain_name(image: str) -> bool:
    """Only ever a file name inside references/ (never a path)."""
    return bool(image) and image not in (".", "..") and os.sep not in image and "/" not in image
