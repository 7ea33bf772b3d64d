"""One way in for a photo, shared by ``scan`` and ``watch``: plan, pool, single writer.

The caller offers paths (with what the database knows of them); the indexer decides what each
needs (``plan.plan_path``), records errors and known content at once, and sends new content to
the analysis pool — a bounded window of photos in flight, so memory does not grow with a burst.
Finished analyses are committed by this process, the only writer, one transaction per photo.

A worker that dies (killed, out of memory on a hostile file) costs nothing but time: the pool
is restarted and the photos that were in hand are analysed again one at a time; a photo that
kills a worker on its own twice is recorded as failed, and later scans skip it unless asked to
retry failed files.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable

from plvm_photos.engines.base import Engine
from plvm_photos.indexing.analysis import AnalysisJob, AnalysisResult
from plvm_photos.indexing.commit import commit_result
from plvm_photos.indexing.concepts import ConceptsCache
from plvm_photos.indexing.facts import same_moment
from plvm_photos.indexing.files import (
    FileStat,
    Known,
    attach_known_content,
    item_photo,
    quick_stat,
    record_file_error,
    upsert_file,
)
from plvm_photos.indexing.plan import plan_path
from plvm_photos.indexing.pool import AnalysisPool
from plvm_photos.media.items import siblings
from plvm_photos.media.kinds import VIDEO, media_kind
from plvm_photos.media.video import VideoSampling

if TYPE_CHECKING:
    from plvm_photos.store.library_store import LibraryStore

WORKER_DIED = "the analysis process died on this file"


def same_face_distance(engine: Engine) -> float:
    """How close two regions of one video must be to be one face: the engine's first space that
    says (``VectorSpace.same_face``), else VideoSampling's default."""
    return next((space.same_face for space in engine.spaces if space.same_face), VideoSampling().same_face)
INDEX_SAVE_EVERY = 200  # photos between saves of the FAISS caches during long runs


