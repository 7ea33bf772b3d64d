"""What a library stores for its files, in a form two libraries can be compared by: regions
(boxes, scores, vectors), verdicts, captions, errors and when-and-where facts, by file path."""

from __future__ import annotations

from sqlalchemy import select

from plvm_photos.db.models import Concept, File, Photo, Region, Verdict


def stored(library) -> dict[str, dict]:
    with library.session() as s:
        names = dict(s.execute(select(Concept.id, Concept.name)).all())
        photos = {p.id: p for p in s.scalars(select(Photo))}
        regions: dict[int, list] = {}
        for r in s.scalars(select(Region).order_by(Region.id)):
            regions.setdefault(r.photo_id, []).append(r)
        verdicts: dict[int, dict] = {}
        for v in s.scalars(select(Verdict)):
            verdicts.setdefault(v.photo_id, {})[names[v.concept_id]] = v
        out = {}
        for path, photo_id, error in s.execute(select(File.path, File.photo_id, File.error)).all():
            photo = photos.get(photo_id)
            if photo is None:
                out[path] = {"file_error": error}
                continue
            mine = regions.get(photo_id, [])
            position = {r.id: n for n, r in enumerate(mine)}
            out[path] = {
                "error": photo.error, "size": (photo.width, photo.height), "caption": photo.caption,
                "facts": (photo.taken_at, photo.taken_source, photo.lat, photo.lon, photo.place_name),
                "regions": [(r.kind, r.box, r.score, bytes(r.vector)) for r in mine],
                "verdicts": {name: (v.present, v.score, position.get(v.region_id), v.distance)
                             for name, v in sorted(verdicts.get(photo_id, {}).items())},
            }
        return out
