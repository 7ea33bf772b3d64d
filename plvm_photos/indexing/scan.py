"""Scanning folders: find image files, skip what is already indexed, analyse the rest.

Analysis runs in a pool of worker processes; this process is the only database writer and
commits each photo in its own transaction, so an interrupted scan loses at most the photos in
flight and a second scan picks up where the first stopped.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import select

from plvm_photos.indexing.analysis import AnalysisJob, AnalysisResult, analyze, use_config, warm_up
from plvm_photos.db.models import File, Photo
from plvm_photos.imaging import is_image_path, sha256_file
from plvm_photos.library import Library, LibraryError
from plvm_photos.indexing.commit import FileStat, commit_analysis, upsert_file
from plvm_photos.indexing.verdicts import RegisteredPeople

INDEX_SAVE_EVERY = 200  # photos between saves of the FAISS cache during long scans


@dataclass
class ScanSummary:
    files: int = 0  # image files found
    analysed: int = 0  # photos decoded and analysed
    unchanged: int = 0  # already indexed, skipped without reading
    known_content: int = 0  # a new or changed path whose content the library already had
    errors: int = 0  # files that are not usable images (recorded, skipped)
    missing: int = 0  # files gone from a scanned folder since the last scan
    faces: int = 0  # faces found in the photos analysed
    seconds: float = 0.0
    error_files: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "analysed": self.analysed,
            "unchanged": self.unchanged,
            "known_content": self.known_content,
            "errors": self.errors,
            "missing": self.missing,
            "faces": self.faces,
            "seconds": round(self.seconds, 3),
            "error_files": self.error_files,
        }


def walk_images(root: Path, errors: list[dict]) -> Iterator[str]:
    """Image files under ``root`` (or ``root`` itself), without following directory symlinks."""
    if root.is_file():
        if is_image_path(root):
            yield os.path.abspath(root)
        return

    def on_error(exc: OSError) -> None:
        errors.append({"path": exc.filename, "error": f"cannot read folder: {exc.strerror}"})

    for folder, dirs, files in os.walk(root, onerror=on_error):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            if is_image_path(Path(name)):
                yield os.path.abspath(path)
        # Folders named like images (holiday.jpg/) are walked into by os.walk, never opened.


def scan(library: Library, paths: Iterable[str | Path], workers: int | None = None, progress: bool = True,
         reanalyze: bool = False) -> ScanSummary:
    """Index new and changed photos; with ``reanalyze``, every photo under ``paths`` again (after the
    face engine improved: regions, verdicts and captions are replaced, files and people kept)."""
    started = time.perf_counter()
    roots = [Path(p) for p in paths]
    for root in roots:
        if not root.exists():
            raise LibraryError(f"no such file or folder: {root}")
    summary = ScanSummary()
    walk_errors: list[dict] = []
    files = [p for root in roots for p in walk_images(root, walk_errors)]
    summary.files = len(files)
    for err in walk_errors:
        summary.errors += 1
        summary.error_files.append(err)

    jobs, stats = _plan(library, files, summary, reanalyze)
    if library.settings.engine != "face":  # plvm / hybrid: models run in this process
        from plvm_photos.engines.plvm.scan import analyse as analyse_plvm

        analyse_plvm(library, files, jobs, stats, summary, progress)
    elif jobs:
        _analyse(library, jobs, stats, summary, workers, progress)
    summary.missing = _mark_missing(library, roots, set(files))
    library.save_index()
    summary.seconds = time.perf_counter() - started
    return summary


def _plan(library: Library, files: list[str], summary: ScanSummary,
          reanalyze: bool = False) -> tuple[list[AnalysisJob], dict[str, list[FileStat]]]:
    """Decide per file: skip (unchanged), record path (known content), or analyse (every one with
    ``reanalyze``, each content once)."""
    jobs: list[AnalysisJob] = []
    stats_by_hash: dict[str, list[FileStat]] = {}
    known: dict[str, File] = {}
    with library.session() as s:
        for start in range(0, len(files), 500):
            chunk = files[start : start + 500]
            known.update((row.path, row) for row in s.scalars(select(File).where(File.path.in_(chunk))))
    for path in files:
        try:
            stat = FileStat.of(path)
        except OSError as exc:
            _record_file_error(library, path, exc, summary)
            continue
        row = known.get(path)
        if (
            not reanalyze
            and row is not None
            and not row.missing
            and (row.size, row.mtime_ns) == (stat.size, stat.mtime_ns)
            and (row.photo_id is not None or row.error is not None)
        ):
            summary.unchanged += 1
            continue
        try:
            digest = sha256_file(path)
        except OSError as exc:
            _record_file_error(library, path, exc, summary, stat)
            continue
        if digest in stats_by_hash:  # the same content twice in this scan: analyse once
            stats_by_hash[digest].append(stat)
            continue
        with library.transaction() as s:
            photo = s.scalar(select(Photo).where(Photo.sha256 == digest))
            if photo is not None and not reanalyze:
                upsert_file(s, stat, photo.id)
                summary.known_content += 1
                if photo.error:
                    summary.errors += 1
                    summary.error_files.append({"path": path, "error": photo.error})
                continue
        stats_by_hash[digest] = [stat]
        jobs.append(AnalysisJob(path=path, sha256=digest))
    return jobs, stats_by_hash


def _record_file_error(library: Library, path: str, exc: OSError, summary: ScanSummary, stat: FileStat | None = None) -> None:
    message = exc.strerror or str(exc)
    summary.errors += 1
    summary.error_files.append({"path": path, "error": message})
    if stat is None:
        try:
            st = os.lstat(path)
            stat = FileStat(path, st.st_size, st.st_mtime_ns)
        except OSError:
            return  # gone entirely: nothing to record
    with library.transaction() as s:
        upsert_file(s, stat, None, error=message)


def _analyse(
    library: Library,
    jobs: list[AnalysisJob],
    stats: dict[str, list[FileStat]],
    summary: ScanSummary,
    workers: int | None,
    progress: bool,
) -> None:
    from tqdm import tqdm

    workers = max(1, workers or os.cpu_count() or 1)
    bar = tqdm(total=len(jobs), unit="photo", desc="analysing", disable=not progress or None, file=sys.stderr)
    with library.session() as s:
        people = RegisteredPeople.load(s)
    library.index  # load (or repair) the index before new regions are committed
    stored = 0

    def handle(result: AnalysisResult) -> None:
        nonlocal stored
        _store_result(library, result, stats[result.job.sha256], people, summary)
        stored += 1
        if stored % INDEX_SAVE_EVERY == 0:
            library.save_index()
        bar.update(1)

    try:
        config = library.face_config
        if workers == 1 or len(jobs) < 3:
            use_config(config)
            for job in jobs:
                handle(analyze(job))
        else:
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=warm_up,
                                     initargs=(config,)) as pool:
                pending: set[Future] = set()
                queue = iter(jobs)
                window = 2 * workers  # bounded: memory does not grow with the number of photos
                for job in queue:
                    pending.add(pool.submit(analyze, job))
                    if len(pending) >= window:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for fut in done:
                            handle(fut.result())
                for fut in list(pending):
                    handle(fut.result())
    finally:
        bar.close()


def _store_result(
    library: Library, result: AnalysisResult, stats: list[FileStat], people: RegisteredPeople, summary: ScanSummary
) -> None:
    if result.vanished:
        summary.errors += 1
        summary.error_files.append({"path": result.job.path, "error": result.error})
        return
    committed = commit_analysis(library, result, stats, lambda _session: people)
    if result.error:
        summary.errors += 1
        summary.error_files.append({"path": result.job.path, "error": result.error})
    else:
        summary.analysed += 1
        summary.faces += committed.faces
    summary.known_content += len(stats) - 1


def _mark_missing(library: Library, roots: list[Path], seen: set[str]) -> int:
    """Files under a scanned folder that are gone. A root that is not there marks nothing."""
    marked = 0
    with library.transaction() as s:
        for root in roots:
            if not root.is_dir():
                continue
            prefix = os.path.abspath(root).rstrip(os.sep) + os.sep
            rows = s.scalars(
                select(File).where(File.path.startswith(prefix, autoescape=True), File.missing.is_(False))
            )
            for row in rows:
                if row.path not in seen and not os.path.exists(row.path):
                    row.missing = True
                    marked += 1
    return marked
