"""The unknown faces as the gallery's grid groups them, at once on any library.

Clustering 96 000 faces takes about a minute (``clusters.dbscan``), so a page cannot wait for it.
The stored clustering (``cluster_store``) is used when its signature is that of the unknown faces
now. When it is not (faces named, marked, scanned since) and there are more than
``BACKGROUND_ABOVE`` unknown faces, the page is answered from the stored clustering filtered to
the faces still unknown (a face named since drops out; a new one is listed after the groups as
"not grouped yet"), or without groups when none was ever stored, and ONE clustering starts in a
thread of this process (never two at once for a library; a failure is logged and said on the
page, not raised) that stores its result for the next load. On a smaller library the clustering
is computed at once, as before (under ~0.2 s).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from plvm_photos.curation import cluster_store
from plvm_photos.curation.clusters import check_parameters, cluster_unknown
from plvm_photos.curation.unknown_ids import UnknownIds
from plvm_photos.store.library_store import LibraryStore

log = logging.getLogger(__name__)

# Unknown faces above which a stale clustering is computed in the background: dbscan takes about
# 0.14 s on 4 000 faces, 0.46 s on 8 000 (2 cores; it grows as the square of the faces).
BACKGROUND_ABOVE = 5000
# The background clustering waits this long before it starts, so that the page that started it is
# answered first (its Python work would share the interpreter with the page's).
START_DELAY_S = 0.5


@dataclass(frozen=True)
class UnknownGroups:
    """Region ids only: the page reads the photos and boxes of the faces it shows."""

    clusters: list[list[int]]  # faces that look alike, largest first; nearest the centre first
    singles: list[int]  # faces in no cluster, by id
    not_grouped: list[int] = field(default_factory=list)  # unknown faces the clustering shown has not seen
    unknown_faces: int = 0
    grouping: bool = False  # the current faces are being clustered in the background
    failed: str | None = None  # the last background clustering's error


@dataclass
class _Refresh:
    thread: threading.Thread | None = None
    failed: str | None = None


@dataclass
class _Seen:
    """What the last load read: the unknown faces' ids (kept up to date), the stored clustering
    (reused while its file is unchanged)."""

    unknown: UnknownIds
    stored: tuple[tuple, cluster_store.StoredClustering | None] | None = None  # (file stat, its clustering)


_lock = threading.Lock()
_refreshes: dict[Path, _Refresh] = {}
_seen: dict[tuple[Path, str], _Seen] = {}


def _seen_for(library: LibraryStore) -> _Seen:
    key = (Path(library.root).resolve(), library.db_url)
    with _lock:
        if key not in _seen:
            _seen[key] = _Seen(UnknownIds(library.db_url))
        return _seen[key]


def unknown_face_ids(library: LibraryStore) -> list[int]:
    """The unknown faces' ids, as the next page will read them (the same kept copy)."""
    return _seen_for(library).unknown.ids(library)


def _stored(library: LibraryStore, seen: _Seen) -> cluster_store.StoredClustering | None:
    """The stored clustering, parsed again only when its file was replaced."""
    try:
        st = cluster_store.store_path(library.root).stat()
        stamp: tuple = (st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        return None
    last = seen.stored
    if last is not None and last[0] == stamp:
        return last[1]
    stored = cluster_store.read(library.root)
    seen.stored = (stamp, stored)
    return stored


def unknown_groups(library: LibraryStore, eps: float, min_samples: int,
                   background_above: int = BACKGROUND_ABOVE) -> UnknownGroups:
    check_parameters(eps, min_samples)
    seen = _seen_for(library)
    ids = seen.unknown.ids(library)
    stored = _stored(library, seen)
    if stored is not None and stored.signature == cluster_store.signature(ids, eps, min_samples):
        return UnknownGroups([c.faces for c in stored.clusters], stored.singles, [], len(ids))
    if len(ids) <= background_above:
        found = cluster_unknown(library, eps, min_samples)
        return UnknownGroups([[f.region_id for f in c.faces] for c in found.clusters],
                             [f.region_id for f in found.singles], [], found.unknown_faces)
    refresh = start_grouping(library, eps, min_samples)
    if stored is None:
        return UnknownGroups([], [], ids, len(ids), True, refresh.failed)
    unknown = set(ids)
    clusters, singles = [], [r for r in stored.singles if r in unknown]
    for c in stored.clusters:
        kept = [r for r in c.faces if r in unknown]
        if len(kept) >= 2:
            clusters.append(kept)
        else:
            singles += kept
    clustered = {r for c in stored.clusters for r in c.faces} | set(stored.singles)
    return UnknownGroups(clusters, sorted(singles), [r for r in ids if r not in clustered], len(ids), True,
                         refresh.failed)


def start_grouping(library: LibraryStore, eps: float, min_samples: int) -> _Refresh:
    """Cluster the unknown faces in a thread and store the result, unless that library's
    clustering is running already."""
    key = Path(library.root).resolve()
    with _lock:
        refresh = _refreshes.setdefault(key, _Refresh())
        if refresh.thread is not None and refresh.thread.is_alive():
            return refresh
        refresh.thread = threading.Thread(target=_group, args=(library, eps, min_samples, refresh),
                                          name="plvm-clustering", daemon=True)
        refresh.thread.start()
        return refresh


def _group(library: LibraryStore, eps: float, min_samples: int, refresh: _Refresh) -> None:
    try:
        time.sleep(START_DELAY_S)
        cluster_unknown(library, eps, min_samples)
        refresh.failed = None
    except Exception as e:  # noqa: BLE001 - a thread's failure is logged and shown, never lost
        log.exception("clustering the unknown faces in %s failed", library.root)
        refresh.failed = f"{type(e).__name__}: {e}"


def wait_for_grouping(library: LibraryStore, timeout: float | None = None) -> bool:
    """Wait for the library's background clustering, if one runs; False if it still runs."""
    with _lock:
        refresh = _refreshes.get(Path(library.root).resolve())
        thread = refresh.thread if refresh is not None else None
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True