@dataclass
class InFlight:
    job: AnalysisJob
    stats: list[FileStat]  # first: the path analysed; then other paths with the same content
    attempt: int = 0  # decodes already failed for this file (the watcher retries young files)
    crashes: int = 0
    submitted: float = field(default_factory=time.monotonic)
    # the item's other files (``media.items``) and their content hashes: stored with it when it
    # is analysed, analysed themselves when it is not a usable photo (the next best member)
    companions: list[tuple[FileStat, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """What happened to a path. ``kind``: analysed | error | known | restored | unchanged | joined |
    changing (being written: offer it again later) | vanished | retry (the caller's retry rule) |
    failed (could not be stored: offer it again later)."""

    kind: str
    path: str
    faces: int = 0
    present: tuple[str, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    copies: int = 0  # further paths of the same content stored with it
    attempt: int = 0


class Indexer:
    def __init__(self, store: LibraryStore, engine: Engine, workers: int | None, *, reanalyze: bool = False,
                 retry_failed: bool = False, retry: Callable[[InFlight, AnalysisResult], bool] | None = None,
                 ray: str | None = None):
        """``ray``: analyse on the Ray cluster at this address (``ray_cluster``) instead of local
        processes; ``workers`` None there means one per CPU of the cluster."""
        self.store = store
        self.engine = engine
        if ray is None:
            self.pool = AnalysisPool(engine.analyzer(), workers or 1)
        else:
            from plvm_photos.indexing.ray_pool import RayPool

            self.pool = RayPool(engine.analyzer(), workers, ray)
        self.window = 2 * self.pool.workers
        self.concepts = ConceptsCache(engine)
        self.reanalyze = reanalyze
        self.retry_failed = retry_failed
        self.retry = retry
        self.in_flight: dict[Future, InFlight] = {}
        self.by_sha: dict[str, InFlight] = {}
        self.suspects: list[InFlight] = []  # in hand when a worker died: analysed again one at a time
        self.analysed_shas: set[str] = set()  # with reanalyze: content already redone in this run
        self.worker_crashes = 0
        self.stored_since_save = 0
        self.video = VideoSampling(same_face=same_face_distance(engine))

    # --- lifetime -------------------------------------------------------------------------------
    def start(self) -> None:
        self.pool.start()

    def stop(self, wait: bool = True) -> None:
        self.pool.stop(wait=wait)
        self.in_flight.clear()
        self.by_sha.clear()
        self.store.save_index()

    @property
    def busy(self) -> int:
        return len(self.in_flight) + len(self.suspects)

    def has_room(self) -> bool:
        return not self.suspects and len(self.in_flight) < self.window

    def holds(self, path: str) -> bool:
        return self._holding(path) is not None

    def _holding(self, path: str) -> InFlight | None:
        for item in [*self.in_flight.values(), *self.suspects]:
            if any(st.path == path for st in item.stats) or any(st.path == path for st, _ in item.companions):
                return item
        return None

    def job(self, path: str, sha256: str) -> AnalysisJob:
        return AnalysisJob(path, sha256, self.video if media_kind(path) == VIDEO else None)

    # --- paths in -------------------------------------------------------------------------------
    def offer(self, path: str, known: Known | None = None, attempt: int = 0) -> Outcome | None:
        """Plan ``path``; None when its content went into the pool (its outcome comes from ``collect``)."""
        planned = plan_path(path, known, self.engine.name, self.reanalyze, self.retry_failed)
        if planned.action == "unchanged":
            return Outcome("unchanged", path)
        if planned.action in ("gone", "changing"):
            return Outcome("vanished" if planned.action == "gone" else "changing", path)
        if planned.action == "error":
            if known is None or known.error != planned.error or known.missing:
                with self.store.transaction() as s:
                    record_file_error(s, path, planned.error)
            return Outcome("error", path, error=planned.error)
        sha256, stat = planned.sha256, planned.stat
        pending = self.by_sha.get(sha256)
        if pending is not None:  # the same content is being analysed: it gets this path too
            if all(s.path != path for s in pending.stats):
                pending.stats.append(stat)
            return Outcome("joined", path)
        if not self.reanalyze or sha256 in self.analysed_shas:
            with self.store.transaction() as s:
                attached = attach_known_content(s, stat, sha256, self.engine.name)
            if attached is not None:
                return Outcome("restored" if attached.restored else "known", path, error=attached.error)
        joined = self._join_item(stat, sha256)
        if joined is not None:
            return joined
        self.submit(InFlight(self.job(path, sha256), [stat], attempt=attempt))
        return None

    def _join_item(self, stat: FileStat, sha256: str) -> Outcome | None:
        """``stat.path`` as a companion of the item its siblings make (``media.items``): of the
        one being analysed, or of the one stored; None when it is no item's or the first of one."""
        others = siblings(stat.path)
        if not others:
            return None
        for other in others:
            pending = self._holding(other)
            if pending is not None and same_moment(stat.path, other):
                pending.companions.append((replace(stat, companion=True), sha256))
                return Outcome("joined", stat.path)
        with self.store.session() as s:
            found = item_photo(s, others)
        if found is None or not same_moment(stat.path, found[0]):
            return None
        with self.store.transaction() as s:
            upsert_file(s, replace(stat, companion=True), found[1])
        return Outcome("known", stat.path)

    def submit(self, item: InFlight) -> None:
        item.submitted = time.monotonic()
        try:
            future = self.pool.submit(item.job)
        except BrokenProcessPool:  # a worker died while the pool was idle
            self.worker_crashes += 1
            self.pool.restart()
            future = self.pool.submit(item.job)
        self.in_flight[future] = item
        self.by_sha[item.job.sha256] = item

    # --- results out ----------------------------------------------------------------------------
    def collect(self, timeout: float | None = 0.0) -> list[Outcome]:
        """Commit what finished (waiting up to ``timeout`` seconds for something to finish)."""
        if self.suspects and not self.in_flight:
            self.submit(self.suspects.pop(0))
        if not self.in_flight:
            return []
        done, _ = wait(list(self.in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        outcomes: list[Outcome] = []
        for future in done:
            item = self.in_flight.pop(future, None)
            if item is None:
                continue  # dropped by a pool restart earlier in this loop
            self.by_sha.pop(item.job.sha256, None)
            try:
                result = future.result()
            except BrokenProcessPool:
                outcomes.extend(self._worker_died(item))
                continue
            except Exception as exc:  # a bug in an analyzer: recorded against the photo, not fatal
                result = AnalysisResult(item.job, None, f"{type(exc).__name__}: {exc}", 0.0)
            try:
                outcomes.extend(self._store(item, result))
            except Exception as exc:  # e.g. the database stayed locked: the caller offers it again later
                outcomes.append(Outcome("failed", item.job.path, error=f"{type(exc).__name__}: {exc}"))
        return outcomes

    def drain(self) -> list[Outcome]:
        outcomes: list[Outcome] = []
        while self.in_flight or self.suspects:
            outcomes.extend(self.collect(timeout=None))
        return outcomes

    def _worker_died(self, first: InFlight) -> list[Outcome]:
        """A worker died: restart the pool; the photos in hand are suspects, analysed again alone."""
        items = [first] + list(self.in_flight.values())
        self.in_flight.clear()
        self.by_sha.clear()
        self.worker_crashes += 1
        self.pool.restart()
        outcomes = []
        for item in items:
            item.crashes += 1
            if (item.crashes >= 2 and len(items) == 1) or item.crashes >= 3:
                with self.store.transaction() as s:
                    record_file_error(s, item.job.path, WORKER_DIED)
                outcomes.append(Outcome("error", item.job.path, error=WORKER_DIED))
                self._next_member(item)
            else:
                self.suspects.append(item)
        return outcomes

    def _next_member(self, item: InFlight) -> None:
        """``item`` is not a usable photo: its item's next best member is analysed instead."""
        if item.companions:
            first, sha = item.companions[0]
            self.submit(InFlight(self.job(first.path, sha), [replace(first, companion=False)], companions=item.companions[1:]))

    def _store(self, item: InFlight, result: AnalysisResult) -> list[Outcome]:
        current: list[FileStat] = []  # the paths that still hold the analysed content
        outcomes: list[Outcome] = []
        for stat in item.stats:
            st = quick_stat(stat.path)
            if st is None:
                continue
            if st != (stat.size, stat.mtime_ns):
                outcomes.append(Outcome("changing", stat.path))  # changed while analysed: offer it again
                continue
            current.append(stat)
        if result.vanished and current:  # moved while queued: analyse it at its other path
            self.submit(InFlight(self.job(current[0].path, item.job.sha256), current, item.attempt, companions=item.companions))
            return outcomes
        if not current:  # rewritten (offered again), else gone: never both said of one file
            return outcomes or [Outcome("vanished", item.job.path)]
        if result.error and self.retry is not None and self.retry(item, result):
            return outcomes + [Outcome("retry", current[0].path, error=result.error, attempt=item.attempt + 1)]
        if result.error:
            self._next_member(item)
        else:
            current += [st for st, _ in item.companions if quick_stat(st.path) == (st.size, st.mtime_ns)]
        committed = commit_result(self.store, self.engine, self.concepts, result, current)
        self.analysed_shas.add(item.job.sha256)
        self.stored_since_save += 1
        if self.stored_since_save >= INDEX_SAVE_EVERY:
            self.store.save_index()
            self.stored_since_save = 0
        kind = "error" if committed.error else "analysed"
        return outcomes + [Outcome(kind, current[0].path, committed.faces, tuple(committed.present), committed.error,
                                   round(time.monotonic() - item.submitted, 3), copies=len(current) - 1)]
