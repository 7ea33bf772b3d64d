import pytest
from sqlalchemy import func, select

import plvm_photos.imaging as imaging
from plvm_photos.curation import people as curation_people
from plvm_photos.db.models import Concept, Reference, Verdict
from plvm_photos.errors import LibraryError, UnknownPersonError
from plvm_photos.library import Library
from plvm_photos.errors import SeveralFacesError


def test_reference_without_a_face_is_a_clear_error(tmp_path, sample_photos):
    with Library(tmp_path / "lib") as library:
        with pytest.raises(LibraryError, match="no face found"):
            library.add_person("<cup>", [sample_photos["coffee"]])
        assert library.known_names() == []


def test_reference_that_is_not_an_image(tmp_path):
    bad = tmp_path / "ref.jpg"
    bad.write_text("not a photo")
    with Library(tmp_path / "lib") as library:
        with pytest.raises(LibraryError, match="not a usable image"):
            library.add_person("mike", [bad])
    with Library(tmp_path / "lib") as library:
        with pytest.raises(LibraryError, match="not found"):
            library.add_person("mike", [tmp_path / "nope.jpg"])


def test_group_reference_needs_face_and_numbers_faces_left_to_right(tmp_path, demo_set):
    _, photos = demo_set
    group = photos / "2024-party" / "grace-and-eileen.jpg"  # Grace left, Eileen right
    with Library(tmp_path / "lib") as library:
        with pytest.raises(SeveralFacesError, match="--face") as info:
            library.add_person("grace", [group])
        assert len(info.value.boxes) == 2 and info.value.boxes[0][0] < info.value.boxes[1][0]
        library.add_person("grace", [group], face=1)
        library.add_person("eileen", [group], face=2)
        with pytest.raises(LibraryError, match="out of range"):
            library.add_person("third", [group], face=3)
        summary = library.scan([photos], workers=1, progress=False)
        assert summary.analysed == 5
        people = {p.name: p.photos for p in library.people()}
    assert people == {"eileen": 3, "grace": 3}


def test_adding_a_person_to_an_indexed_library_decodes_no_photo(copy_library, demo_library_dir, demo_set, monkeypatch):
    refs, _ = demo_set
    root = copy_library(demo_library_dir)
    with Library(root) as library:
        library.remove_person("grace")
        assert {p.name for p in library.people()} == {"eileen"}
        read, decoded = [], []
        real_read, real_decode = curation_people.read_reference, imaging.decode_bytes

        def counting_read(path, *args, **kwargs):
            read.append(str(path))
            return real_read(path, *args, **kwargs)

        def counting_decode(data, *args, **kwargs):
            decoded.append(len(data))
            return real_decode(data, *args, **kwargs)

        monkeypatch.setattr(curation_people, "read_reference", counting_read)
        monkeypatch.setattr(curation_people, "decode_bytes", counting_decode)
        added = library.add_person("grace", [refs["grace"]])
        assert read == [str(refs["grace"])] and len(decoded) == 1  # only the reference itself
        assert added.photos == 3


def test_duplicate_rename_remove_keep_the_database_consistent(copy_library, demo_library_dir, demo_set):
    refs, _ = demo_set
    root = copy_library(demo_library_dir)
    with Library(root) as library:
        with pytest.raises(LibraryError, match="already registered"):
            library.add_person("<grace>", [refs["grace"]])
        library.rename_person("<grace>", "<hopper>")
        assert library.known_names() == ["eileen", "hopper"]
        from plvm_photos.ask.answer import ask

        answer = ask(library, "who is in grace-and-eileen.jpg?")
        assert "<hopper> (left) and <eileen> (right)" in answer.answer
        with pytest.raises(UnknownPersonError, match="known people: <eileen>, <hopper>"):
            library.rename_person("grace", "x")
        stored = list(library.references_dir.iterdir())
        library.remove_person("hopper")
        assert library.known_names() == ["eileen"]
        with library.session() as s:
            assert s.scalar(select(func.count(Concept.id))) == 1
            assert s.scalar(select(func.count(Reference.id))) == 1
            assert s.scalar(select(func.count(Verdict.id)).where(Verdict.concept_id.not_in(select(Concept.id)))) == 0
        assert len(list(library.references_dir.iterdir())) == len(stored) - 1
        answer = ask(library, "who is in grace-and-eileen.jpg?")
        assert answer.answer.endswith("<eileen> (right), with 1 other person")


def test_add_reference_gives_a_second_reference(copy_library, demo_library_dir, demo_set):
    _, photos = demo_set
    root = copy_library(demo_library_dir)
    with Library(root) as library:
        result = library.add_reference("eileen", photos / "2023-trip" / "eileen-mirror.jpg")
        assert result.photos == 3
        assert {p.name: p.references for p in library.people()}["eileen"] == 2


def test_non_person_kinds_need_the_plvm_engine(tmp_path, sample_photos):
    with Library(tmp_path / "lib") as library:
        with pytest.raises(LibraryError, match="plvm engine"):
            library.add_person("<mug>", [sample_photos["coffee"]], kind="object")
