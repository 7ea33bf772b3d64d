"""Which files make one item: same folder, same name but for the suffix, other kinds, same moment."""

from __future__ import annotations

import os

from PIL import Image

from plvm_photos.indexing.facts import same_moment
from plvm_photos.media.items import item_order, siblings
from tests.media.clips import write_clip
from tests.media.exif import write_jpeg


def _jpeg(path, taken=None, offset=None):
    return write_jpeg(path, Image.new("RGB", (32, 32), (90, 90, 90)), taken=taken, offset=offset)


def test_the_best_member_comes_first():
    paths = ["/p/IMG_1.CR2", "/p/IMG_1.JPG", "/p/IMG_1.MOV", "/p/IMG_0.JPG", "/q/IMG_1.DNG"]
    assert item_order(paths) == ["/p/IMG_1.JPG", "/p/IMG_1.CR2", "/p/IMG_1.MOV", "/p/IMG_0.JPG", "/q/IMG_1.DNG"]


def test_siblings_are_of_another_kind_in_the_same_folder(tmp_path):
    for name in ("IMG_1.JPG", "img_1.dng", "IMG_1.PNG", "IMG_1.xmp", "IMG_10.JPG"):
        (tmp_path / name).write_bytes(b"x")
    assert siblings(str(tmp_path / "IMG_1.JPG")) == [str(tmp_path / "img_1.dng")]


def test_the_same_moment(tmp_path):
    a = _jpeg(tmp_path / "a.jpg", "2022:05:01 12:00:00")
    assert same_moment(str(a), str(_jpeg(tmp_path / "b.jpg", "2022:05:01 12:00:02")))
    assert not same_moment(str(a), str(_jpeg(tmp_path / "c.jpg", "2022:05:01 12:15:00")))  # both local: no shift
    # a movie's UTC time against a still's local time: a whole time-zone offset apart
    movie = write_clip(tmp_path / "m.mov", 1, [], metadata={"creation_time": "2022-05-01T10:00:01.000000Z"})
    assert same_moment(str(a), str(movie))
    assert not same_moment(str(_jpeg(tmp_path / "d.jpg", "2022:05:01 12:07:00")), str(movie))
    # with the still's offset known, exactly
    assert same_moment(str(_jpeg(tmp_path / "e.jpg", "2022:05:01 12:00:00", "+02:00")), str(movie))
    assert not same_moment(str(_jpeg(tmp_path / "f.jpg", "2022:05:01 12:00:00", "+01:00")), str(movie))


def test_without_recorded_times_the_files_times_decide(tmp_path):
    a, b = _jpeg(tmp_path / "a.jpg"), _jpeg(tmp_path / "b.jpg")
    assert same_moment(str(a), str(b))
    os.utime(b, (0, os.stat(a).st_mtime - 3600))
    assert not same_moment(str(a), str(b))


def test_a_raw_s_sidecar_in_either_naming_stands_for_it(tmp_path):
    from plvm_photos.curation.import_xmp import photos_under
    from plvm_photos.store.library_store import LibraryStore

    for name in ("IMG_1.CR2", "IMG_1.JPG", "IMG_1.CR2.xmp", "IMG_1.xmp"):
        (tmp_path / name).write_bytes(b"x")
    with LibraryStore(tmp_path / "lib") as store:
        assert photos_under(store, [tmp_path / "IMG_1.CR2.xmp"]) == [str(tmp_path / "IMG_1.CR2")]
        assert photos_under(store, [tmp_path / "IMG_1.xmp"]) == [str(tmp_path / "IMG_1.CR2"), str(tmp_path / "IMG_1.JPG")]
