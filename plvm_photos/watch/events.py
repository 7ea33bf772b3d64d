"""File-system events from watchdog, reduced to what the watcher acts on, in a thread-safe queue.

watchdog calls the handler on its own thread; the daemon's single thread drains the queue, so
all database writes stay on one thread. Events are hints: every one is checked against the file
system before anything is written, and the periodic rescan catches what events miss.
"""

from __future__ import annotations

import logging
import os
import queue
from dataclasses import dataclass

from plvm_photos.media.kinds import is_media_path

log = logging.getLogger("plvm_photos.watch")


@dataclass(frozen=True)
class FsEvent:
    kind: str  # changed | closed | deleted | moved | dir_changed | dir_deleted | dir_moved
    path: str
    dest: str | None = None


def _str(path) -> str:
    return os.fsdecode(path) if isinstance(path, bytes) else path


def _is_image(path: str) -> bool:
    """Named like a photo, a camera RAW or a video (the daemon decides which it indexes)."""
    return is_media_path(path)


def translate(event) -> FsEvent | None:
    """A watchdog event as an FsEvent, or None when it cannot concern a photo."""
    kind = event.event_type  # created, modified, moved, deleted, closed, closed_no_write, opened, attrib
    src = _str(event.src_path)
    if kind in ("opened", "closed_no_write"):
        return None
    if event.is_directory:
        if kind == "moved":
            return FsEvent("dir_moved", src, _str(event.dest_path))
        if kind == "deleted":
            return FsEvent("dir_deleted", src)
        if kind == "created":  # also a folder moved in from outside: its files come with it
            return FsEvent("dir_changed", src)
        return None  # a folder's own mtime changes with every file added: the file events say more
    if kind == "moved":
        dest = _str(event.dest_path)
        if _is_image(src) and _is_image(dest):
            return FsEvent("moved", src, dest)
        if _is_image(dest):  # e.g. a download's "photo.jpg.part" renamed to "photo.jpg"
            return FsEvent("changed", dest)
        if _is_image(src):  # renamed to something that is not a photo
            return FsEvent("deleted", src)
        return None
    if not _is_image(src):
        return None
    if kind == "deleted":
        return FsEvent("deleted", src)
    if kind == "closed":  # a writer closed it (inotify IN_CLOSE_WRITE): likely complete
        return FsEvent("closed", src)
    return FsEvent("changed", src)  # created, modified, attrib (chmod can make it readable)


class EventSource:
    """A watchdog observer feeding ``events``; one watch per root, re-made when a root returns."""

    def __init__(self):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.events: queue.Queue[FsEvent] = queue.Queue()
        out = self.events

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                try:
                    translated = translate(event)
                except Exception:  # never let a surprise kill watchdog's thread
                    log.exception("could not read a file-system event: %r", event)
                    return
                if translated is not None:
                    out.put(translated)

        self._handler = Handler()
        self._observer = Observer()
        self._watches: dict[str, object] = {}
        self._observer.start()

    def watch(self, root: str) -> bool:
        self.unwatch(root)
        try:
            self._watches[root] = self._observer.schedule(self._handler, root, recursive=True)
            return True
        except OSError as exc:  # e.g. inotify watch limit reached; the periodic rescan still works
            log.warning("cannot watch %s for events (%s); relying on periodic rescans", root, exc)
            return False

    def unwatch(self, root: str) -> None:
        handle = self._watches.pop(root, None)
        if handle is not None:
            try:
                self._observer.unschedule(handle)
            except (KeyError, OSError, ValueError):
                pass  # its emitter already stopped (root deleted or unmounted)

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
