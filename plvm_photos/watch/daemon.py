"""``plvm-photos watch``: keep a library up to date with folders, for weeks, through faults.

One thread does all database writes. watchdog events, a catch-up walk at start and periodic
rescans all feed one settle stage; settled files are hashed here, known content only gets its
path recorded, new content goes to a pool of analysis processes (a bounded window of photos in
flight), and each result is committed in one transaction. Moves update paths, deletes mark files
missing, and a root that is gone or unmounted changes nothing in the database.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import queue
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path

from plvm_photos.fsnames import printable
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import LibraryError
from plvm_photos.indexing.facts import backfill_facts
from plvm_photos.indexing.files import (
    FileStat,
    files_under,
    known_files,
    mark_missing,
    move_file,
    move_folder,
    quick_stat,
    record_file_error,
)
from plvm_photos.indexing.indexer import Indexer, InFlight, Outcome
from plvm_photos.indexing.walk import walk_batches
from plvm_photos.media.kinds import MediaOptions, Skipped, classify
from plvm_photos.store.library_store import LibraryStore
from plvm_photos.watch.events import EventSource, FsEvent
from plvm_photos.watch.lock import watch_lock
from plvm_photos.watch.roots import Root, Walk, identity
from plvm_photos.watch.settle import Observed, Settler
from plvm_photos.watch.status import WatchStatus, write_status

log = logging.getLogger("plvm_photos.watch")
LOG_FILE = "watch.log"
ROOT_CHECK_SECONDS = 2.0
STATUS_EVERY_SECONDS = 1.0
# After its writer closed it (IN_CLOSE_WRITE), a file need only stay unchanged this long: copy
# tools write and close once. A file closed while still incomplete fails to decode, is looked at
# again after the full settle time, and is re-read when it changes.
CLOSED_SETTLE_SECONDS = 0.25
YOUNG_SECONDS = 30.0  # a file modified this recently gets a second decode before its error is recorded


@dataclass
class WatchOptions:
    roots: list[str]
    workers: int = 0  # 0: one per CPU core
    settle: float = 1.0
    rescan: float = 900.0  # seconds between full rescans; 0 = never
    json_lines: bool = False
    grace: float = 10.0  # on SIGTERM/SIGINT, seconds to let photos in hand finish
    events: bool = True  # False: rescans only (network shares whose changes raise no events)
    ray: str | None = None  # analyse on this Ray cluster (indexing.ray_cluster) instead of local processes
    media: MediaOptions = field(default_factory=MediaOptions)  # videos and RAW files indexed or left out


def setup_logging(library_root: Path) -> None:
    log.setLevel(logging.INFO)
    log.propagate = False
    for handler in list(log.handlers):
        log.removeHandler(handler)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(fmt)
    log.addHandler(stderr)
    to_file = logging.handlers.RotatingFileHandler(library_root / LOG_FILE, maxBytes=5_000_000, backupCount=3)
    to_file.setFormatter(fmt)
    log.addHandler(to_file)


class WatchDaemon:
    def __init__(self, library: LibraryStore, options: WatchOptions):
        self.library = library
        self.options = options
        self.workers = options.workers or os.cpu_count() or 1
        self.roots = [Root(os.path.abspath(p)) for p in options.roots]
        self.library_dir = os.path.abspath(library.root)
        self.settler = Settler(options.settle)
        self.indexer: Indexer | None = None  # the one way in for photos, shared with scan
        self.retry_decode: dict[str, int] = {}  # decodes already failed for a young file
        self.walks: list[Walk] = []
        self.skipped_by_root: dict[str, Skipped] = {}  # each root's last complete walk
        self.skipped_since: dict[str, str] = {}  # path -> kind: skipped on an event since the last walk
        self._stop = False
        self._next_rescan = float("inf")
        self._next_root_check = 0.0
        self._next_status = 0.0
        self.status = WatchStatus(
            pid=os.getpid(),
            library=self.library_dir,
            roots=[],
            workers=self.workers,
            settle_seconds=options.settle,
            rescan_seconds=options.rescan,
        )

    # --- lifecycle ------------------------------------------------------------------------
    def run(self) -> int:
        for root in self.roots:
            if not os.path.isdir(root.path):
                raise LibraryError(f"no such folder: {root.path}")
        engine = open_engine(self.library)  # a library without its model weights fails here, as scan does
        lock = watch_lock(self.library)  # a file lock; an advisory lock for a library in PostgreSQL
        lock.acquire()
        try:
            setup_logging(Path(self.library.root))
            self._install_signals()
            workers = (self.options.workers or None) if self.options.ray else self.workers  # Ray: the cluster's CPUs
            self.indexer = Indexer(self.library, engine, workers, retry=self._retry_young, ray=self.options.ray)
            self.workers = self.indexer.pool.workers
            return self._run_locked()
        finally:
            lock.release()

    def _install_signals(self) -> None:
        def stop(signum, _frame) -> None:
            if self._stop:
                return
            self._stop = True
            log.info("received %s: finishing the photos in hand", signal.Signals(signum).name)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def _run_locked(self) -> int:
        log.info(
            "watching %s with the %s engine, %d analysis process(es), settle %.2f s, rescan every %s",
            ", ".join(r.path for r in self.roots),
            self.indexer.engine.name,
            self.workers,
            self.options.settle,
            f"{self.options.rescan:.0f} s" if self.options.rescan > 0 else "never",
        )
        self._emit("started", roots=[r.path for r in self.roots], workers=self.workers, pid=os.getpid())
        self.indexer.start()
        self.source = EventSource()
        try:
            self._check_roots(initial=True)
            self._loop()
            self._finish()
        finally:
            self.source.stop()
            self.library.save_index()
            self.status.state = "stopped"
            self.status.queue = self._queue_info()
            write_status(Path(self.library.root), self.status)
        self._emit("stopped", **{k: v for k, v in vars(self.status.counters).items()})
        log.info("stopped cleanly")
        return 0

    def _loop(self) -> None:
        while not self._stop:
            now = time.monotonic()
            self._drain_events()
            if now >= self._next_root_check:
                self._check_roots()
                self._next_root_check = now + ROOT_CHECK_SECONDS
            if not self.walks and now >= self._next_rescan:
                self._start_walks([r for r in self.roots if r.online], reason="periodic rescan")
            self._advance_walks()
            self._collect()
            self._dispatch()
            busy = bool(self.indexer.busy or len(self.settler) or self.walks)
            if not busy and self.indexer.stored_since_save:
                self.library.save_index()  # idle: let add-person load a fresh cache
                self.indexer.stored_since_save = 0
            if now >= self._next_status:
                self._write_status()
                self._next_status = now + STATUS_EVERY_SECONDS
            self._sleep(busy)

    def _sleep(self, busy: bool) -> None:
        """Wait for the next thing to do: a result, an event, a settle check or a timer."""
        if self.indexer.in_flight:
            wait(list(self.indexer.in_flight), timeout=0.05, return_when=FIRST_COMPLETED)
            return
        if self.walks:
            return
        timeout = 1.0
        due = self.settler.next_due()
        if due is not None:
            timeout = min(timeout, max(0.0, due - time.monotonic()))
        if timeout <= 0:
            return
        try:
            event = self.source.events.get(timeout=timeout)
        except queue.Empty:
            return
        self._handle_event(event)

    def _finish(self) -> None:
        """Stop: finish the photos in hand within the grace time, abandon the rest."""
        self.status.state = "stopping"
        self._write_status()
        deadline = time.monotonic() + self.options.grace
        while self.indexer.in_flight and time.monotonic() < deadline:
            self._collect(timeout=max(0.0, deadline - time.monotonic()))
        abandoned = len(self.indexer.in_flight)
        if abandoned:
            log.info("abandoning %d photo(s) in hand; they are analysed on the next start", abandoned)
        self.indexer.stop(wait=not abandoned)

    # --- roots and walks ------------------------------------------------------------------
    def _check_roots(self, initial: bool = False) -> None:
        came_back = []
        for root in self.roots:
            change = root.check()
            if change == "offline":
                self.source.unwatch(root.path)
                root.watched = False
                self.walks = [w for w in self.walks if w.root is not root]
                log.warning("%s is gone or unmounted: nothing is marked missing while it is away", root.path)
                self._emit("root-offline", root=root.path)
            elif change in ("online", "replaced"):
                root.watched = self.options.events and self.source.watch(root.path)
                if not initial:
                    log.info("%s is %s: rescanning it", root.path, "back" if change == "online" else "a new folder")
                    self._emit("root-online", root=root.path)
                came_back.append(root)
        if came_back:
            self._start_walks(came_back, reason="catch-up scan" if initial else "root back")
        self.status.roots = [r.as_dict() for r in self.roots]

    def _start_walks(self, roots: list[Root], reason: str) -> None:
        for root in roots:
            self.walks = [w for w in self.walks if w.root is not root]
            skipped = Skipped()
            self.walks.append(Walk(root, walk_batches(root.path, skip=self.library_dir, on_error=self._walk_error,
                                                      media=self.options.media, skipped=skipped), skipped=skipped))
        log.info("%s of %s", reason, ", ".join(r.path for r in roots))
        self.status.state = "catching-up"
        if self.options.rescan > 0:
            self._next_rescan = time.monotonic() + self.options.rescan

    def _advance_walks(self) -> None:
        """One batch of one walk per loop turn, so events and results are not starved."""
        if not self.walks:
            return
        walk = self.walks[0]
        batch = next(walk.batches, None)
        if batch is None:
            self.walks.pop(0)
            self._end_walk(walk)
            return
        known = self._known(batch)
        for path in batch:
            walk.seen.add(path)
            row = known.get(path)
            if row is not None:
                st = quick_stat(path)
                if st is not None and row.unchanged(*st, self.indexer.engine.name):
                    self.status.counters.unchanged += 1
                    continue
            if path not in self.settler and not self._is_in_flight(path):
                self.settler.touch(path)

    def _end_walk(self, walk: Walk) -> None:
        """Mark missing what the database has under the root and the walk did not find."""
        root = walk.root
        if not self._deletes_allowed(root.path):
            log.warning("%s went away or changed during its scan: nothing marked missing", root.path)
            return
        with self.library.session() as s:
            rows = [r.path for r in files_under(s, root.path)]
        gone = [p for p in rows if p not in walk.seen and not os.path.lexists(p)]
        if gone and not walk.seen:
            # An empty mount point where a disk was: not a reason to forget thousands of photos.
            log.warning("%s is empty but the library has %d file(s) there: not marking them missing", root.path, len(rows))
        elif gone:
            with self.library.transaction() as s:
                marked = mark_missing(s, gone)
            self.status.counters.missing += marked
            for path in gone[:50]:
                self._emit("missing", path=printable(path))
            log.info("%d file(s) under %s are gone: marked missing", marked, root.path)
        self.skipped_by_root[root.path] = walk.skipped
        self.skipped_since = {p: k for p, k in self.skipped_since.items() if self._root_of(p) is not root}
        self._count_skipped()
        facts = backfill_facts(self.library, walk.seen)
        if facts:
            log.info("read the date and place of %d photo(s) indexed by an earlier version", facts)
        root.walked = True
        self.status.rescans += 1
        self.status.last_rescan_at = time.time()

    def _root_of(self, path: str) -> Root | None:
        for root in self.roots:
            if path == root.path or path.startswith(root.path.rstrip(os.sep) + os.sep):
                return root
        return None

    def _deletes_allowed(self, path: str) -> bool:
        """Only while the path's root is the folder it was (not gone, unmounted or replaced)."""
        root = self._root_of(path)
        return root is not None and root.online and identity(root.path) == root.ident

    def _ignored(self, path: str) -> bool:
        return path == self.library_dir or path.startswith(self.library_dir + os.sep)

    # --- events ---------------------------------------------------------------------------
    def _drain_events(self, limit: int = 10_000) -> None:
        for _ in range(limit):
            try:
                event = self.source.events.get_nowait()
            except queue.Empty:
                return
            self._handle_event(event)

    def _handle_event(self, event: FsEvent) -> None:
        try:
            if self._ignored(event.path):
                return
            if event.kind == "changed":
                self.settler.touch(event.path)
            elif event.kind == "closed":
                self.settler.touch(event.path, settle=min(self.options.settle, CLOSED_SETTLE_SECONDS))
            elif event.kind == "deleted":
                self._on_deleted(event.path)
            elif event.kind == "moved":
                self._on_moved(event.path, event.dest)
            elif event.kind == "dir_changed":
                self._walk_new_folder(event.path)
            elif event.kind == "dir_deleted":
                self._on_dir_deleted(event.path)
            elif event.kind == "dir_moved":
                self._on_dir_moved(event.path, event.dest)
        except Exception:  # one bad event must not stop a watcher that runs for weeks
            log.exception("error handling %s of %s", event.kind, printable(event.path))

    def _on_deleted(self, path: str) -> None:
        if path in self.settler:
            self.settler.discard(path)
            if not os.path.lexists(path) and self._deletes_allowed(path):
                # Created and deleted before it settled: say so, and keep a trace of it.
                with self.library.transaction() as s:
                    record_file_error(s, path, "deleted before it could be read", missing=True)
                self._error(path, "deleted before it could be read")
                return
        if os.path.lexists(path) or not self._deletes_allowed(path):
            return
        with self.library.transaction() as s:
            marked = mark_missing(s, [path])
        if marked:
            self.status.counters.missing += 1
            log.info("missing: %s", printable(path))
            self._emit("missing", path=printable(path))

    def _on_moved(self, src: str, dest: str) -> None:
        self.settler.discard(src)
        if self._ignored(dest):
            self._on_deleted(src)
            return
        st = quick_stat(dest)
        moved = None
        if st is not None and os.path.isfile(dest):
            with self.library.transaction() as s:
                moved = move_file(s, src, FileStat(dest, *st))
        if moved is not None:
            self.status.counters.moved += 1
            log.info("moved: %s -> %s", printable(src), printable(dest))
            self._emit("moved", path=printable(dest), source=printable(src))
            return
        self.settler.touch(dest)  # unknown or changed content: treat the new path as new
        self._on_deleted(src)

    def _on_dir_deleted(self, path: str) -> None:
        root = self._root_of(path)
        if root is not None and path == root.path:
            self._check_roots()
            return
        if os.path.lexists(path) or not self._deletes_allowed(path):
            return
        with self.library.session() as s:
            paths = [r.path for r in files_under(s, path)]
        if paths:
            with self.library.transaction() as s:
                marked = mark_missing(s, paths)
            self.status.counters.missing += marked
            log.info("folder %s deleted: %d file(s) marked missing", printable(path), marked)
            self._emit("missing", path=printable(path), files=marked)

    def _on_dir_moved(self, src: str, dest: str) -> None:
        if self._ignored(dest) or self._root_of(dest) is None:
            self._on_dir_deleted(src)
            return
        with self.library.transaction() as s:
            moved = move_folder(s, src, dest)
        if moved:
            self.status.counters.moved += moved
            log.info("folder moved: %s -> %s (%d file(s))", printable(src), printable(dest), moved)
            self._emit("moved", path=printable(dest), source=printable(src), files=moved)
        self._walk_new_folder(dest)

    def _walk_new_folder(self, path: str) -> None:
        """A folder appeared (created, moved in): its files may have come without events."""
        if self._is_image_name(path):
            self.settler.touch(path)  # a folder named like an image: recorded as such
        for batch in walk_batches(path, skip=self.library_dir, on_error=self._walk_error, media=self.options.media):
            known = self._known(batch)
            for p in batch:
                row = known.get(p)
                st = quick_stat(p)
                if row is not None and st is not None and row.unchanged(*st, self.indexer.engine.name):
                    continue
                self.settler.touch(p)

    def _is_image_name(self, path: str) -> bool:
        return self.options.media.wanted(classify(path, self.options.media)[0])

    def _skip(self, path: str) -> bool:
        """Whether ``path`` is a file this watcher leaves out (a video under --no-videos, a RAW
        under --no-raw, a sidecar or a file of unknown type): counted once, and said."""
        kind, left_out = classify(path, self.options.media)
        if kind is not None or left_out is None:
            return left_out is not None
        if self.skipped_since.get(path) != left_out:
            self.skipped_since[path] = left_out
            self._count_skipped()
            log.info("skipped %s (%s)", printable(path), left_out)
            self._emit("skipped", path=printable(path), kind=left_out)
        return True

    def _count_skipped(self) -> None:
        total = Skipped()
        for skipped in self.skipped_by_root.values():
            total.merge(skipped)
        for path, kind in self.skipped_since.items():
            total.add(kind, path)
        self.status.skipped = total.as_dict()

    # --- settled files --------------------------------------------------------------------
    def _is_in_flight(self, path: str) -> bool:
        return self.indexer.holds(path)

    def _known(self, paths: list[str]):
        with self.library.session() as s:
            return known_files(s, paths)

    def _walk_error(self, path: str, message: str) -> None:
        log.warning("%s: %s", printable(path), message)

    def _dispatch(self) -> None:
        while self.indexer.has_room() and not self._stop:
            ready = self.settler.ready(self.indexer.window - self.indexer.busy)
            if not ready:
                return
            for seen in ready:
                try:
                    self._plan(seen)
                except Exception:
                    log.exception("error handling %s; retrying in a minute", printable(seen.path))
                    self.settler.touch(seen.path, delay=60.0)

    def _plan(self, seen: Observed) -> None:
        if seen.kind == "gone":
            return  # its delete event (or the next rescan) records it
        path = seen.path
        if self._skip(path):
            return
        outcome = self.indexer.offer(path, self._known([path]).get(path), attempt=self.retry_decode.pop(path, 0))
        self.status.queue["in_flight_max"] = max(self.status.queue.get("in_flight_max", 0), self.indexer.busy)
        if outcome is not None:
            self._handle(outcome)

    def _retry_young(self, item: InFlight, result) -> bool:
        """A decode that fails on a file modified in the last ``YOUNG_SECONDS`` is retried once:
        perhaps it is still being written with pauses longer than the settle time."""
        return item.attempt == 0 and time.time() - item.stats[0].mtime_ns / 1e9 < YOUNG_SECONDS

    # --- results --------------------------------------------------------------------------
    def _collect(self, timeout: float = 0.0) -> None:
        for outcome in self.indexer.collect(timeout=timeout):
            self._handle(outcome)
        self.status.counters.worker_crashes = self.indexer.worker_crashes

    def _handle(self, outcome: Outcome) -> None:
        path, kind = outcome.path, outcome.kind
        if kind == "analysed":
            self.status.counters.analysed += 1
            self.status.counters.faces += outcome.faces
            self.status.counters.known_content += outcome.copies
            people = list(outcome.present)
            self.status.recent_photos.append({"path": printable(path), "faces": outcome.faces, "people": people, "at": time.time()})
            log.info("analysed %s: %d face(s)%s", printable(path), outcome.faces, f", {', '.join(people)}" if people else "")
            self._emit("analysed", path=printable(path), faces=outcome.faces, people=people, seconds=outcome.seconds)
        elif kind in ("known", "restored"):
            if kind == "restored":
                self.status.counters.restored += 1
                log.info("restored: %s", printable(path))
            else:
                self.status.counters.known_content += 1
            self._emit(kind, path=printable(path))
            if outcome.error:
                self._error(path, outcome.error)
        elif kind == "error":
            self._error(path, outcome.error or "error")
        elif kind == "changing":
            self.settler.touch(path)  # changed while read or analysed: do it again once it settles
        elif kind == "retry":
            self.retry_decode[path] = outcome.attempt
            self.settler.touch(path, delay=max(self.options.settle, 0.5))
            self.status.counters.retried += 1
        elif kind == "failed":  # could not be stored (e.g. the database was busy): later
            log.error("could not store %s (%s); retrying in a minute", printable(path), outcome.error)
            self.settler.touch(path, delay=60.0)
        elif kind == "vanished":
            log.info("%s vanished before it was analysed", printable(path))

    # --- reporting ------------------------------------------------------------------------
    def _error(self, path: str, message: str) -> None:
        self.status.counters.errors += 1
        self.status.recent_errors.append({"path": printable(path), "error": message, "at": time.time()})
        log.warning("error: %s: %s", printable(path), message)
        self._emit("error", path=printable(path), error=message)

    def _emit(self, event: str, **data) -> None:
        if self.options.json_lines:
            sys.stdout.write(json.dumps({"event": event, "time": round(time.time(), 3), **data}, ensure_ascii=False) + "\n")
            sys.stdout.flush()

    def _queue_info(self) -> dict:
        return {
            "settling": len(self.settler),
            "in_flight": self.indexer.busy if self.indexer else 0,
            "in_flight_max": self.status.queue.get("in_flight_max", 0),
            "window": self.indexer.window if self.indexer else 0,
            "walking": [w.root.path for w in self.walks],
        }

    def _write_status(self) -> None:
        self.status.queue = self._queue_info()
        if self.status.state not in ("stopping", "stopped"):
            busy = self.indexer.busy or len(self.settler)
            self.status.state = "catching-up" if self.walks else ("busy" if busy else "idle")
        self.status.roots = [r.as_dict() for r in self.roots]
        try:
            write_status(Path(self.library.root), self.status)
        except OSError as exc:
            log.warning("cannot write the status file: %s", exc)


def watch(library: LibraryStore, options: WatchOptions) -> int:
    return WatchDaemon(library, options).run()
