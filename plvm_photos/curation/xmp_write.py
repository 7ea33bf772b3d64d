"""XMP write: sidecars with the people found, in the forms digiKam, Lightroom, darktable and Immich read.

Written per photo file:
- ``Iptc4xmpExt:PersonInImage`` (bag of names);
- ``dc:subject`` (flat keywords) and ``lr:hierarchicalSubject`` (``People|name``);
- ``mwg-rs:Regions``: ``AppliedToDimensions`` (full-size pixels after EXIF orientation) and one
  ``Type="Face"`` region per face, with a normalised centre-based ``stArea`` (x, y = centre;
  w, h = size; all 0..1). Unnamed faces are written without a name.

An existing sidecar is parsed (by ``xmp_read.parse_xmp``, the one hardened parser: a DTD, an
entity or a file over ``MAX_XMP`` bytes is refused and the sidecar left as it is) and merged:
everything else in it is kept. What this tool owns is recognised without a marker file: names of
registered people in the name lists (so a person no longer found is removed, a keyword the user
typed is not), and face regions that carry ``plvm:Source`` or a registered person's name; other
regions stay.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select

from plvm_photos import safe_write
from plvm_photos.curation.xmp_read import (NS, RDF_BAG, RDF_DESC, RDF_LI, XmpError, XmpPacket, bag_items, parse_xmp, prop, q,
                                           read_limited)
from plvm_photos.fsnames import printable
from plvm_photos.db.models import Concept, File, Photo, Region, Verdict
from plvm_photos.errors import LibraryError
from plvm_photos.store.library_store import LibraryStore

PEOPLE_ROOT = "People"
XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
XPACKET_END = '\n<?xpacket end="w"?>\n'
RDF_ABOUT, RDF_PARSETYPE = q("rdf", "about"), q("rdf", "parseType")


@dataclass(frozen=True)
class FaceRegion:
    box: tuple[int, int, int, int]  # full-size pixels
    name: str | None


@dataclass(frozen=True)
class PhotoPeople:
    width: int
    height: int
    names: list[str]  # present people, left to right
    faces: list[FaceRegion]


@dataclass
class ExportSummary:
    written: int = 0
    unchanged: int = 0
    skipped: int = 0  # photos with no usable analysis or no present file
    sidecars: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """For JSON: paths with undecodable bytes shown as \\xNN (``printable``)."""
        data = asdict(self)
        data["sidecars"] = [printable(p) for p in self.sidecars]
        return data


# --- reading the library --------------------------------------------------------------------------
def photos_to_export(library: LibraryStore, path: Path | None) -> tuple[dict[int, PhotoPeople], dict[int, list[str]], list[str], int]:
    """(people per photo id, present files per photo id, all registered names, skipped photos)."""
    with library.session() as s:
        files = s.execute(select(File.photo_id, File.path).where(File.missing.is_(False), File.photo_id.is_not(None))).all()
        if path is not None:
            root = os.path.abspath(path)
            files = [(pid, p) for pid, p in files if p == root or p.startswith(root.rstrip(os.sep) + os.sep)]
        by_photo: dict[int, list[str]] = {}
        for pid, p in files:
            by_photo.setdefault(pid, []).append(p)
        ids = sorted(by_photo)
        out: dict[int, PhotoPeople] = {}
        skipped = 0
        # display names, and the keys that sidecars written before display names carry
        registered = sorted({n for row in s.execute(select(Concept.name, Concept.display)) for n in row})
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            photos = {p.id: p for p in s.scalars(select(Photo).where(Photo.id.in_(chunk)))}
            names = {
                rid: name
                for rid, name in s.execute(
                    select(Verdict.region_id, Concept.display)
                    .join(Concept, Concept.id == Verdict.concept_id)
                    .where(Verdict.photo_id.in_(chunk), Verdict.present.is_(True), Verdict.region_id.is_not(None))
                )
            }
            regions: dict[int, list[Region]] = {}
            for r in s.scalars(select(Region).where(Region.photo_id.in_(chunk), Region.kind == "face").order_by(Region.left, Region.id)):
                regions.setdefault(r.photo_id, []).append(r)
            for pid in chunk:
                photo = photos.get(pid)
                if photo is None or photo.error is not None or not photo.width or not photo.height:
                    skipped += 1
                    by_photo.pop(pid, None)
                    continue
                faces = [FaceRegion(r.box, names.get(r.id)) for r in regions.get(pid, [])]
                out[pid] = PhotoPeople(photo.width, photo.height, [f.name for f in faces if f.name], faces)
    return out, by_photo, registered, skipped


# --- building and merging the XMP tree ---------------------------------------------------------
def _register_namespaces(extra: dict[str, str]) -> None:
    for prefix, uri in {**extra, **NS}.items():
        try:
            ET.register_namespace(prefix, uri)
        except ValueError:  # reserved prefixes such as ns0
            pass


def new_tree() -> ET.Element:
    meta = ET.Element(q("x", "xmpmeta"), {q("x", "xmptk"): "plvm-photos"})
    rdf = ET.SubElement(meta, q("rdf", "RDF"))
    ET.SubElement(rdf, RDF_DESC, {RDF_ABOUT: ""})
    return meta


def _descriptions(meta: ET.Element) -> list[ET.Element]:
    rdf = meta if meta.tag == q("rdf", "RDF") else meta.find(q("rdf", "RDF"))
    if rdf is None:
        raise XmpError("no rdf:RDF element")
    descs = rdf.findall(RDF_DESC)
    if not descs:
        descs = [ET.SubElement(rdf, RDF_DESC, {RDF_ABOUT: ""})]
    return descs


def _find_property(descs: list[ET.Element], tag: str) -> tuple[ET.Element, ET.Element | None]:
    for d in descs:
        found = d.find(tag)
        if found is not None:
            return d, found
    return descs[0], None


def _set_bag(descs: list[ET.Element], tag: str, items: list[str]) -> None:
    desc, element = _find_property(descs, tag)
    if element is not None:
        desc.remove(element)
    if not items:
        return
    element = ET.SubElement(desc, tag)
    bag = ET.SubElement(element, RDF_BAG)
    for item in items:
        ET.SubElement(bag, RDF_LI).text = item


def _merge_names(existing: list[str], ours: list[str], managed: set[str]) -> list[str]:
    """Keep what is not ours, drop our names no longer present, add ours in order, no duplicates."""
    kept = [v for v in existing if v not in managed]
    return list(dict.fromkeys(kept + ours))


def _is_ours(li: ET.Element, registered: set[str]) -> bool:
    desc = li.find(RDF_DESC)
    node = desc if desc is not None else li
    if node.get(q("plvm", "Source")) is not None:
        return True
    return prop(node, q("mwg-rs", "Name")) in registered


def _region_li(face: FaceRegion, width: int, height: int) -> ET.Element:
    left, top, right, bottom = face.box
    li = ET.Element(RDF_LI)
    attrs = {q("mwg-rs", "Type"): "Face", q("plvm", "Source"): "plvm-photos"}
    if face.name:
        attrs = {q("mwg-rs", "Name"): face.name, **attrs}
    desc = ET.SubElement(li, RDF_DESC, attrs)
    ET.SubElement(
        desc,
        q("mwg-rs", "Area"),
        {
            q("stArea", "x"): f"{(left + right) / 2 / width:.6f}",
            q("stArea", "y"): f"{(top + bottom) / 2 / height:.6f}",
            q("stArea", "w"): f"{(right - left) / width:.6f}",
            q("stArea", "h"): f"{(bottom - top) / height:.6f}",
            q("stArea", "unit"): "normalized",
        },
    )
    return li


def _set_regions(descs: list[ET.Element], people: PhotoPeople, registered: set[str]) -> None:
    tag = q("mwg-rs", "Regions")
    desc, regions = _find_property(descs, tag)
    kept: list[ET.Element] = []
    if regions is not None:
        bag = regions.find(f"{q('mwg-rs', 'RegionList')}/{RDF_BAG}")
        if bag is None:  # RegionList written with an inner Description (rdf:parseType omitted)
            bag = regions.find(f".//{q('mwg-rs', 'RegionList')}/{RDF_BAG}")
        if bag is not None:
            kept = [li for li in bag.findall(RDF_LI) if not _is_ours(li, registered)]
        desc.remove(regions)
    if not people.faces and not kept:
        return
    regions = ET.SubElement(desc, tag, {RDF_PARSETYPE: "Resource"})
    ET.SubElement(
        regions,
        q("mwg-rs", "AppliedToDimensions"),
        {q("stDim", "w"): str(people.width), q("stDim", "h"): str(people.height), q("stDim", "unit"): "pixel"},
    )
    region_list = ET.SubElement(regions, q("mwg-rs", "RegionList"))
    bag = ET.SubElement(region_list, RDF_BAG)
    for li in kept:
        bag.append(li)
    for face in people.faces:
        bag.append(_region_li(face, people.width, people.height))


def merge(existing: XmpPacket | None, people: PhotoPeople, registered: list[str]) -> str:
    """The sidecar text: the ``existing`` sidecar (if any, as ``xmp_read.parse_xmp`` read it) with
    this tool's properties replaced."""
    _register_namespaces(existing.prefixes if existing is not None else {})
    if existing is not None:
        root = existing.root
        if root.tag not in (q("x", "xmpmeta"), q("rdf", "RDF")):
            raise XmpError(f"not an XMP sidecar (root element {root.tag})")
    else:
        root = new_tree()
    descs = _descriptions(root)
    managed = set(registered)
    hier_managed = {f"{PEOPLE_ROOT}|{n}" for n in registered}

    for tag, ours, owned in ((q("Iptc4xmpExt", "PersonInImage"), people.names, managed),
                             (q("dc", "subject"), people.names, managed),
                             (q("lr", "hierarchicalSubject"), [f"{PEOPLE_ROOT}|{n}" for n in people.names], hier_managed)):
        _set_bag(descs, tag, _merge_names(bag_items(_find_property(descs, tag)[1]), ours, owned))
    _set_regions(descs, people, managed)
    ET.indent(root, space=" ")
    return XPACKET_BEGIN + ET.tostring(root, encoding="unicode") + XPACKET_END


