"""``scan``: index the photos under some folders once, through the same indexer as ``watch``.

Analysis runs in a pool of worker processes (or, for engines with big models, a thread of this
process); this process is the only database writer and commits each photo in its own
transaction, so an interrupted scan loses at most the photos in flight and a second scan picks up
where the first stopped. SIGTERM stops a scan as Ctrl-C does: workers are stopped, what was
committed stays.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import LibraryError
from plvm_photos.indexing.facts import backfill_facts
from plvm_photos.indexing.files import files_under, known_files
from plvm_photos.indexing.indexer import Indexer, Outcome
from plvm_photos.indexing.pool import start_fork_server
from plvm_photos.indexing.pose_backfill import backfill_pose, check_pose_stage
from plvm_photos.indexing.walk import walk_images
from plvm_photos.media.items import item_order
from plvm_photos.media.kinds import MediaOptions, Skipped

if TYPE_CHECKING:
    from plvm_photos.store.library_store import LibraryStore

BATCH = 500  # paths whose database rows are read at once


@dataclass
class ScanSummary:
    files: int = 0  # photo, RAW and video files found
    analysed: int = 0  # photos decoded and analysed
    unchanged: int = 0  # already indexed, skipped without reading
    known_content: int = 0  # a new or changed path whose content the library already had
    errors: int = 0  # files that are not usable images (recorded, skipped)
    missing: int = 0  # files gone from a scanned folder since the last scan
    faces: int = 0  # faces found in the photos analysed
    facts_read: int = 0  # photos analysed by an earlier version whose date and place were read now
    poses_added: int = 0  # with --pose: stored faces the people-pose stage saw now
    seconds: float = 0.0
    error_files: list[dict] = field(default_factory=list)
    skipped: Skipped = field(default_factory=Skipped)  # files found and not indexed, by kind

    def as_dict(self) -> dict:
        return {
            "files": self.files, "analysed": self.analysed, "unchanged": self.unchanged,
            "known_content": self.known_content, "errors": self.errors, "missing": self.missing,
            "faces": self.faces, "facts_read": self.facts_read, "poses_added": self.poses_added,
            "seconds": round(self.seconds, 3), "error_files": self.error_files, "skipped": self.skipped.as_dict(),
        }

    def error(self, path: str, message: str) -> None:
        from plvm_photos.fsnames import printable

        self.errors += 1
        self.error_files.append({"path": printable(path), "error": message})

    def count(self, outcome: Outcome) -> bool:
        """Add ``outcome``; True when the path is done with (not to be offered again)."""
        if outcome.kind == "unchanged":
            self.unchanged += 1
        elif outcome.kind in ("known", "restored", "joined"):
            self.known_content += 1
            if outcome.error:
                self.error(outcome.path, outcome.error)
        elif outcome.kind == "analysed":
            self.analysed += 1
            self.faces += outcome.faces
            self.known_content += outcome.copies
        elif outcome.kind == "error":
            self.error(outcome.path, outcome.error or "error")
        elif outcome.kind == "vanished":
            self.error(outcome.path, "file disappeared before it could be read")
        elif outcome.kind == "failed":
            self.error(outcome.path, f"could not be stored: {outcome.error}")
        return outcome.kind != "changing"


def scan(store: LibraryStore, paths: Iterable[str | Path], workers: int | None = None, progress: bool = True,
         reanalyze: bool = False, retry_failed: bool = False, ray: str | None = None,
         media: MediaOptions | None = None, pose: bool = False) -> ScanSummary:
    """Index new and changed photos and videos under ``paths``; with ``reanalyze``, every photo
    again (after the engine improved: regions, verdicts and captions are replaced, files and
    people kept). ``ray``: analyse on the Ray cluster at this address (``indexing.ray_cluster``);
    ``media``: videos and RAW files left out or not (the files skipped are counted by kind).
    ``pose``: then run the people-pose stage over the stored faces under ``paths`` it has not
    seen (``pose_backfill``)."""
    started = time.perf_counter()
    roots = [os.path.abspath(p) for p in paths]
    for root in roots:
        if not os.path.lexists(root):
            raise LibraryError(f"no such file or folder: {root}")
    summary = ScanSummary()
    engine = open_engine(store)
    if pose:
        check_pose_stage(engine)
    workers = workers if ray else (workers or os.cpu_count() or 1)  # on Ray: the cluster's CPUs by default
    if ray is None:
        start_fork_server(engine.analyzer(), workers)  # it loads the models while the folders are walked
    skip = os.path.abspath(store.root)
    media = media or MediaOptions()
    files = item_order(p for root in roots for p in walk_images(root, skip=skip, on_error=summary.error, media=media,
                                                                 skipped=summary.skipped))
    summary.files = len(files)
    indexer = Indexer(store, engine, workers, reanalyze=reanalyze, retry_failed=retry_failed, ray=ray)
    with _progress(len(files), progress, engine.name) as bar, _sigterm_as_interrupt():
        finished = False
        try:
            _index(store, indexer, files, summary, bar)
            finished = True
        finally:
            indexer.stop(wait=finished)
    summary.facts_read = backfill_facts(store, files)
    if pose:
        summary.poses_added = backfill_pose(store, engine, files, progress)
    summary.missing = _mark_missing(store, roots, set(files))
    summary.seconds = time.perf_counter() - started
    return summary


def _index(store: LibraryStore, indexer: Indexer, files: list[str], summary: ScanSummary, bar) -> None:
    def settle(outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            if outcome.kind == "changing":
                again.append(outcome.path)
            elif summary.count(outcome):
                bar.update(1)

    again: list[str] = []
    for start in range(0, len(files), BATCH):
        batch = files[start : start + BATCH]
        with store.session() as s:
            known = known_files(s, batch)
        for path in batch:
            while not indexer.has_room():
                settle(indexer.collect(timeout=None))
            outcome = indexer.offer(path, known.get(path))
            if outcome is not None:
                settle([outcome])
            settle(indexer.collect(timeout=0))
    settle(indexer.drain())
    changing, again = again, []
    for path in changing:  # changed while it was read or analysed: one more look, then an error
        outcome = indexer.offer(path)
        settle([outcome] if outcome is not None else indexer.drain())
    for path in again:
        summary.error(path, "the file kept changing while it was read")
        bar.update(1)


@contextmanager
def _progress(total: int, enabled: bool, engine_name: str):
    from tqdm import tqdm

    bar = tqdm(total=total, unit="photo", desc=f"analysing ({engine_name})", disable=not enabled or None,
               file=sys.stderr)
    try:
        yield bar
    finally:
        bar.close()


@contextmanager
def _sigterm_as_interrupt():
    """SIGTERM stops a scan the way Ctrl-C does (only where this is the main thread)."""
    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals to whoever runs us
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _mark_missing(store: LibraryStore, roots: list[str], seen: set[str]) -> int:
    """Files under a scanned folder that are gone. A root that is not there marks nothing."""
    marked = 0
    with store.transaction() as s:
        for root in roots:
            if not os.path.isdir(root):
                continue
            for row in files_under(s, root):
                if row.path not in seen and not os.path.exists(row.path):
                    row.missing = True
                    marked += 1
    return marked
