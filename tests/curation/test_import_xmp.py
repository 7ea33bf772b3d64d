"""import-xmp: face tags written by digiKam and Lightroom (sidecars in both naming styles, XMP inside
JPEG and HEIC files) become confirmed faces; export-xmp then import-xmp reproduces a library's
people and boxes; hostile XMP is refused."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from plvm_photos.curation.xmp_read import MAX_XMP, XmpError, parse_xmp, people_of_photo
from plvm_photos.db.models import Concept, Confirmation, File, Region, Verdict
from plvm_photos.library import Library
from tests.curation.small_library import PHOTOS, cli_json, run_cli

# Face boxes the face engine finds (full-size pixels), and each tool's own, looser framing of them.
BIDEN_IN_BIDEN = (417, 241, 740, 561)
OBAMA_IN_TWO, BIDEN_IN_TWO = (254, 56, 390, 194), (782, 59, 980, 257)
OBAMA_IN_OBAMA = (364, 152, 603, 391)
OBAMA_FOUND_IN_OBAMA = (360, 144, 635, 419)  # the detector's box, which the tag above is matched to
ROSE, KIT = (79, 130, 154, 204), (250, 89, 353, 192)


def area(box, size, grow: float = 1.15) -> tuple[float, float, float, float]:
    """MWG stArea (normalised centre and size) of ``box`` grown by ``grow``, as tools frame faces."""
    (left, top, right, bottom), (w, h) = box, size
    return ((left + right) / 2 / w, (top + bottom) / 2 / h, (right - left) * grow / w, (bottom - top) * grow / h)


def digikam_sidecar(name: str, xywh, size) -> str:
    """A sidecar as digiKam 8 writes it through Exiv2: properties as attributes, TagsList under People/."""
    x, y, w, h = xywh
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
    xmlns:MP="http://ns.microsoft.com/photo/1.2/"
    xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
    xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#"
   xmp:Rating="0"
   exif:DateTimeOriginal="2016-11-08T10:00:00">
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>People/Family/{name}</rdf:li>
     <rdf:li>People/Unknown</rdf:li>
     <rdf:li>Places/Washington</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
   <MicrosoftPhoto:LastKeywordXMP>
    <rdf:Bag>
     <rdf:li>People/Family/{name}</rdf:li>
    </rdf:Bag>
   </MicrosoftPhoto:LastKeywordXMP>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>People|Family|{name}</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>{name}</rdf:li>
     <rdf:li>Washington</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:AppliedToDimensions stDim:w="{size[0]}" stDim:h="{size[1]}" stDim:unit="pixel"/>
    <mwg-rs:RegionList>
     <rdf:Bag>
      <rdf:li>
       <rdf:Description mwg-rs:Name="{name}" mwg-rs:Type="Face">
        <mwg-rs:Area stArea:x="{x:.6f}" stArea:y="{y:.6f}" stArea:w="{w:.6f}" stArea:h="{h:.6f}" stArea:unit="normalized"/>
       </rdf:Description>
      </rdf:li>
     </rdf:Bag>
    </mwg-rs:RegionList>
   </mwg-rs:Regions>
   <MP:RegionInfo rdf:parseType="Resource">
    <MPRI:Regions>
     <rdf:Bag>
      <rdf:li MPReg:PersonDisplayName="{name}" MPReg:Rectangle="{x - w / 2:.6f}, {y - h / 2:.6f}, {w:.6f}, {h:.6f}"/>
     </rdf:Bag>
    </MPRI:Regions>
   </MP:RegionInfo>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""


def lightroom_region(name: str | None, xywh, kind: str = "Face", elements: bool = False) -> str:
    """One region as Lightroom Classic writes it (attributes), or in the element form ExifTool and
    other Adobe tools use (``rdf:parseType="Resource"``)."""
    x, y, w, h = xywh
    if elements:
        named = f"<mwg-rs:Name>{name}</mwg-rs:Name>" if name else ""
        return f"""      <rdf:li rdf:parseType="Resource">
       {named}
       <mwg-rs:Type>{kind}</mwg-rs:Type>
       <mwg-rs:Area rdf:parseType="Resource">
        <stArea:x>{x:.5f}</stArea:x>
        <stArea:y>{y:.5f}</stArea:y>
        <stArea:w>{w:.5f}</stArea:w>
        <stArea:h>{h:.5f}</stArea:h>
        <stArea:unit>normalized</stArea:unit>
       </mwg-rs:Area>
      </rdf:li>
