"""``import-xmp``: the face tags people already have (digiKam, Lightroom, ...) as confirmed faces.

For each photo under the given paths (folders, photos or their sidecars), the people its XMP
names (``xmp_read``):
- photos not in the library yet (or changed since their scan) are scanned first, through the
  normal indexing path (``indexing.scan``); with ``dry_run`` they are counted, not scanned;
- each named face region becomes a user-confirmed face of that person (a new person is
  registered under the name as written): matched to a detected face by overlap (the best IoU at
  or above ``MATCH_IOU``, one region per face), else described from the region itself (the
  engine's landmarks and descriptor on that box, the photo decoded once) as a user region;
- a name without a region is confirmed on the photo's one face when exactly one name and one
  face are left; otherwise it is skipped (the summary says why);
- a face the user already confirmed as someone else is left as it is.
Regions on one face (overlapping by more than ``SAME_FACE_IOU``, e.g. a tool that wrote the same
region 2000 times under different names) are one face, with the first region's name; a region
whose numbers no tool writes is skipped and counted, never failing its folder.
The faces are confirmed ``BATCH`` at a time, each batch a transaction (other commands wait for one
batch, not for the whole import), all in one undo journal entry. Imported people are recognised in
untagged photos at once: the face engine uses confirmed faces as references
(``engines/face/people.py``), and the photos their faces' prefilter passes are decided again.
"""

from __future__ import annotations

import glob
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select

from plvm_photos.curation import journal
from plvm_photos.curation.confirm import add_user_region, confirm, describe_drawn, index_regions, person_for, settle
from plvm_photos.curation.journal import Recorder
from plvm_photos.curation.xmp_read import XmpError, XmpPeople, people_of_photo
from plvm_photos.db.models import Concept, Confirmation, File, Photo, Region
from plvm_photos.engines.registry import open_engine
from plvm_photos.errors import InvalidNameError, LibraryError
from plvm_photos.fsnames import printable
from plvm_photos.media.kinds import is_media_path
from plvm_photos.indexing.walk import walk_images
from plvm_photos.names import parse_name
from plvm_photos.positions import iou
from plvm_photos.store.library_store import LibraryStore

MATCH_IOU = 0.3  # a tool's face box and a detector's differ in framing; 0.3 still means one face
SAME_FACE_IOU = 0.5  # two regions (or a region and a detected face) overlapping more are one face
INVALID_REGION = "region with numbers no tool writes (not finite, out of range or zero-sized)"
TAKEN = "region on a face another region took"
BATCH = 100  # faces confirmed per transaction: another writer waits for one batch (about a second), not the import
ASPECT_TOLERANCE = 0.03


@dataclass
class ImportSummary:
    photos: int = 0  # image files looked at
    tagged: int = 0  # of those, with people in their XMP
    scanned: int = 0  # tagged photos scanned first (dry run: that would be)
    people_created: list[str] = field(default_factory=list)
    people_existing: list[str] = field(default_factory=list)
    regions: int = 0  # named face regions read
    imported: int = 0  # faces confirmed now (regions and names)
    matched: int = 0  # regions matched to a detected face
    described: int = 0  # regions with no detected face, described from the region
    names_only: int = 0  # names without a region, confirmed on a photo's only face
    already: int = 0  # faces confirmed as that person already
    skipped: Counter = field(default_factory=Counter)  # reason -> regions or names skipped
    errors: list[str] = field(default_factory=list)  # XMP that could not be read
    dry_run: bool = False

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run, "photos": self.photos, "tagged": self.tagged, "scanned": self.scanned,
            "people_created": self.people_created, "people_existing": self.people_existing,
            "regions": self.regions, "imported": self.imported, "matched": self.matched, "described": self.described,
            "names_only": self.names_only, "already": self.already,
            "skipped": dict(sorted(self.skipped.items())), "errors": self.errors,
        }

    def describe(self) -> str:
        would = "would " if self.dry_run else ""
        lines = [
            f"{self.photos} photo(s), {self.tagged} with people in XMP"
            + (f" ({self.scanned} {'to be ' if self.dry_run else ''}scanned first)" if self.scanned else ""),
            f"people: {len(self.people_created)} {would}{'be ' if self.dry_run else ''}created"
            + (f" ({', '.join('<' + n + '>' for n in self.people_created[:10])}"
               f"{', ...' if len(self.people_created) > 10 else ''})" if self.people_created else "")
            + f", {len(self.people_existing)} already registered",
            f"regions: {self.regions} read, {self.imported} {would}{'be ' if self.dry_run else ''}confirmed"
            f" ({self.matched} matched to a detected face, {self.described} described from the region"
            f", {self.names_only} names on a photo's only face), {self.already} confirmed already",
        ]
        if self.skipped:
            lines.append(f"skipped: {sum(self.skipped.values())}")
            lines += [f"  {n} {reason}" for reason, n in sorted(self.skipped.items(), key=lambda kv: -kv[1])]
        lines += [f"  error: {e}" for e in self.errors[:20]]
        return "\n".join(lines)


