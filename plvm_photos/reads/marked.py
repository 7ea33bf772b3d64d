"""The faces the user marked not a face or hidden, newest mark first: what the gallery's hidden
faces page and ``plvm-photos ignored`` list, so that a mark can be taken back without undoing
everything done since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from plvm_photos.db.models import FaceMark, Region
from plvm_photos.db.queries import CHUNK, MARK_WORDS, photo_paths  # noqa: F401 - MARK_WORDS: for the CLI and the gallery
from plvm_photos.reads.photos import FACE_ORDER
from plvm_photos.store.library_store import LibraryStore

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class MarkedFace:
    region_id: int
    photo_id: int
    path: str  # the photo's first present file
    box: Box
    mark: str  # not_a_face | hidden
    marked_at: datetime
    number: int  # its N in ``PHOTO --face N`` (1 = leftmost)


def marked_faces(store: LibraryStore, mark: str | None = None) -> list[MarkedFace]:
    """Every marked face (only those marked ``mark``, if given), newest mark first."""
    with store.session() as s:
        query = (select(FaceMark.region_id, FaceMark.photo_id, Region.left, Region.top, Region.right, Region.bottom,
                        FaceMark.mark, FaceMark.created_at)
                 .join(Region, Region.id == FaceMark.region_id).order_by(FaceMark.created_at.desc(), FaceMark.id.desc()))
        rows = s.execute(query if mark is None else query.where(FaceMark.mark == mark)).all()
        photos = sorted({r[1] for r in rows})
        paths = photo_paths(s, photos)
        number: dict[int, int] = {}
        for start in range(0, len(photos), CHUNK):
            last, n = None, 0
            for region_id, photo_id in s.execute(select(Region.id, Region.photo_id)
                                                 .where(Region.photo_id.in_(photos[start : start + CHUNK]))
                                                 .order_by(Region.photo_id, *FACE_ORDER)):
                n = n + 1 if photo_id == last else 1
                last = photo_id
                number[region_id] = n
    return [MarkedFace(r[0], r[1], paths.get(r[1], f"#{r[1]}"), (r[2], r[3], r[4], r[5]), r[6], r[7], number[r[0]])
            for r in rows]