"""
    named = f'\n        mwg-rs:Name="{name}"' if name else ""
    return f"""      <rdf:li>
       <rdf:Description{named}
        mwg-rs:Type="{kind}">
       <mwg-rs:Area
        stArea:h="{h:.5f}"
        stArea:w="{w:.5f}"
        stArea:x="{x:.5f}"
        stArea:y="{y:.5f}"
        stArea:unit="normalized"/>
       </rdf:Description>
      </rdf:li>
"""


def lightroom_xmp(size, regions: str, persons: list[str]) -> str:
    people = "".join(f"\n      <rdf:li>{p}</rdf:li>" for p in persons)
    return f"""<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00        ">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
   xmp:CreatorTool="Adobe Photoshop Lightroom Classic 12.0 (Windows)"
   xmp:MetadataDate="2023-01-14T12:00:00+01:00">
   <dc:subject>
    <rdf:Bag>{people}
    </rdf:Bag>
   </dc:subject>
   <Iptc4xmpExt:PersonInImage>
    <rdf:Bag>{people}
    </rdf:Bag>
   </Iptc4xmpExt:PersonInImage>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:AppliedToDimensions rdf:parseType="Resource">
     <stDim:w>{size[0]}</stDim:w>
     <stDim:h>{size[1]}</stDim:h>
     <stDim:unit>pixel</stDim:unit>
    </mwg-rs:AppliedToDimensions>
    <mwg-rs:RegionList>
     <rdf:Bag>
{regions}     </rdf:Bag>
    </mwg-rs:RegionList>
   </mwg-rs:Regions>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as im:
        return im.size


def confirmed(root: Path) -> set[tuple[str, str, tuple]]:
    """(file name, person, box) of every confirmed face."""
    with Library(root, create=False) as lib, lib.session() as s:
        rows = s.execute(select(File.path, Concept.display, Region).join(Confirmation, Confirmation.photo_id == File.photo_id)
                         .join(Concept, Concept.id == Confirmation.concept_id)
                         .join(Region, Region.id == Confirmation.region_id)).all()
        return {(os.path.basename(path), name, region.box) for path, name, region in rows}


def near(a, b, tol: int = 3) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


# --- reading ------------------------------------------------------------------------------------------
def test_reading_digikam_lightroom_and_embedded_xmp(tmp_path, library_data):
    photo = tmp_path / "two_people.jpg"
    shutil.copy(library_data / PHOTOS["two_people.jpg"], photo)
    size = size_of(photo)
    (tmp_path / "two_people.jpg.xmp").write_text(digikam_sidecar("Jöe Bïden", area(BIDEN_IN_TWO, size), size), "utf-8")
    regions = lightroom_region("Barack Obama", area(OBAMA_IN_TWO, size), elements=True) + \
        lightroom_region("Jöe Bïden", area(BIDEN_IN_TWO, size))
    (tmp_path / "two_people.xmp").write_text(lightroom_xmp(size, regions, ["Barack Obama", "Jöe Bïden"]), "utf-8")
    people = people_of_photo(photo)
    # digiKam's sidecar first, then Lightroom's: each person once, the special People/Unknown tag dropped
    assert [(r.name, r.kind) for r in people.regions] == [("Jöe Bïden", "Face"), ("Barack Obama", "Face")]
    assert people.names == ["Jöe Bïden", "Barack Obama"]
    assert people.sources == [str(tmp_path / "two_people.jpg.xmp"), str(tmp_path / "two_people.xmp")]
    assert near(people.regions[1].box(*size), (244, 46, 400, 204))  # Obama's box, grown by 15 %
    assert people.regions[0].applied == size

    # XMP inside a JPEG (APP1) and a HEIC file, pixel units
    packet = lightroom_xmp(size, lightroom_region("Barack Obama", (321, 125, 136, 138)), ["Barack Obama"])
    packet = packet.replace('stArea:unit="normalized"', 'stArea:unit="pixel"').encode("utf-8")
    from pillow_heif import register_heif_opener

    register_heif_opener()
    with Image.open(photo) as im:
        im.save(tmp_path / "embedded.jpg", "JPEG", quality=90, xmp=packet)
        im.resize((400, 200)).save(tmp_path / "embedded.heic", xmp=packet)
    for name in ("embedded.jpg", "embedded.heic"):
        got = people_of_photo(tmp_path / name)
        assert got.sources == ["embedded"] and [r.name for r in got.regions] == ["Barack Obama"], name
        assert got.regions[0].box(*size) == (253, 56, 389, 194)


