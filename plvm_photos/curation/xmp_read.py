"""XMP read: the one namespace table, the one hardened parser, and the people other photo tools
wrote in XMP sidecars and in XMP embedded in JPEG and HEIC files. ``xmp_write`` (export) parses the
sidecars it merges into with the same parser.

What is read, per photo:
- ``mwg-rs:Regions`` (Metadata Working Group regions: digiKam, Lightroom, Picasa, darktable):
  ``AppliedToDimensions`` and each region's ``Name``, ``Type`` and ``Area`` (centre x, y and size
  w, h; ``stArea:unit`` "normalized" (0..1) or "pixel"); a region whose numbers no tool writes
  (NaN, infinite, outside its frame, zero-sized, dimensions below one pixel) is left out and
  counted (``XmpPeople.invalid``), never failing the photo or its folder;
- names without a box: ``Iptc4xmpExt:PersonInImage``, digiKam's ``digiKam:TagsList`` keywords
  under ``People/`` and Lightroom's ``lr:hierarchicalSubject`` under ``People|`` (the last part
  of the path is the name; digiKam's own ``Unknown``/``Unconfirmed``/``Ignored`` are not names).

Every property may be written as an attribute or as an element, with or without an inner
``rdf:Description`` (``rdf:parseType="Resource"``); both forms are read. Sources, in order: the
sidecar ``photo.jpg.xmp`` (digiKam, darktable), the sidecar ``photo.xmp`` (Lightroom), then the
XMP packet in the photo itself; a person found in an earlier source is not read again.

Parsing is bounded: at most ``MAX_XMP`` bytes per packet (a larger file is refused from its size,
before it is read), and a document with a DTD (``<!DOCTYPE``, where entities would be declared) is
refused before ElementTree sees it, so no entity is ever expanded, external or not.
"""

from __future__ import annotations

import math
import os
import struct
import xml.etree.ElementTree as ET
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path

from plvm_photos.safe_write import NotRegularFile, open_regular

MAX_XMP = 4 * 1024 * 1024
MAX_DIMENSION = 1_000_000  # pixels: larger sizes and areas are not numbers a photo tool writes
XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"
HEIF_SUFFIXES = {".heic", ".heif", ".hif"}
JPEG_SUFFIXES = {".jpg", ".jpeg", ".jpe"}
DIGIKAM_SPECIAL = {"Unknown", "Unconfirmed", "Ignored"}

NS = {  # every namespace read or written, by the prefix it is written with
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    "mwg-rs": "http://www.metadataworkinggroup.com/schemas/regions/",
    "stDim": "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
    "stArea": "http://ns.adobe.com/xmp/sType/Area#",
    "digiKam": "http://www.digikam.org/ns/1.0/",
    "plvm": "https://plvm-photos.invalid/ns/1.0/",
}


def q(prefix: str, local: str) -> str:
    """The ElementTree name of ``prefix:local``."""
    return f"{{{NS[prefix]}}}{local}"


RDF_DESC, RDF_LI, RDF_BAG = q("rdf", "Description"), q("rdf", "li"), q("rdf", "Bag")


class XmpError(ValueError):
    """An XMP packet that is not read (too large, a DTD, not XML)."""


@dataclass(frozen=True)
class XmpPacket:
    root: ET.Element
    prefixes: dict[str, str]  # the namespace prefixes it declares (the first declaration of each)


@dataclass(frozen=True)
class XmpRegion:
    name: str | None
    kind: str | None  # mwg-rs:Type: Face, Pet, Focus, BarCode (None when absent)
    area: tuple[float, float, float, float]  # centre x, y and size w, h, in ``unit``
    unit: str  # "normalized" or "pixel"
    applied: tuple[int, int] | None  # AppliedToDimensions (w, h), when given

    def box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The region in pixels of a photo of ``width`` x ``height``, clipped to it."""
        x, y, w, h = self.area
        if self.unit == "pixel":
            aw, ah = self.applied or (width, height)
            x, y, w, h = x / aw, y / ah, w / aw, h / ah
        left, top = (x - w / 2) * width, (y - h / 2) * height
        right, bottom = (x + w / 2) * width, (y + h / 2) * height
        return (max(0, round(left)), max(0, round(top)), min(width, round(right)), min(height, round(bottom)))


@dataclass(frozen=True)
class XmpPeople:
    regions: list[XmpRegion] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # names the packet gives without a box
    sources: list[str] = field(default_factory=list)  # where they were read: a sidecar path, "embedded"
    invalid: int = 0  # regions left out: numbers no tool writes (not finite, out of range, zero-sized)

    @property
    def empty(self) -> bool:
        return not self.regions and not self.names


# --- safe parsing ---------------------------------------------------------------------------------
def _refuse_dtd(*_args) -> None:
    raise XmpError("XMP with a DTD (<!DOCTYPE>) is not read: entities are never expanded")


def parse_xmp(data: bytes) -> XmpPacket:
    """The XML tree of an XMP packet, and the prefixes it declares; XmpError when it is too large,
    declares a DTD or is not XML. The one parser of XMP: import and export's merge both read other
    tools' XMP through it."""
    if len(data) > MAX_XMP:
        raise XmpError(f"XMP of {len(data)} bytes is over the {MAX_XMP} byte limit")
    prefixes: dict[str, str] = {}
    check = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    check.StartDoctypeDeclHandler = _refuse_dtd
    check.EntityDeclHandler = _refuse_dtd

    def declared(prefix: str | None, uri: str) -> None:
        if prefix:
            prefixes.setdefault(prefix, uri)

    check.StartNamespaceDeclHandler = declared
    try:
        check.Parse(data, True)
        root = ET.fromstring(data)
    except (xml.parsers.expat.ExpatError, ET.ParseError) as exc:
        raise XmpError(f"not valid XML: {exc}") from None
    return XmpPacket(root, prefixes)


