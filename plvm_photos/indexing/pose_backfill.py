"""``scan --pose``: the people-pose stage run over photos already stored, for the face regions it
never saw (analysed before the stage was installed or switched on), without detecting, describing
or deciding anything again: the stored boxes are the faces. One photo's cues are written in one
transaction; a photo whose regions changed meanwhile (analysed again) keeps what its new
analysis stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from plvm_photos.errors import LibraryError

if TYPE_CHECKING:
    from plvm_photos.engines.base import Engine
    from plvm_photos.store.library_store import LibraryStore


def regions_without_cues(store: LibraryStore, face_kind: str, paths: Iterable[str]) -> dict[int, tuple[str, list]]:
    """photo id -> (one current file among ``paths``, [(region id, box)]) for the face regions
    that have no stored cues."""
    from sqlalchemy import select

    from plvm_photos.db.models import File, Photo, Region, RegionPose

    seen = set(paths)
    with store.session() as s:
        regions = s.execute(
            select(Region.photo_id, Region.id, Region.left, Region.top, Region.right, Region.bottom)
            .outerjoin(RegionPose, RegionPose.region_id == Region.id)
            .where(Region.kind == face_kind, RegionPose.region_id.is_(None)).order_by(Region.photo_id, Region.id)
        ).all()
        wanted = {r.photo_id for r in regions}
        files = s.execute(select(File.photo_id, File.path).join(Photo, Photo.id == File.photo_id)
                          .where(File.missing.is_(False), Photo.error.is_(None)).order_by(File.id)).all()
    path_of: dict[int, str] = {}
    for photo_id, path in files:
        if photo_id in wanted and path in seen:
            path_of.setdefault(photo_id, path)
    todo: dict[int, tuple[str, list]] = {}
    for r in regions:
        if r.photo_id in path_of:
            todo.setdefault(r.photo_id, (path_of[r.photo_id], []))[1].append((r.id, (r.left, r.top, r.right, r.bottom)))
    return todo


def check_pose_stage(engine: Engine):
    """The engine's analyzer, where it runs the people-pose stage; else ``LibraryError`` saying
    what to install or set."""
    analyzer = engine.analyzer()
    if not getattr(getattr(analyzer, "config", None), "pose", False):
        from plvm_photos.engines.face.landmark_models import missing

        raise LibraryError(missing() or "the people-pose stage is off; turn it on with: plvm-photos config face.pose on")
    return analyzer


def backfill_pose(store: LibraryStore, engine: Engine, paths: Iterable[str], progress: bool = False) -> int:
    """Cues for the face regions of the photos at ``paths`` that have none; returns how many
    regions got them. Raises ``LibraryError`` where the engine runs no people-pose stage."""
    from sqlalchemy import select

    from plvm_photos.db.models import Region, RegionPose
    from plvm_photos.errors import ImageError
    from plvm_photos.imaging import decode

    analyzer = check_pose_stage(engine)
    todo = regions_without_cues(store, engine.face_kind, paths)
    if not todo:
        return 0
    analyzer.warm_up()
    from tqdm import tqdm

    done = 0
    for photo_id, (path, regions) in tqdm(todo.items(), desc="people pose", unit="photo", disable=not progress):
        try:
            image = decode(path, max_side=analyzer.max_side)
        except (ImageError, OSError):
            continue  # unreadable now: left for a later scan
        cues = analyzer.people_cues(image, [box for _, box in regions])
        with store.transaction() as s:
            current = {rid: (left, top, right, bottom) for rid, left, top, right, bottom in s.execute(
                select(Region.id, Region.left, Region.top, Region.right, Region.bottom)
                .where(Region.id.in_([rid for rid, _ in regions])))}
            have = set(s.scalars(select(RegionPose.region_id).where(RegionPose.region_id.in_(list(current)))))
            for (region_id, box), found in zip(regions, cues):
                if current.get(region_id) == box and region_id not in have:
                    s.add(RegionPose(region_id=region_id, cues=found.to_json()))
                    done += 1
    return done
