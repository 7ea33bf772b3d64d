import shutil

from sqlalchemy import func, select

from plvm_photos.db.models import File, Photo, Region
from plvm_photos.db.queries import region_signature
from plvm_photos.library import Library


def _counts(library):
    with library.session() as s:
        return (
            s.scalar(select(func.count(Photo.id))),
            s.scalar(select(func.count(File.id))),
            s.scalar(select(func.count(Region.id))),
        )


def test_scan_records_bad_files_and_is_idempotent(copy_library, demo_library_dir, demo_set):
    _, photos = demo_set
    root = copy_library(demo_library_dir)
    with Library(root) as library:
        before = _counts(library)
        again = library.scan([photos], workers=1, progress=False)
        assert again.analysed == 0 and again.unchanged == 6 and again.known_content == 0
        assert _counts(library) == before
        with library.session() as s:
            bad = s.scalar(select(Photo).join(File).where(File.path.endswith("notes.jpg")))
            assert bad.error and "not an image" in bad.error


def test_moved_and_copied_photos_are_not_analysed_again(tmp_path, demo_set):
    refs, photos = demo_set
    folder = tmp_path / "photos"
    shutil.copytree(photos, folder)
    with Library(tmp_path / "lib") as library:
        library.add_person("eileen", [refs["eileen"]])
        first = library.scan([folder], workers=1, progress=False)
        assert first.analysed == 5 and first.errors == 1
        photos_before, _, regions_before = _counts(library)
        # A copy and a move: both keyed by content, so nothing is analysed.
        shutil.copy(folder / "2023-trip" / "eileen-mirror.jpg", folder / "misc" / "copy.jpg")
        (folder / "2023-trip" / "grace-mirror.jpg").rename(folder / "misc" / "grace-moved.jpg")
        second = library.scan([folder], workers=1, progress=False)
        assert second.analysed == 0 and second.known_content == 2 and second.missing == 1
        photos_after, _, regions_after = _counts(library)
        assert (photos_after, regions_after) == (photos_before, regions_before)
        from plvm_photos.ask.answer import ask

        paths = [p.path for p in ask(library, "where is <eileen>?").photos]
        assert any(p.endswith("eileen-mirror.jpg") for p in paths)
        # The moved photo is found at its new path, not its old one.
        assert ask(library, "who is in grace-moved.jpg").photos[0].path.endswith("grace-moved.jpg")


def test_a_changed_file_is_analysed_again(tmp_path, demo_set, sample_photos):
    _, photos = demo_set
    folder = tmp_path / "p"
    folder.mkdir()
    target = folder / "a.jpg"
    shutil.copy(sample_photos["coffee"], target)
    with Library(tmp_path / "lib") as library:
        assert library.scan([folder], workers=1, progress=False).analysed == 1
        shutil.copy(photos / "2023-trip" / "eileen-mirror.jpg", target)
        summary = library.scan([folder], workers=1, progress=False)
        assert summary.analysed == 1 and summary.faces == 1


def test_parallel_scan_gives_the_same_regions_as_serial(tmp_path, demo_set):
    refs, photos = demo_set
    results = []
    for workers in (1, 2):
        with Library(tmp_path / f"lib{workers}") as library:
            library.add_person("grace", [refs["grace"]])
            summary = library.scan([photos], workers=workers, progress=False)
            verdicts = sorted(library.verdicts(), key=lambda v: (v["path"], v["person"]))
            results.append((summary.analysed, summary.faces, verdicts))
    (n1, f1, v1), (n2, f2, v2) = results
    assert (n1, f1) == (n2, f2)
    # dlib's descriptor differs in the last digits between processes; decisions must not.
    assert [(v["path"], v["present"], v["box"]) for v in v1] == [(v["path"], v["present"], v["box"]) for v in v2]
    assert all(abs(a["score"] - b["score"]) < 0.05 for a, b in zip(v1, v2))


def test_faiss_index_is_rebuilt_when_it_disagrees_with_the_database(copy_library, demo_library_dir):
    root = copy_library(demo_library_dir)
    (root / "index.faiss").unlink()
    with Library(root) as library:
        with library.session() as s:
            assert len(library.index) == region_signature(s, ("face",))[0] > 0
    assert (root / "index.faiss").exists()


def test_scanning_a_missing_folder_is_an_error(tmp_path):
    import pytest

    from plvm_photos.errors import LibraryError

    with Library(tmp_path / "lib") as library:
        with pytest.raises(LibraryError, match="no such file or folder"):
            library.scan([tmp_path / "nope"], progress=False)


def test_reanalyze_redoes_every_photo_keeping_files_and_what_the_user_said(tmp_path, demo_set):
    from plvm_photos.curation.clusters import reject_match

    refs, photos = demo_set
    folder = tmp_path / "photos"
    shutil.copytree(photos, folder)
    with Library(tmp_path / "lib") as library:
        library.add_person("eileen", [refs["eileen"]])
        library.add_person("grace", [refs["grace"]])
        library.scan([folder], workers=1, progress=False)
        counts = _counts(library)
        seen = sorted((v["path"], v["person"], v["present"], tuple(v["box"] or ())) for v in library.verdicts())
        grace = next(v["path"] for v in library.verdicts() if v["person"] == "grace" and v["present"])
        reject_match(library, grace, "grace")
        again = library.scan([folder], workers=1, progress=False, reanalyze=True)
        assert again.analysed == 5 and again.unchanged == 0 and again.errors == 1
        assert _counts(library) == counts  # regions re-made, nothing duplicated
        after = sorted((v["path"], v["person"], v["present"], tuple(v["box"] or ())) for v in library.verdicts())
        rejected = (grace, "grace", True)
        assert [v for v in after if v[:3] != rejected] == [v for v in seen if v[:3] != rejected]
        assert not any(v[:3] == rejected for v in after)  # the rejection survives the new regions
        assert library.scan([folder], workers=1, progress=False).unchanged == 6