def read_limited(path: str | Path, limit: int = MAX_XMP, follow_symlinks: bool = True) -> bytes | None:
    """The bytes of the regular file ``path`` (None when there is none); never blocks on a FIFO,
    never reads more than ``limit`` bytes (XmpError); with ``follow_symlinks`` False a link raises
    ``safe_write.SymlinkRefused``."""
    try:
        fh = open_regular(path, follow_symlinks=follow_symlinks)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (NotRegularFile, IsADirectoryError):
        raise XmpError("not a regular file") from None
    with fh:
        st = os.fstat(fh.fileno())
        if st.st_size > limit:
            raise XmpError(f"{st.st_size} bytes is over the {limit} byte limit")
        return fh.read(limit + 1)[:limit]


# --- where XMP lives ------------------------------------------------------------------------------
def sidecars(photo: str | Path) -> list[Path]:
    """The two sidecar names of a photo, digiKam's first."""
    p = Path(photo)
    return [p.with_name(p.name + ".xmp"), p.with_name(p.stem + ".xmp")]


def jpeg_xmp(path: str | Path) -> bytes | None:
    """The XMP packet of a JPEG's APP1 segment (read up to the image data, never beyond)."""
    try:
        fh = open_regular(path)
    except (NotRegularFile, IsADirectoryError):
        return None
    with fh:
        if fh.read(2) != b"\xff\xd8":
            return None
        while True:
            byte = fh.read(1)
            if byte != b"\xff":
                return None
            marker = fh.read(1)
            while marker == b"\xff":  # fill bytes
                marker = fh.read(1)
            if not marker or marker in (b"\xda", b"\xd9"):  # start of scan / end: no metadata after
                return None
            if b"\xd0" <= marker <= b"\xd7" or marker == b"\x01":
                continue
            head = fh.read(2)
            if len(head) < 2:
                return None
            (length,) = struct.unpack(">H", head)
            if length < 2:
                return None
            if marker == b"\xe1":
                data = fh.read(length - 2)
                if data.startswith(XMP_APP1):
                    return data[len(XMP_APP1):]
            else:
                fh.seek(length - 2, os.SEEK_CUR)


def heif_xmp(path: str | Path) -> bytes | None:
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - a dependency
        return None
    try:
        heif = pillow_heif.open_heif(str(path))
    except (OSError, ValueError, RuntimeError):
        return None
    xmp = heif.info.get("xmp")
    return bytes(xmp) if xmp else None


def embedded_xmp(path: str | Path) -> bytes | None:
    suffix = Path(path).suffix.lower()
    if suffix in JPEG_SUFFIXES:
        return jpeg_xmp(path)
    if suffix in HEIF_SUFFIXES:
        return heif_xmp(path)
    return None


# --- what a packet says -----------------------------------------------------------------------------
def prop(node: ET.Element, tag: str) -> str | None:
    """A simple property as an attribute, an element, or inside an ``rdf:Description``."""
    if tag in node.attrib:
        return node.attrib[tag]
    child = node.find(tag)
    if child is not None and child.text and child.text.strip():
        return child.text.strip()
    for desc in node.findall(RDF_DESC):
        found = prop(desc, tag)
        if found is not None:
            return found
    return None


def _struct(node: ET.Element, tag: str) -> ET.Element | None:
    """A structure property's node (the element itself, or its inner ``rdf:Description``)."""
    child = node.find(tag)
    if child is None:
        for desc in node.findall(RDF_DESC):
            child = desc.find(tag)
            if child is not None:
                break
    if child is None:
        return None
    inner = child.find(RDF_DESC)
    return inner if inner is not None else child


def bag_items(element: ET.Element | None) -> list[str]:
    """The texts of a list property's items (``rdf:li`` of its Bag, Seq or Alt)."""
    if element is None:
        return []
    return [(li.text or "").strip() for li in element.iter(RDF_LI) if (li.text or "").strip()]