@dataclass(frozen=True)
class Face:
    region_id: int
    box: tuple[int, int, int, int]
    confirmed_as: int | None  # concept id


@dataclass(frozen=True)
class StoredPhoto:
    photo_id: int
    path: str
    sha256: str
    width: int
    height: int
    faces: list[Face]


@dataclass(frozen=True)
class Planned:
    """One face to confirm: an existing region, or a box to describe (``region_id`` None)."""

    photo_id: int
    name: str  # the display form
    region_id: int | None
    box: tuple[int, int, int, int]
    how: str  # matched | described | only-face


# --- finding the photos and what their XMP says -----------------------------------------------------
def photos_under(store: LibraryStore, paths: list[str | Path]) -> list[str]:
    """Image files under ``paths``; a sidecar stands for its photo(s)."""
    out: list[str] = []
    for given in paths:
        path = os.path.abspath(given)
        if not os.path.lexists(path):
            raise LibraryError(f"no such file or folder: {printable(path)}")
        if path.lower().endswith(".xmp") and not os.path.isdir(path):
            out += _photos_of_sidecar(Path(path))
        else:
            out += walk_images(path, skip=os.path.abspath(store.root))
    return list(dict.fromkeys(p for p in out if os.path.isfile(p)))


def _photos_of_sidecar(sidecar: Path) -> list[str]:
    """The photos (a camera RAW among them) a sidecar is named for: ``IMG_1.CR2.xmp`` (digiKam,
    darktable) or ``IMG_1.xmp`` (Lightroom: every photo of that name, a RAW+JPEG pair's both)."""
    bare = sidecar.with_suffix("")
    if is_media_path(str(bare)):  # photo.jpg.xmp, IMG_1.CR2.xmp
        return [str(bare)]
    return [str(p) for p in sorted(sidecar.parent.glob(f"{glob.escape(sidecar.stem)}.*")) if is_media_path(str(p))]


def _stored(store: LibraryStore, paths: list[str], face_kind: str) -> tuple[dict[str, StoredPhoto], list[str], dict[str, str]]:
    """(photos in the library by path, paths to scan first, paths that are no usable image)."""
    found: dict[str, StoredPhoto] = {}
    to_scan: list[str] = []
    unusable: dict[str, str] = {}
    with store.session() as s:
        for path in paths:
            row = s.execute(select(File, Photo).join(Photo, Photo.id == File.photo_id)
                            .where(File.path == path, File.missing.is_(False))).first()
            st = os.stat(path)
            if row is None or (row[0].size, row[0].mtime_ns) != (st.st_size, st.st_mtime_ns):
                to_scan.append(path)
                continue
            photo = row[1]
            if photo.error is not None or not photo.width:
                unusable[path] = photo.error or "not analysed"
                continue
            confirmed = dict(s.execute(select(Confirmation.region_id, Confirmation.concept_id)
                                       .where(Confirmation.photo_id == photo.id)).all())
            faces = [Face(r.id, r.box, confirmed.get(r.id))
                     for r in s.scalars(select(Region).where(Region.photo_id == photo.id, Region.kind == face_kind)
                                        .order_by(Region.left, Region.id))]
            found[path] = StoredPhoto(photo.id, path, photo.sha256, photo.width, photo.height, faces)
    return found, to_scan, unusable


