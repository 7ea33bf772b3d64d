"""XMP sidecars: written next to photos or into a folder, parsed back against the stored regions,
merged into existing sidecars without losing their other content."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from plvm_photos.curation.xmp_read import RDF_DESC, bag_items, parse_xmp, people_in, q
from plvm_photos.curation.xmp_write import export
from plvm_photos.db.models import Concept, File, Photo, Region, Verdict
from plvm_photos.library import Library

GROUP_PHOTOS = ["_group/test/facerec__two_people.jpg", "_group/test/facerec__test_obama_and_biden.jpg"]


@pytest.fixture(scope="module")
def small_library(library_data, manifest, tmp_path_factory):
    """Obama and Biden registered; two group photos copied to a temp folder (sidecars go next to them)."""
    root = tmp_path_factory.mktemp("xmp")
    photos = root / "photos"
    (photos / "sub").mkdir(parents=True)
    shutil.copy(library_data / GROUP_PHOTOS[0], photos / "two_people.jpg")
    shutil.copy(library_data / GROUP_PHOTOS[1], photos / "sub" / "obama_and_biden.jpg")
    with Library(root / "lib") as lib:
        for name in ("barack_obama", "joe_biden"):
            lib.add_person(name, [library_data / manifest["identities"][name]["ref"]])
        lib.scan([photos], progress=False)
    return root / "lib", photos


def stored(library: Library) -> dict[str, dict]:
    """Per current file: the photo's size, its face boxes and the name on each (None = unknown)."""
    out = {}
    with library.session() as s:
        for path, photo in s.execute(select(File.path, Photo).join(Photo, Photo.id == File.photo_id).where(File.missing.is_(False))):
            if photo.error:
                continue
            names = dict(
                s.execute(
                    select(Verdict.region_id, Concept.name)
                    .join(Concept, Concept.id == Verdict.concept_id)
                    .where(Verdict.photo_id == photo.id, Verdict.present.is_(True))
                ).all()
            )
            regions = s.scalars(select(Region).where(Region.photo_id == photo.id, Region.kind == "face")).all()
            out[path] = {"size": (photo.width, photo.height), "faces": [(names.get(r.id), r.box) for r in regions]}
    return out


@dataclass(frozen=True)
class SidecarPeople:
    persons: list[str]
    subjects: list[str]
    hierarchical: list[str]
    dimensions: tuple[int, int] | None
    regions: list[tuple[str | None, str | None, tuple[float, float, float, float]]]  # (name, type, x, y, w, h)


def read_people(text: str) -> SidecarPeople:
    """What a written sidecar says, read back through the one XMP parser (``xmp_read``)."""
    root = parse_xmp(text.encode("utf-8")).root
    descs = root.findall(f".//{RDF_DESC}")

    def bag(tag: str) -> list[str]:
        return [item for d in descs for element in d.findall(tag) for item in bag_items(element)]

    regions = people_in(root).regions
    return SidecarPeople(bag(q("Iptc4xmpExt", "PersonInImage")), bag(q("dc", "subject")),
                         bag(q("lr", "hierarchicalSubject")), regions[0].applied if regions else None,
                         [(r.name, r.kind, r.area) for r in regions])


def check_sidecar(text: str, expected: dict) -> None:
    got = read_people(text)
    w, h = expected["size"]
    assert got.dimensions == (w, h)
    names = [n for n, _ in expected["faces"] if n]
    assert sorted(got.persons) == sorted(names)
    assert sorted(got.subjects) == sorted(names)
    assert sorted(got.hierarchical) == sorted(f"People|{n}" for n in names)
    assert len(got.regions) == len(expected["faces"])
    want = sorted(
        (n or "", ((l + r) / 2 / w, (t + b) / 2 / h, (r - l) / w, (b - t) / h)) for n, (l, t, r, b) in expected["faces"]
    )
    have = sorted((n or "", xywh) for n, typ, xywh in got.regions if typ == "Face")
    assert [n for n, _ in have] == [n for n, _ in want]
    for (_, a), (_, b) in zip(have, want):
        assert a == pytest.approx(b, abs=1e-5)