def _items(descs: list[ET.Element], tag: str) -> list[str]:
    return [item for d in descs for element in d.findall(tag) for item in bag_items(element)]


class _NotANumber(ValueError):
    pass


def _number(text: str | None) -> float | None:
    """The number ``text`` says (None when absent); ``_NotANumber`` when it is not a finite one."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _NotANumber(text) from None
    if not math.isfinite(value):
        raise _NotANumber(text)
    return value


def _applied(dims: ET.Element | None) -> tuple[int, int] | None | bool:
    """AppliedToDimensions (w, h); None when absent; False when its numbers are not a size."""
    if dims is None:
        return None
    try:
        w, h = _number(prop(dims, q("stDim", "w"))), _number(prop(dims, q("stDim", "h")))
    except _NotANumber:
        return False
    if w is None or h is None:
        return None
    if not (1 <= w <= MAX_DIMENSION and 1 <= h <= MAX_DIMENSION):
        return False
    return round(w), round(h)


def _area_ok(x: float, y: float, w: float, h: float, unit: str, applied: tuple[int, int] | None) -> bool:
    """A region inside its frame with a size: normalized numbers in 0..1, pixels within the
    dimensions it was applied to (or any photo's)."""
    aw, ah = (1.0, 1.0) if unit == "normalized" else (applied or (MAX_DIMENSION, MAX_DIMENSION))
    return 0 <= x <= aw and 0 <= y <= ah and 0 < w <= aw and 0 < h <= ah


def _regions(descs: list[ET.Element]) -> tuple[list[XmpRegion], int]:
    """The regions, and how many were left out for numbers no tool writes."""
    found: list[XmpRegion] = []
    invalid = 0
    for d in descs:
        regions = _struct(d, q("mwg-rs", "Regions"))
        if regions is None:
            continue
        applied = _applied(_struct(regions, q("mwg-rs", "AppliedToDimensions")))
        for region_list in regions.iter(q("mwg-rs", "RegionList")):
            for li in region_list.iter(RDF_LI):
                inner = li.find(RDF_DESC)
                node = inner if inner is not None else li
                area = _struct(node, q("mwg-rs", "Area"))
                if area is None:
                    continue
                try:
                    values = [_number(prop(area, q("stArea", k))) for k in ("x", "y", "w", "h")]
                except _NotANumber:
                    invalid += 1
                    continue
                if any(v is None for v in values):
                    continue
                unit = "pixel" if (prop(area, q("stArea", "unit")) or "normalized").strip().lower() == "pixel" else "normalized"
                if applied is False or not _area_ok(*values, unit, applied):
                    invalid += 1
                    continue
                found.append(XmpRegion(prop(node, q("mwg-rs", "Name")), prop(node, q("mwg-rs", "Type")),
                                       tuple(values), unit, applied))
    return found, invalid


def _tag_names(descs: list[ET.Element]) -> list[str]:
    names = _items(descs, q("Iptc4xmpExt", "PersonInImage"))
    for tag in _items(descs, q("digiKam", "TagsList")):
        parts = [p for p in tag.split("/") if p]
        if len(parts) >= 2 and parts[0] == "People" and parts[-1] not in DIGIKAM_SPECIAL:
            names.append(parts[-1])
    for tag in _items(descs, q("lr", "hierarchicalSubject")):
        parts = [p for p in tag.split("|") if p]
        if len(parts) >= 2 and parts[0] == "People":
            names.append(parts[-1])
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def people_in(root: ET.Element) -> XmpPeople:
    """The regions and names one XMP packet gives."""
    rdf = root if root.tag == q("rdf", "RDF") else root.find(f".//{q('rdf', 'RDF')}")
    descs = rdf.findall(RDF_DESC) if rdf is not None else []
    regions, invalid = _regions(descs)
    return XmpPeople(regions, _tag_names(descs), invalid=invalid)


def people_of_photo(photo: str | Path) -> XmpPeople:
    """Everything the photo's sidecars and embedded XMP say about people (see the module
    docstring for the order); raises XmpError for a packet that cannot be read."""
    regions: list[XmpRegion] = []
    names: list[str] = []
    sources: list[str] = []
    invalid = 0
    packets: list[tuple[str, bytes]] = []
    for sidecar in sidecars(photo):
        data = read_limited(sidecar)
        if data is not None:
            packets.append((str(sidecar), data))
    data = embedded_xmp(photo)
    if data is not None:
        packets.append(("embedded", data))
    for source, data in packets:
        found = people_in(parse_xmp(data).root)
        invalid += found.invalid
        if found.empty:
            continue
        sources.append(source)
        named = {r.name for r in regions if r.name}
        regions += [r for r in found.regions if not r.name or r.name not in named]
        names += found.names
    return XmpPeople(regions, list(dict.fromkeys(names)), sources, invalid)