# --- planning: which face each name goes to ----------------------------------------------------------
def _aspect_ok(applied: tuple[int, int] | None, width: int, height: int) -> bool:
    if applied is None:
        return True
    return abs(applied[0] / applied[1] - width / height) <= ASPECT_TOLERANCE * (width / height)


def plan_photo(photo: StoredPhoto, people: XmpPeople, keys: dict[str, int], summary: ImportSummary) -> list[Planned]:
    """The faces to confirm in one photo (``keys``: registered person key -> concept id)."""
    planned: list[Planned] = []
    named: set[str] = set()
    free = list(photo.faces)

    def valid(name: str | None) -> str | None:
        try:
            return parse_name(name).display if name else None
        except InvalidNameError:
            summary.skip("invalid name")
            return None

    regions = []
    for region in people.regions:
        if (region.kind or "Face").lower() != "face":
            summary.skip(f"not a face region ({region.kind})")
            continue
        if not region.name:
            summary.skip("face region without a name")
            continue
        summary.regions += 1
        name = valid(region.name)
        if name is None:
            continue
        if not _aspect_ok(region.applied, photo.width, photo.height):
            summary.skip("region applied to other dimensions than the photo's (rotated or cropped since?)")
            continue
        key = parse_name(name).key
        if key in named:
            summary.skip("person named twice in one photo")
            continue
        box = region.box(photo.width, photo.height)
        if box[2] - box[0] < 4 or box[3] - box[1] < 4:
            summary.skip("region outside the photo or too small")
            continue
        if any(iou(box, other) > SAME_FACE_IOU for _, _, other in regions):
            summary.skip(TAKEN)  # regions on one face are one face: the first one's name
            continue
        named.add(key)
        regions.append((name, key, box))
    # Best overlaps first, one face per region.
    pairs = sorted(((iou(box, f.box), i, j) for i, (_, _, box) in enumerate(regions) for j, f in enumerate(free)),
                   reverse=True)
    taken_r: dict[int, int] = {}
    taken_f: set[int] = set()
    for overlap, i, j in pairs:
        if overlap < MATCH_IOU:
            break
        if i not in taken_r and j not in taken_f:
            taken_r[i] = j
            taken_f.add(j)
    for i, (name, key, box) in enumerate(regions):
        if i in taken_r:
            face = free[taken_r[i]]
            if face.confirmed_as is not None and face.confirmed_as != keys.get(key):
                summary.skip("face already confirmed as someone else")
                continue
            if face.confirmed_as is not None:
                summary.already += 1
                continue
            planned.append(Planned(photo.photo_id, name, face.region_id, face.box, "matched"))
        elif any(iou(box, f.box) > SAME_FACE_IOU for f in photo.faces):
            summary.skip(TAKEN)
        else:
            planned.append(Planned(photo.photo_id, name, None, box, "described"))
    left_faces = [f for j, f in enumerate(free) if j not in taken_f and f.confirmed_as is None]
    confirmed_here = {f.confirmed_as for f in photo.faces if f.confirmed_as is not None}
    names = []
    for n in people.names:
        name = valid(n)
        if name is None or parse_name(name).key in named:
            continue
        if keys.get(parse_name(name).key) in confirmed_here:
            summary.already += 1
        else:
            names.append(name)
    if len(names) == 1 and len(left_faces) == 1:
        planned.append(Planned(photo.photo_id, names[0], left_faces[0].region_id, left_faces[0].box, "only-face"))
    elif names:
        summary.skip("name without a face region (the photo has several faces, or none)", len(names))
    return planned