def test_hostile_xmp_is_refused(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              '<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol2;</x:xmpmeta>').encode()
    with pytest.raises(XmpError, match="DTD"):
        parse_xmp(laughs)
    external = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(XmpError, match="DTD"):
        parse_xmp(external)
    with pytest.raises(XmpError, match="DTD"):  # the same in UTF-16: no byte search to slip past
        parse_xmp('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'.encode("utf-16"))
    with pytest.raises(XmpError, match="limit"):
        parse_xmp(b"<x>" + b" " * MAX_XMP + b"</x>")
    with pytest.raises(XmpError, match="not valid XML"):
        parse_xmp(b"<x:xmpmeta")
    photo = tmp_path / "p.jpg"
    Image.new("RGB", (64, 64)).save(photo)
    os.mkfifo(tmp_path / "p.jpg.xmp")  # a FIFO where the sidecar would be: refused, never waited on
    with pytest.raises(XmpError, match="regular file"):
        people_of_photo(photo)


# --- importing ------------------------------------------------------------------------------------
def test_import_xmp_into_a_fresh_library_confirms_the_tagged_faces(tmp_path, library_data):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("biden.jpg", "two_people.jpg", "obama2.jpg", "kit_with_rose.jpg"):
        shutil.copy(library_data / PHOTOS[name], photos / name)
    with Image.open(library_data / PHOTOS["obama.jpg"]) as im:  # Obama named inside the JPEG itself
        size = im.size
        packet = lightroom_xmp(size, lightroom_region("Barack Obama", area(OBAMA_IN_OBAMA, size)), ["Barack Obama"])
        im.save(photos / "obama_tagged.jpg", "JPEG", quality=92, xmp=packet.encode("utf-8"))
    size = size_of(photos / "biden.jpg")
    (photos / "biden.jpg.xmp").write_text(digikam_sidecar("Jöe Bïden", area(BIDEN_IN_BIDEN, size), size), "utf-8")
    size = size_of(photos / "two_people.jpg")
    regions = lightroom_region("Barack Obama", area(OBAMA_IN_TWO, size)) + \
        lightroom_region("Jöe Bïden", area(BIDEN_IN_TWO, size), elements=True)
    (photos / "two_people.xmp").write_text(lightroom_xmp(size, regions, ["Barack Obama", "Jöe Bïden"]), "utf-8")
    size = size_of(photos / "kit_with_rose.jpg")
    regions = (lightroom_region("Rosé", area(ROSE, size))
               + lightroom_region("Someone", (0.85, 0.85, 0.08, 0.1))  # no face detected there: described
               + lightroom_region(None, area(KIT, size))  # a face nobody named
               + lightroom_region("Rex", (0.5, 0.9, 0.1, 0.1), kind="Pet"))
    (photos / "kit_with_rose.jpg.xmp").write_text(lightroom_xmp(size, regions, ["Rosé", "Kit"]), "utf-8")

    lib = tmp_path / "lib"
    assert run_cli(["-L", str(lib), "scan", str(photos / "obama2.jpg"), "-q"]).exit_code == 0  # scanned before

    dry = cli_json(["-L", str(lib), "import-xmp", str(photos), "--dry-run"])
    assert dry["dry_run"] and dry["photos"] == 5 and dry["tagged"] == 4 and dry["scanned"] == 4
    assert dry["regions"] == 6 and dry["imported"] == 0
    assert cli_json(["-L", str(lib), "people"]) == []  # nothing changed, nothing scanned
    with Library(lib) as library, library.session() as s:
        assert len(s.scalars(select(File.id)).all()) == 1

    done = cli_json(["-L", str(lib), "import-xmp", str(photos)])
    assert done["scanned"] == 4 and done["tagged"] == 4 and done["regions"] == 6
    assert sorted(done["people_created"]) == sorted(["Barack Obama", "Jöe Bïden", "Kit", "Rosé", "Someone"])
    assert done["imported"] == 7 and done["matched"] == 5 and done["described"] == 1 and done["names_only"] == 1
    assert done["skipped"] == {"face region without a name": 1, "not a face region (Pet)": 1}
    people = {p["name"]: p for p in cli_json(["-L", str(lib), "people"])}
    assert set(people) == {"Barack Obama", "Jöe Bïden", "Kit", "Rosé", "Someone"}
    got = {(f, n): b for f, n, b in confirmed(lib)}
    expected = {("biden.jpg", "Jöe Bïden"): BIDEN_IN_BIDEN, ("two_people.jpg", "Barack Obama"): OBAMA_IN_TWO,
                ("two_people.jpg", "Jöe Bïden"): BIDEN_IN_TWO, ("obama_tagged.jpg", "Barack Obama"): OBAMA_FOUND_IN_OBAMA,
                ("kit_with_rose.jpg", "Rosé"): ROSE, ("kit_with_rose.jpg", "Kit"): KIT,
                ("kit_with_rose.jpg", "Someone"): (int(0.81 * size[0]), int(0.8 * size[1]), int(0.89 * size[0]),
                                                   int(0.9 * size[1]))}
    assert set(got) == set(expected) and all(near(got[k], expected[k]) for k in got), got  # obama_tagged: re-encoded
    with Library(lib) as library, library.session() as s:
        drawn = s.scalar(select(Region).join(Confirmation, Confirmation.region_id == Region.id)
                         .join(Concept, Concept.id == Confirmation.concept_id).where(Concept.display == "Someone"))
        assert drawn.by_user and len(drawn.vector) == 512

    # The imported people are found in photos nobody tagged: their confirmed faces are references.
    answer = cli_json(["-L", str(lib), "ask", "where is <barack obama>?"])
    assert {os.path.basename(p["path"]) for p in answer["photos"]} == {"two_people.jpg", "obama_tagged.jpg", "obama2.jpg"}

    again = cli_json(["-L", str(lib), "import-xmp", str(photos)])  # nothing new the second time
    assert again["imported"] == 0 and again["already"] == 7 and again["scanned"] == 0

    # One undo takes the whole import back (the people it created, its drawn region).
    assert run_cli(["-L", str(lib), "undo"]).exit_code == 0  # the second import changed nothing: no entry
    assert cli_json(["-L", str(lib), "people"]) == []
    assert confirmed(lib) == set()


