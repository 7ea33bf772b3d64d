"""The watcher picks up a video and a camera RAW copied in, joins a RAW+JPEG pair into one item,
and says what it leaves out (``--no-videos``): in its events and in ``status``."""

from __future__ import annotations

import json
import shutil

from PIL import Image

from tests.media.clips import Shown, write_clip
from tests.media.dng import write_dng
from tests.media.exif import write_jpeg
from tests.watch.helpers import analysed, cli, db_rows, present_people


def test_a_video_and_a_raw_copied_in(tmp_path, library_data, watchers):
    from plvm_photos.library import Library

    library, photos, staging = tmp_path / "lib", tmp_path / "photos", tmp_path / "staging"
    photos.mkdir()
    staging.mkdir()
    with Library(library) as lib:
        lib.add_person("obama", [library_data / "barack_obama" / "ref.jpg"])
    face = Image.open(library_data / "barack_obama" / "test" / "facerec__obama.jpg")
    clip = write_clip(staging / "party.mp4", 10, [Shown(face, 4, 10)], faststart=True)
    raw = write_dng(staging / "IMG_0001.DNG", face, 1200, taken="2022:05:01 10:00:00")
    jpeg = write_jpeg(staging / "IMG_0001.JPG", face, taken="2022:05:01 10:00:00")
    w = watchers(library, [photos], extra=("--no-raw",))
    w.wait_idle()
    for source in (clip, raw):
        shutil.copy(source, photos / source.name)
    w.wait_for(lambda: analysed(library, photos / "party.mp4"), what="the video")
    w.wait_for(lambda: w.of("skipped"), what="the RAW skipped")
    assert present_people(library, photos / "party.mp4") == {"obama"}
    assert [e["kind"] for e in w.of("skipped")] == ["raw"]
    w.wait_idle()
    status = cli(library, "status")
    assert "1 RAW file skipped: --no-raw" in status.stdout, status.stdout
    assert w.stop() == 0

    w = watchers(library, [photos])  # RAW files wanted now: the DNG, and then its JPEG, make one item
    w.wait_for(lambda: analysed(library, photos / "IMG_0001.DNG"), what="the RAW")
    shutil.copy(jpeg, photos / jpeg.name)
    w.wait_for(lambda: analysed(library, photos / "IMG_0001.JPG"), what="the JPEG joining the RAW")
    w.wait_idle()
    rows = db_rows(library, "SELECT path, photo_id, role FROM files WHERE path LIKE '%IMG_0001%' ORDER BY path")
    assert len({photo_id for _, photo_id, _ in rows}) == 1 and [role for *_, role in rows] == [None, "companion"]
    assert present_people(library, photos / "IMG_0001.JPG") == {"obama"}
    assert json.loads(cli(library, "status", "--json").stdout)["skipped"] == {}
    assert w.stop() == 0