# --- writing ------------------------------------------------------------------------------------
def sidecar_path(photo_path: str, into: Path | None, base: Path | None, stem: bool) -> Path:
    p = Path(photo_path)
    name = (p.stem if stem else p.name) + ".xmp"
    if into is None:
        return p.with_name(name)
    rel_dir = p.parent.relative_to(base) if base is not None and p.parent.is_relative_to(base) else Path(*p.parent.parts[1:])
    return Path(into) / rel_dir / name


def read_sidecar(path: Path) -> bytes | None:
    """The existing sidecar's bytes, None if there is none; a symbolic link raises
    ``safe_write.SymlinkRefused`` (it is never followed), a file over ``MAX_XMP`` bytes or anything
    but a regular file ``XmpError``, before it is read."""
    return read_limited(path, follow_symlinks=False)


def export(library: LibraryStore, path: Path | None = None, into: Path | None = None, stem: bool = False,
           progress: bool = True) -> ExportSummary:
    if path is not None and not Path(path).exists():
        raise LibraryError(f"{path} does not exist")
    people, files, registered, skipped = photos_to_export(library, path)
    if path is not None and not files and not skipped:
        raise LibraryError(f"no indexed photo under {path} (scan it first)")
    summary = ExportSummary(skipped=skipped)
    base: Path | None = None
    if into is not None:
        all_dirs = [os.path.dirname(p) for ps in files.values() for p in ps]
        if path is not None:
            base = Path(os.path.abspath(path))
            base = base if base.is_dir() else base.parent
        elif all_dirs:
            base = Path(os.path.commonpath(all_dirs))
    jobs = [(pid, p) for pid in sorted(files) for p in sorted(files[pid])]
    bar = None
    if progress and len(jobs) > 50:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="sidecar", desc="export-xmp")
    for pid, photo_path in jobs:
        target = sidecar_path(photo_path, into, base, stem)
        try:
            existing = read_sidecar(target)
            text = merge(parse_xmp(existing) if existing is not None else None, people[pid], registered)
            if existing == text.encode("utf-8"):
                summary.unchanged += 1
            else:
                if into is not None:  # next to a photo the folder exists; never create one there
                    target.parent.mkdir(parents=True, exist_ok=True)
                safe_write.write_text(target, text)  # exclusive temp file, fsync, replace; no links followed
                summary.written += 1
            summary.sidecars.append(str(target))
        except safe_write.SymlinkRefused:
            summary.errors.append(f"{printable(str(target))}: is a symbolic link; not followed, left alone")
        except XmpError as exc:
            summary.errors.append(f"{printable(str(target))}: existing sidecar not read, left alone: {exc}")
        except OSError as exc:
            summary.errors.append(f"{printable(str(target))}: {safe_write.describe(exc)}")
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return summary