def test_export_then_import_into_a_fresh_library_reproduces_people_and_boxes(small_lib, tmp_path):
    from plvm_photos.curation.clusters import cluster_unknown
    from plvm_photos.curation.confirm import name_faces

    library, root, photos = small_lib
    biden = cluster_unknown(library).clusters[0]
    name_faces(library, [f.region_id for f in biden.faces], "Jöe Bïden")
    with library.session() as s:
        source = {(os.path.basename(path), name, tuple(box))
                  for path, name, *box in s.execute(
                      select(File.path, Concept.display, Region.left, Region.top, Region.right, Region.bottom)
                      .join(Verdict, Verdict.photo_id == File.photo_id).join(Concept, Concept.id == Verdict.concept_id)
                      .join(Region, Region.id == Verdict.region_id).where(Verdict.present.is_(True)))}
    assert {n for _, n, _ in source} == {"Obama", "Jöe Bïden"} and len(source) == 7

    out = tmp_path / "exported"
    exported = cli_json(["-L", str(root), "export-xmp", str(photos), "--into", str(out)])
    assert exported["written"] == len(PHOTOS)
    for name in PHOTOS:  # the photos beside their sidecars, as another computer would have them
        shutil.copy(photos / name, out / name)
    fresh = tmp_path / "fresh"
    done = cli_json(["-L", str(fresh), "import-xmp", str(out)])
    assert done["matched"] == 7 and done["described"] == 0
    assert done["skipped"] == {"face region without a name": 4}  # export-xmp writes the unknown faces too
    assert sorted(done["people_created"]) == ["Jöe Bïden", "Obama"]
    assert confirmed(fresh) == source
    people = {p["name"]: p["photos"] for p in cli_json(["-L", str(fresh), "people"])}
    assert people == {"Obama": 4, "Jöe Bïden": 3}
    assert "Jöe Bïden" in (out / "obama_and_biden.jpg.xmp").read_text("utf-8")  # as written, non-ASCII kept