def test_sidecars_next_to_photos_match_the_stored_regions(small_library):
    lib_dir, photos = small_library
    with Library(lib_dir) as lib:
        summary = export(lib, photos, progress=False)
        expected = stored(lib)
    assert summary.written == 2 and not summary.errors
    sidecars = {photos / "two_people.jpg.xmp", photos / "sub" / "obama_and_biden.jpg.xmp"}
    assert set(map(Path, summary.sidecars)) == sidecars
    for sidecar in sidecars:
        photo = str(sidecar)[: -len(".xmp")]
        check_sidecar(sidecar.read_text(), expected[photo])
    both = read_people((photos / "sub" / "obama_and_biden.jpg.xmp").read_text())
    assert sorted(both.persons) == ["barack_obama", "joe_biden"]
    assert sum(1 for n, _, _ in both.regions if n is None) == 1  # the child: an unnamed face
    with Library(lib_dir) as lib:  # exporting again changes nothing
        again = export(lib, photos, progress=False)
    assert again.written == 0 and again.unchanged == 2


def test_into_folder_mirrors_the_tree_and_stem_naming(small_library, tmp_path):
    lib_dir, photos = small_library
    with Library(lib_dir) as lib:
        summary = export(lib, photos, into=tmp_path / "out", stem=True, progress=False)
    assert sorted(Path(p).relative_to(tmp_path / "out").as_posix() for p in summary.sidecars) == [
        "sub/obama_and_biden.xmp",
        "two_people.xmp",
    ]


EXISTING = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
    xmp:Rating="4">
   <digiKam:TagsList><rdf:Seq><rdf:li>Places/Washington</rdf:li></rdf:Seq></digiKam:TagsList>
   <dc:subject><rdf:Bag><rdf:li>Washington</rdf:li><rdf:li>joe_biden</rdf:li><rdf:li>barack_obama</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|Washington</rdf:li><rdf:li>People|Aunt May</rdf:li></rdf:Bag></lr:hierarchicalSubject>
   <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Aunt May</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:RegionList><rdf:Bag>
     <rdf:li><rdf:Description mwg-rs:Name="Aunt May" mwg-rs:Type="Face">
      <mwg-rs:Area stArea:x="0.1" stArea:y="0.1" stArea:w="0.05" stArea:h="0.05" stArea:unit="normalized"/>
     </rdf:Description></rdf:li>
     <rdf:li><rdf:Description mwg-rs:Name="joe_biden" mwg-rs:Type="Face">
      <mwg-rs:Area stArea:x="0.9" stArea:y="0.9" stArea:w="0.05" stArea:h="0.05" stArea:unit="normalized"/>
     </rdf:Description></rdf:li>
    </rdf:Bag></mwg-rs:RegionList>
   </mwg-rs:Regions>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def test_existing_sidecar_keeps_its_other_tags(small_library, tmp_path):
    """Other tags, a rating, a hand-made region and keywords stay; a stale region of a registered
    person and that person's keyword are replaced by what the library knows now."""
    lib_dir, photos = small_library
    photo = photos / "two_people.jpg"
    sidecar = Path(str(photo) + ".xmp")
    sidecar.write_text(EXISTING)
    with Library(lib_dir) as lib:
        summary = export(lib, photo, progress=False)
        expected = stored(lib)[str(photo)]
    assert summary.written == 1 and not summary.errors
    text = sidecar.read_text()
    root = ET.fromstring(text)
    desc = root.find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
    assert desc.get("{http://ns.adobe.com/xap/1.0/}Rating") == "4"
    assert "Places/Washington" in text and "xmlns:digiKam=" in text
    got = read_people(text)
    present = sorted(n for n, _ in expected["faces"] if n)
    assert present == ["barack_obama", "joe_biden"]
    assert got.subjects == ["Washington", *[n for n in got.subjects if n != "Washington"]]
    assert sorted(got.subjects) == sorted(["Washington", *present])
    assert got.hierarchical[:2] == ["Places|Washington", "People|Aunt May"]
    assert sorted(got.hierarchical[2:]) == [f"People|{n}" for n in present]
    assert got.persons[0] == "Aunt May" and sorted(got.persons[1:]) == present
    regions = {(n, xywh) for n, _, xywh in got.regions}
    assert ("Aunt May", (0.1, 0.1, 0.05, 0.05)) in regions
    assert ("joe_biden", (0.9, 0.9, 0.05, 0.05)) not in regions  # the stale box of a registered person
    ours = [r for r in got.regions if r[0] != "Aunt May"]
    assert len(ours) == len(expected["faces"])


