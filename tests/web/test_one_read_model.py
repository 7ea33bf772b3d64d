"""The CLI and the gallery read a photo's faces through one read model (``reads.photos``), so they
name each face alike: by display name. ``faces PHOTO`` once showed the lookup keys while the
gallery showed display names."""

from __future__ import annotations

from sqlalchemy import select

from plvm_photos.db.models import Concept, Region, Rejection
from tests.curation.small_library import cli_json
from tests.web.helpers import noise_jpeg, synthetic_library

DISPLAY = {"billie_eilish": "Billie Eilish", "zoë": "Zoë"}


def test_cli_faces_and_the_gallery_photo_page_name_each_face_alike(tmp_path):
    from plvm_photos.web.pages import photo_page

    (tmp_path / "photos").mkdir()
    photo = str(noise_jpeg(tmp_path / "photos" / "a.jpg", 7))
    library, ids = synthetic_library(tmp_path / "lib", {photo: [("billie_eilish", (10, 10, 200, 200)),
                                                                (None, (300, 10, 480, 200))]}, list(DISPLAY))
    try:
        with library.transaction() as s:
            concepts = {c.name: c for c in s.scalars(select(Concept))}
            for key, display in DISPLAY.items():
                concepts[key].display = display
            stranger = s.scalar(select(Region.id).where(Region.left == 300))
            s.add(Rejection(photo_id=ids[photo], concept_id=concepts["zoë"].id, region_id=stranger))
        faces = cli_json(["-L", str(tmp_path / "lib"), "faces", photo])["faces"]
        assert [(f["person"], f["not"]) for f in faces] == [("Billie Eilish", []), (None, ["Zoë"])]
        page = photo_page(library, ids[photo])
        assert "&lt;Billie Eilish&gt;" in page and "&lt;Zoë&gt;" in page
        assert "billie_eilish" not in page
    finally:
        library.close()