def hostile_region(name: str, x: str, y: str, w: str, h: str) -> str:
    return f"""      <rdf:li>
       <rdf:Description mwg-rs:Name="{name}" mwg-rs:Type="Face">
       <mwg-rs:Area stArea:x="{x}" stArea:y="{y}" stArea:w="{w}" stArea:h="{h}" stArea:unit="normalized"/>
       </rdf:Description>
      </rdf:li>
"""


def test_hostile_numbers_skip_their_region_never_the_folder_and_identical_regions_are_one_face(
        tmp_path, library_data, monkeypatch):
    """``stDim:w="0.5"`` once raised ZeroDivisionError, ``1e400`` OverflowError, and one such sidecar
    aborted the whole folder; 2000 identical regions made 2000 people on one box."""
    from plvm_photos.curation import import_xmp, journal

    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("biden.jpg", "two_people.jpg", "kit_with_rose.jpg"):
        shutil.copy(library_data / PHOTOS[name], photos / name)
    size = size_of(photos / "biden.jpg")
    (photos / "biden.jpg.xmp").write_text(digikam_sidecar("Joe", area(BIDEN_IN_BIDEN, size), size), "utf-8")
    size = size_of(photos / "two_people.jpg")  # dimensions below a pixel: its regions cannot be placed
    (photos / "two_people.xmp").write_text(lightroom_xmp(size, lightroom_region("Barack", area(OBAMA_IN_TWO, size)), [])
                                           .replace(f"<stDim:w>{size[0]}</stDim:w>", "<stDim:w>0.5</stDim:w>"), "utf-8")
    size = size_of(photos / "kit_with_rose.jpg")
    bad = [("nan", "0.5", "0.1", "0.1"), ("0.5", "inf", "0.1", "0.1"), ("0.5", "0.5", "1e400", "0.1"),
           ("0.5", "0.5", "-0.1", "0.1"), ("0.5", "0.5", "0", "0.1"), ("5", "0.5", "0.1", "0.1"), ("0.5", "x", "0.1", "0.1")]
    regions = "".join(hostile_region(f"Bad {k}", *numbers) for k, numbers in enumerate(bad))
    regions += lightroom_region("Rosé", area(ROSE, size))
    regions += "".join(lightroom_region(f"Clone {k}", (0.85, 0.85, 0.08, 0.1)) for k in range(200))  # one box, 200 names
    (photos / "kit_with_rose.jpg.xmp").write_text(lightroom_xmp(size, regions, []), "utf-8")

    monkeypatch.setattr(import_xmp, "BATCH", 1)  # every face its own transaction
    commits = []
    after_commit = journal.after_commit
    monkeypatch.setattr(journal, "after_commit", lambda store, finished: commits.append(1) or after_commit(store, finished))
    with Library(tmp_path / "lib") as lib:
        done = import_xmp.import_xmp(lib, [str(photos)])
        assert done.errors == [] and done.tagged == 2  # two_people.xmp: nothing left to import
        assert done.skipped == {import_xmp.INVALID_REGION: len(bad) + 1, import_xmp.TAKEN: 199}
        assert sorted(p.name for p in lib.people()) == ["Clone 0", "Joe", "Rosé"] and done.imported == 3
        assert len(commits) == 3 and [a.action for a in journal.history(lib)] == ["import-xmp"]
        journal.undo(lib)  # one undo takes all its transactions back
        assert lib.people() == []