def test_export_xmp_cli_json(small_library, tmp_path):
    from typer.testing import CliRunner

    import plvm_photos.cli.gallery  # noqa: F401 (registers the command)
    from plvm_photos.cli.app import app, state

    lib_dir, photos = small_library
    state.library_dir, state.db_url, state._library = lib_dir, None, None
    try:
        result = CliRunner().invoke(app, ["-L", str(lib_dir), "export-xmp", str(photos), "--into", str(tmp_path), "--json"])
    finally:
        if state._library is not None:
            state._library.close()
        state._library = None
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["written"] == 2 and data["errors"] == []


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">' for k in range(1, 10))
                  + ']><x:xmpmeta xmlns:x="adobe:ns:meta/">&lol9;</x:xmpmeta>')
EXTERNAL_ENTITY = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
                   '<x:xmpmeta xmlns:x="adobe:ns:meta/">&secret;</x:xmpmeta>')
# A small entity in a keyword: not a bomb, but merging would expand it (and drop the DTD) in the user's file.
SMALL_ENTITY = EXISTING.replace('<?xml version="1.0" encoding="UTF-8"?>',
                                '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY city "Washington">]>')
SMALL_ENTITY = SMALL_ENTITY.replace("<rdf:li>Washington</rdf:li>", "<rdf:li>&city;</rdf:li>")
FIFTY_MB = EXISTING.replace("<rdf:RDF", "<!-- " + "x" * 50_000_000 + " -->\n <rdf:RDF", 1)


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY, SMALL_ENTITY, FIFTY_MB],
                         ids=["billion-laughs", "external-entity", "entity", "50MB"])
def test_export_xmp_refuses_a_hostile_sidecar_in_one_line_and_leaves_it(small_library, hostile):
    """export-xmp merges into existing sidecars through the import's hardened parser: a DTD (any
    entity) or a file over the size limit is refused, said in one line, and the file is untouched."""
    import os

    from typer.testing import CliRunner

    import plvm_photos.cli.gallery  # noqa: F401 (registers the command)
    from plvm_photos.cli.app import app, state

    lib_dir, photos = small_library
    photo = photos / "two_people.jpg"
    sidecar = Path(f"{photo}.xmp")
    sidecar.write_text(hostile, "utf-8")
    before = (sidecar.read_bytes(), os.stat(sidecar).st_mtime_ns)
    state.library_dir, state.db_url, state._library = lib_dir, None, None
    try:
        result = CliRunner().invoke(app, ["-L", str(lib_dir), "export-xmp", str(photo)])
        assert result.exit_code == 0, result.output
        assert (sidecar.read_bytes(), os.stat(sidecar).st_mtime_ns) == before
        said = [line for line in result.output.splitlines() if str(sidecar) in line]
        why = ("over the 4194304 byte limit" if hostile is FIFTY_MB
               else "XMP with a DTD (<!DOCTYPE>) is not read: entities are never expanded")
        assert len(said) == 1, result.output
        assert said[0].startswith(f"  {sidecar}: existing sidecar not read, left alone: ") and said[0].endswith(why)
        assert result.output.startswith("0 sidecar(s) written, 0 unchanged, 0 photo(s) skipped\n")
        if hostile is not FIFTY_MB:  # the line docs/gallery.md shows
            doc = (Path(__file__).resolve().parents[2] / "docs" / "gallery.md").read_text()
            assert f": existing sidecar not read, left alone: {why}" in doc
    finally:
        if state._library is not None:
            state._library.close()
        state._library = None
        sidecar.unlink()