# --- the import ---------------------------------------------------------------------------------------
def import_xmp(store: LibraryStore, paths: list[str | Path], dry_run: bool = False, progress: bool = False) -> ImportSummary:
    summary = ImportSummary(dry_run=dry_run)
    files = photos_under(store, paths)
    summary.photos = len(files)
    tagged: dict[str, XmpPeople] = {}
    for path in files:
        try:
            people = people_of_photo(path)
        except (XmpError, OSError) as exc:
            summary.errors.append(f"{printable(path)}: {exc}")
            continue
        if people.invalid:
            summary.skip(INVALID_REGION, people.invalid)
        if not people.empty:
            tagged[path] = people
    summary.tagged = len(tagged)
    face_kind = open_engine(store).face_kind
    stored, to_scan, unusable = _stored(store, list(tagged), face_kind)
    summary.scanned = len(to_scan)
    if to_scan and not dry_run:
        from plvm_photos.indexing.scan import scan

        scan(store, to_scan, progress=progress)
        stored, still, unusable = _stored(store, list(tagged), face_kind)
        for path in still:
            unusable[path] = "could not be scanned"
    for path, why in unusable.items():
        summary.skip(f"photo is not a usable image ({why})", len(tagged[path].regions) + len(tagged[path].names))
    with store.session() as s:
        keys = dict(s.execute(select(Concept.name, Concept.id)).all())
    planned = [p for path, photo in stored.items() for p in plan_photo(photo, tagged[path], keys, summary)]
    if dry_run:
        for path in to_scan:  # not scanned: their regions cannot be matched yet
            summary.regions += sum(1 for r in tagged[path].regions if r.name and (r.kind or "Face").lower() == "face")
        _count(summary, planned, keys)
        return summary
    _apply(store, stored, planned, summary, keys)
    return summary


def _count(summary: ImportSummary, planned: list[Planned], keys: dict[str, int]) -> None:
    displays = {parse_name(p.name).key: p.name for p in planned}
    summary.people_created = sorted((d for k, d in displays.items() if k not in keys), key=str.casefold)
    summary.people_existing = sorted((d for k, d in displays.items() if k in keys), key=str.casefold)
    summary.imported = len(planned)
    summary.matched = sum(p.how == "matched" for p in planned)
    summary.described = sum(p.how == "described" for p in planned)
    summary.names_only = sum(p.how == "only-face" for p in planned)


def _apply(store: LibraryStore, stored: dict[str, StoredPhoto], planned: list[Planned], summary: ImportSummary,
           keys: dict[str, int]) -> None:
    engine = open_engine(store)
    by_photo = {photo.photo_id: photo for photo in stored.values()}
    vectors: dict[tuple[int, tuple], np.ndarray] = {}
    for pid in sorted({p.photo_id for p in planned if p.region_id is None}):
        boxes = [p.box for p in planned if p.photo_id == pid and p.region_id is None]
        try:
            found = describe_drawn(engine, by_photo[pid].path, by_photo[pid].sha256, boxes)
        except LibraryError as exc:
            summary.skip(f"regions not described: {exc}", len(boxes))
            continue
        vectors.update({(pid, box): v for box, v in zip(boxes, found)})
    planned = [p for p in planned if p.region_id is not None or (p.photo_id, p.box) in vectors]
    done: list[Planned] = []
    entry: int | None = None
    for start in range(0, len(planned), BATCH):
        added = []
        with store.write_transaction() as s:
            rec = Recorder(s)
            concepts: dict[str, Concept] = {}
            confirmed_vectors = []
            for p in planned[start : start + BATCH]:
                key = parse_name(p.name).key
                if key not in concepts:
                    concepts[key] = person_for(rec, p.name)[0]
                if p.region_id is None:
                    region = add_user_region(rec, engine, p.photo_id, p.box, vectors[(p.photo_id, p.box)])
                    added.append((region.id, region.kind, vectors[(p.photo_id, p.box)]))
                else:
                    region = s.get(Region, p.region_id)
                    if region is None:
                        summary.skip("face gone meanwhile (the photo was analysed again)")
                        continue
                if confirm(rec, concepts[key], region, "xmp"):
                    confirmed_vectors.append(np.frombuffer(region.vector, dtype=np.float32))
                    done.append(p)
                else:
                    summary.already += 1
            settle(store, engine, rec, confirmed_vectors, {c.id for c in concepts.values()})
            _count(summary, done, keys)
            finished = journal.finish(rec, "import-xmp", f"imported {summary.imported} face(s) of "
                                      f"{len(summary.people_created) + len(summary.people_existing)} people from XMP",
                                      extend=entry)
            entry = finished.entry_id or entry
        journal.after_commit(store, finished)
        index_regions(store, engine, added)
