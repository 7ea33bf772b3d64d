"""Scanning with the plvm (or hybrid) engine: analyse, prefilter, verify and caption each new photo.

This runs in the scanning process, not in a pool: one GPU (or torch's own CPU threads) serves the
models, and LLaVA is far too big to load once per worker. Each photo is still committed in its
own transaction (regions, verdicts, caption and files together), so an interrupted scan loses
only the photo in flight. Photos analysed earlier by another engine are analysed again.
"""

from __future__ import annotations

import sys

import numpy as np
from sqlalchemy import delete, select

from plvm_photos.indexing.analysis import AnalysisJob, AnalysisResult
from plvm_photos.db.models import File, Photo, Region, Verdict, utcnow
from plvm_photos.engines.base import Analysis
from plvm_photos.imaging import ImageError, decode
from plvm_photos.library import FACE_REGION_KINDS, Library
from plvm_photos.indexing.commit import FileStat, store_analysis, upsert_file
from plvm_photos.indexing.verdicts import RegisteredPeople
from plvm_photos.engines.plvm.model import FACE, MAX_SIDE, REGION_KINDS
from plvm_photos.engines.plvm.pipeline import FACE_KIND, Match, PlvmPipeline, RegisteredConcept, StoredRegion

INDEX_NAME = "plvm"


def stale_jobs(library: Library, files: list[str], mode: str, stats: dict) -> list[AnalysisJob]:
    """Known, unchanged files whose photo was analysed by another engine (they get analysed again)."""
    jobs: list[AnalysisJob] = []
    with library.session() as s:
        for start in range(0, len(files), 500):
            rows = s.execute(
                select(Photo.sha256, File.path)
                .join(File, File.photo_id == Photo.id)
                .where(File.path.in_(files[start : start + 500]), Photo.engine != mode, Photo.error.is_(None))
            ).all()
            for sha, path in rows:
                if sha not in stats:
                    stats[sha] = [FileStat.of(path)]
                    jobs.append(AnalysisJob(path=path, sha256=sha))
    return jobs


def analyse(library: Library, files: list[str], jobs: list[AnalysisJob], stats: dict, summary, progress: bool) -> None:
    """The plvm counterpart of ``scan._analyse``; fills the same ``summary``."""
    from tqdm import tqdm

    pipeline = PlvmPipeline(library)  # checks the weights first: one clear message if any is missing
    again = stale_jobs(library, files, pipeline.mode, stats)
    summary.unchanged -= len(again)
    jobs = list(jobs) + again
    if not jobs:
        return
    with library.session() as s:
        concepts = pipeline.concepts(s)
    library.mark_mixed_regions()  # from now on the face index filters regions by kind
    library.index  # load (or repair) the face index before regions are committed
    bar = tqdm(total=len(jobs), unit="photo", desc="analysing (plvm)", disable=not progress or None, file=sys.stderr)
    try:
        for job in jobs:
            _one(library, pipeline, concepts, job, stats[job.sha256], summary)
            bar.update(1)
    finally:
        bar.close()


def _analysis(pipeline: PlvmPipeline, decoded, face_config=None) -> Analysis:
    from plvm_photos.engines.face.engine import FaceEngine

    faces = FaceEngine(face_config).analyze(decoded).regions
    analysis = pipeline.engine.analyze(decoded, faces)
    if pipeline.mode == "hybrid":  # the face engine's own regions are the people prefilter
        return Analysis(analysis.width, analysis.height, faces + analysis.regions)
    return analysis


def _one(library: Library, pipeline: PlvmPipeline, concepts: list[RegisteredConcept], job: AnalysisJob,
         stats: list[FileStat], summary) -> None:
    try:
        decoded = decode(job.path, max_side=MAX_SIDE)
    except FileNotFoundError:
        summary.errors += 1
        summary.error_files.append({"path": job.path, "error": "file disappeared before it could be read"})
        return
    except ImageError as exc:
        _store_error(library, pipeline.mode, job, stats, str(exc), summary)
        return
    from PIL import Image

    image = Image.fromarray(decoded.pixels)
    try:
        analysis = _analysis(pipeline, decoded, library.face_config)
    except (MemoryError, RuntimeError) as exc:  # dlib raises RuntimeError on odd pixel data
        _store_error(library, pipeline.mode, job, stats, f"{type(exc).__name__}: {exc}", summary)
        return
    _verify_and_store(library, pipeline, concepts, job, stats, summary, image, analysis)


def _store_error(library: Library, mode: str, job: AnalysisJob, stats: list[FileStat], error: str, summary) -> None:
    """The content is not a usable image: recorded like the face engine records it."""
    with library.transaction() as s:
        store_analysis(s, AnalysisResult(job, None, error, 0.0), stats[0], RegisteredPeople([], {}),
                       library.rule, engine=mode)
        for extra in stats[1:]:
            upsert_file(s, extra, s.scalar(select(Photo.id).where(Photo.sha256 == job.sha256)))
    summary.errors += 1
    summary.error_files.append({"path": job.path, "error": error})


