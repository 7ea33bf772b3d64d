"""A folder of camera RAW, videos and items, scanned: every person found where they are, at the
right times in a video, an item listed once with all its files, nothing skipped without a word."""

from __future__ import annotations

import json

import pytest

from plvm_photos.ask.answer import answer_query, ask, dbapi_reader
from plvm_photos.ask.query import Person, PhotoRef, Query
from plvm_photos.library import Library
from tests.media.folder import BIRTHDAY


def _photos(library, question):
    return {p.path: p for p in ask(library, question).photos}


def test_the_scan_reports_every_file(media_library):
    _, folder, summary = media_library
    data = summary.as_dict()
    assert data["skipped"] == {"sidecar": 1, "unknown": 1}
    # 9 files to index: 3 DNG, 2 JPEG, 3 videos, a Live Photo movie; the truncated clip is an error
    assert summary.files == 9 and summary.errors == 1
    assert [e["path"] for e in summary.error_files] == [str(folder.truncated)]
    assert "truncated" in summary.error_files[0]["error"] or "damaged" in summary.error_files[0]["error"]


def test_people_are_found_in_raw_files_and_videos(media_library):
    root, folder, _ = media_library
    with Library(root) as library:
        angelina = _photos(library, "where is <angelina>?")
        obama = _photos(library, "photos of <obama>")
    assert set(angelina) == {str(folder.dng_preview), str(folder.video), str(folder.live_still)}
    assert set(obama) == {str(folder.dng_demosaic), str(folder.video), str(folder.pair_jpeg), str(folder.rotated)}


def test_a_video_says_when_each_person_is_seen(media_library):
    root, folder, _ = media_library
    with Library(root) as library:
        video = _photos(library, "where is <angelina>?")[str(folder.video)]
        interval = 5.0  # 40 s at 12 frames a minute: 8 samples, one every 5 s
        assert video.kind == "video" and video.duration == pytest.approx(40.0)
        for name, (start, end) in BIRTHDAY.items():
            [(first, last)] = video.segments[name]
            assert start - interval <= first <= start + interval and end - interval <= last <= end + interval
        listed = ask(library, "photos of <obama>").answer
        assert f"{folder.video} at 0:22–0:37" in listed
        data = video.as_dict()
        assert data["kind"] == "video" and data["segments"]["obama"] == [[22.0, 37.0]]


def test_who_is_in_a_video(media_library):
    root, folder, _ = media_library
    with Library(root) as library:
        raw = library.db.raw_connection()
        try:
            answer = answer_query(dbapi_reader(raw.driver_connection, library.db.dialect),
                                  Query("who", photo=PhotoRef("birthday.mp4"), text="who is in birthday.mp4?"))
        finally:
            raw.close()
    assert answer.answer == f"{folder.video} (0:40 video): <angelina> at 0:12–0:27; <obama> at 0:22–0:37"


def test_an_item_is_one_answer_with_all_its_files(media_library):
    root, folder, _ = media_library
    with Library(root) as library:
        pair = _photos(library, "photos of <obama>")[str(folder.pair_jpeg)]
        live = _photos(library, "photos of <angelina>")[str(folder.live_still)]
        from plvm_photos.db.models import Photo
        from sqlalchemy import func, select

        with library.session() as s:
            assert s.scalar(select(func.count()).select_from(Photo).where(Photo.kind == "video")) == 3  # + the cut clip
    assert pair.files == [str(folder.pair_jpeg), str(folder.pair_raw)] and pair.kind == "photo"
    assert live.files == [str(folder.live_still), str(folder.live_movie)] and live.kind == "photo"


def test_photos_only_and_videos_only(media_library):
    root, folder, _ = media_library
    with Library(root) as library:
        raw = library.db.raw_connection()
        try:
            db = dbapi_reader(raw.driver_connection, library.db.dialect)
            videos = answer_query(db, Query("list", people=Person("obama"), media="video"))
            photos = answer_query(db, Query("list", people=Person("obama"), media="photo"))
        finally:
            raw.close()
    assert {p.path for p in videos.photos} == {str(folder.video), str(folder.rotated)}
    assert {p.path for p in photos.photos} == {str(folder.dng_demosaic), str(folder.pair_jpeg)}
    assert videos.answer.startswith("2 videos with <obama>") and "videos only" in Query("list", media="video").describe()
    assert photos.answer.startswith("2 photos with <obama>")


def test_a_correction_on_one_file_of_an_item_applies_to_the_item(media_library, copy_library):
    from plvm_photos.curation.clusters import reject_match

    source, folder, _ = media_library
    with Library(copy_library(source)) as library:
        reject_match(library, str(folder.pair_raw), "obama")  # said on the RAW: the pair's JPEG is the item
        assert str(folder.pair_jpeg) not in _photos(library, "photos of <obama>")
        assert str(folder.pair_raw) not in _photos(library, "photos of <obama>")


def test_the_scan_json_and_text_name_what_was_skipped(media_library, tmp_path):
    from tests.watch.helpers import cli

    _, folder, _ = media_library
    result = cli(tmp_path / "lib", "scan", str(folder.root), "--no-videos", "--no-raw", "-j", "1", "--json", "-q")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["skipped"] == {"raw": 3, "sidecar": 1, "unknown": 1, "video": 4}
    text = cli(tmp_path / "lib", "scan", str(folder.root), "--no-videos", "-j", "1", "-q")
    assert "4 videos skipped: --no-videos" in text.stdout and "1 file of unknown type skipped" in text.stdout


def test_without_the_video_extra_videos_are_skipped_and_the_scan_says_how_to_install_it(media_library):
    """PyAV (the ``[video]`` extra) is not in the face engine's default install: a folder's videos
    are then counted as skipped with the command that installs it, never passed over silently."""
    from plvm_photos.indexing.walk import walk_images
    from plvm_photos.media.kinds import MediaOptions, Skipped, VIDEO_NOT_INSTALLED

    _, folder, _ = media_library
    skipped = Skipped()
    found = list(walk_images(str(folder.root), media=MediaOptions(video_support=False), skipped=skipped))
    assert skipped.counts[VIDEO_NOT_INSTALLED] == 4 and not [p for p in found if p.endswith((".mp4", ".mov"))]
    assert "4 videos skipped: video support is not installed (pip install 'plvm-photos[video]')" in skipped.lines()
    left_out = Skipped()
    list(walk_images(str(folder.root), media=MediaOptions(videos=False, video_support=False), skipped=left_out))
    assert left_out.counts.get("video") == 4 and VIDEO_NOT_INSTALLED not in left_out.counts  # --no-videos says so