def _verify_and_store(library: Library, pipeline: PlvmPipeline, concepts: list[RegisteredConcept], job: AnalysisJob,
                      stats: list[FileStat], summary, image, analysis: Analysis) -> None:
    found = [StoredRegion(i, r.kind, r.box, np.asarray(r.vector, dtype=np.float32)) for i, r in enumerate(analysis.regions)]
    candidates: dict[int, Match] = {}
    for concept in concepts:
        match = pipeline.match(concept, found)
        if match is not None:
            candidates[concept.id] = match
    by_id = {c.id: c for c in concepts}
    decided = pipeline.decide(image, candidates, by_id)
    present = [(by_id[d.concept_id], analysis.regions[d.region_key].box) for d in decided if d.present]
    claimed = {d.region_key for d in decided if d.present}
    face_kind = FACE_KIND if pipeline.mode == "hybrid" else FACE
    unknown = sum(1 for i, r in enumerate(analysis.regions) if r.kind == face_kind and i not in claimed)
    caption = pipeline.caption(image, present, unknown, analysis.width, analysis.height)
    # Both indexes are loaded (or repaired) before the commit, so the new regions are added once.
    library.index
    library.vector_index(INDEX_NAME, REGION_KINDS, next(len(r.vector) for r in found if r.kind in REGION_KINDS))
    removed, stored = _store(library, pipeline.mode, job, stats, analysis, decided, caption)
    _update_indexes(library, removed, stored)
    summary.analysed += 1
    summary.faces += sum(1 for r in analysis.regions if r.kind == face_kind)
    summary.known_content += len(stats) - 1


def _store(library: Library, mode: str, job: AnalysisJob, stats: list[FileStat], analysis: Analysis, decided,
           caption: str) -> tuple[list[tuple[int, str]], list[tuple[int, str, np.ndarray]]]:
    """One transaction: the photo, its regions, verdicts, caption and files.

    Returns (id, kind) of the regions it replaced and (id, kind, vector) of those it stored.
    """
    with library.transaction() as s:
        photo = s.scalar(select(Photo).where(Photo.sha256 == job.sha256))
        removed: list[tuple[int, str]] = []
        if photo is None:
            photo = Photo(sha256=job.sha256)
            s.add(photo)
        else:  # analysed again (another engine, an earlier error): start from a clean slate
            removed = [(r.id, r.kind) for r in photo.regions]
            s.execute(delete(Verdict).where(Verdict.photo_id == photo.id))
            for old in list(photo.regions):
                s.delete(old)
        photo.engine = mode
        photo.analyzed_at = utcnow()
        photo.error = None
        photo.width, photo.height = analysis.width, analysis.height
        photo.caption = caption
        rows = []
        for found in analysis.regions:
            left, top, right, bottom = found.box
            row = Region(kind=found.kind, left=left, top=top, right=right, bottom=bottom, score=found.score,
                         vector=np.asarray(found.vector, dtype=np.float32).tobytes())
            photo.regions.append(row)
            rows.append(row)
        s.flush()
        for d in decided:
            s.add(Verdict(photo_id=photo.id, concept_id=d.concept_id,
                          region_id=rows[d.region_key].id if d.region_key is not None else None,
                          present=d.present, score=d.score, distance=d.distance, engine="plvm"))
        for stat in stats:
            upsert_file(s, stat, photo.id)
        s.flush()
        stored = [(r.id, r.kind, np.frombuffer(r.vector, dtype=np.float32)) for r in rows]
    return removed, stored


def _update_indexes(library: Library, removed: list[tuple[int, str]], stored: list[tuple[int, str, np.ndarray]]) -> None:
    """After the commit (a crash here is repaired on the next open: the signatures disagree)."""
    face_old = [i for i, k in removed if k in FACE_REGION_KINDS]
    plvm_old = [i for i, k in removed if k in REGION_KINDS]
    if face_old:
        library.index.remove(face_old)
        library.mark_index_dirty()
    face_new = [(i, v) for i, k, v in stored if k in FACE_REGION_KINDS]
    if face_new:
        library.index.add([i for i, _ in face_new], np.stack([v for _, v in face_new]))
        library.mark_index_dirty()
    plvm_new = [(i, v) for i, k, v in stored if k in REGION_KINDS]
    if plvm_new:
        index = library.vector_index(INDEX_NAME, REGION_KINDS, len(plvm_new[0][1]))
        index.remove(plvm_old)
        index.add([i for i, _ in plvm_new], np.stack([v for _, v in plvm_new]))
        library.mark_vector_index_dirty(INDEX_NAME)
