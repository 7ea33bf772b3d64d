"""Names in any script: registered, shown and asked exactly as typed, looked up by a key that
ignores case and Unicode form; refused when they cannot be names; old libraries keep working."""

import json
import os
import sqlite3
import unicodedata
from datetime import datetime

import pytest
from sqlalchemy import select

from plvm_photos.ask.answer import ask
from plvm_photos.db.models import Concept, Photo
from plvm_photos.errors import InvalidNameError, LibraryError
from plvm_photos.library import Library
from plvm_photos.names import file_stem, normalize, parse_name, show
from tests.ask.photo_library import file_names, write_copy

NFD_ZOE = unicodedata.normalize("NFD", "Zoë")


@pytest.mark.parametrize(
    "typed, key, display",
    [
        ("<Zoë>", "zoë", "Zoë"),
        ("José", "josé", "José"),
        ("<李雷>", "李雷", "李雷"),
        ("<Anne-Marie>", "anne-marie", "Anne-Marie"),
        ("<O'Brien>", "o'brien", "O'Brien"),
        ("< Billie   Eilish >", "billie_eilish", "Billie Eilish"),
        ("<ΣΊΣΥΦΟΣ>", "σίσυφοσ", "ΣΊΣΥΦΟΣ"),
        ("<Straße>", "strasse", "Straße"),
        (NFD_ZOE, "zoë", NFD_ZOE),  # the key is NFKC: the same person as the composed form
        ("<ｍｉｋｅ>", "mike", "ｍｉｋｅ"),  # full-width letters: NFKC folds them
        ("mike", "mike", "mike"),
    ],
)
def test_key_and_display(typed, key, display):
    assert parse_name(typed) == parse_name(typed)
    assert (parse_name(typed).key, parse_name(typed).display) == (key, display)
    assert normalize(typed) == key


@pytest.mark.parametrize("bad", ["<>", "   ", "a/b", "<a\\b>", "a<b", "<a>b>", "tab\there", "new\nline", "x" * 65,
                                 "<\x00>", "a\u2028b"])
def test_names_that_cannot_be_names_are_refused(bad):
    with pytest.raises(InvalidNameError, match="invalid name"):
        parse_name(bad)


def test_longest_name_is_accepted():
    assert parse_name("x" * 64).display == "x" * 64


def test_reference_file_stems_are_safe_ascii_and_distinct():
    assert file_stem("mike") == "mike"  # as before: existing copies keep their names
    stems = {file_stem(k) for k in ("zoë", "zoe", "李雷", "李", "o'brien", "..")}
    assert len(stems) == 6
    for stem in stems:
        assert stem.isascii() and "/" not in stem and not stem.startswith(".") and stem


@pytest.fixture(scope="module")
def unicode_library(tmp_path_factory, demo_set):
    refs, photos = demo_set
    root = tmp_path_factory.mktemp("unicode") / "lib"
    with Library(root) as library:
        library.add_person("<Zoë>", [refs["eileen"]])
        library.add_person("<李雷>", [refs["grace"]])
        library.scan([photos], workers=1, progress=False)
    return root


def test_registered_names_are_shown_as_typed(unicode_library):
    with Library(unicode_library) as library:
        assert [p.name for p in library.people()] == ["Zoë", "李雷"]
        answer = ask(library, "who is in grace-and-eileen.jpg?")
        assert answer.answer.endswith("<李雷> (left) and <Zoë> (right)")
        assert answer.photos[0].people == ["李雷", "Zoë"]
        assert all(name.isascii() for name in os.listdir(library.references_dir))


@pytest.mark.parametrize("written", ["<Zoë>", "<zoë>", "<ZOË>", f"<{NFD_ZOE}>", "<  zoë >"])
def test_names_are_asked_case_and_form_insensitively(unicode_library, written):
    with Library(unicode_library) as library:
        answer = ask(library, f"photos of {written} and <李雷>")
    assert file_names(answer) == {"eileen-and-grace.jpg", "grace-and-eileen.jpg"}
    assert answer.answer.startswith("2 photos with <Zoë> and <李雷>:")


def test_gallery_and_xmp_show_display_names(unicode_library, tmp_path):
    from plvm_photos.curation.xmp_read import parse_xmp, people_in
    from plvm_photos.curation.xmp_write import export
    from plvm_photos.web.pages import ask_page, people_page

    with Library(unicode_library) as library:
        assert "&lt;Zoë&gt;" in people_page(library) and "&lt;李雷&gt;" in people_page(library)
        assert "&lt;Zoë&gt;" in ask_page(library, "where is <zoë>?")
        summary = export(library, into=tmp_path / "xmp", progress=False)
        sidecar = next(p for p in summary.sidecars if p.endswith("grace-and-eileen.jpg.xmp"))
        assert set(people_in(parse_xmp(open(sidecar, "rb").read()).root).names) == {"Zoë", "李雷"}


def test_rename_that_only_changes_case_changes_the_display(unicode_library, copy_library):
    root = copy_library(unicode_library)
    with Library(root) as library:
        assert library.rename_person("<zoë>", "<ZOË>") is True
        assert [p.name for p in library.people()] == ["ZOË", "李雷"]
        assert ask(library, "who is in grace-and-eileen.jpg?").answer.endswith("<李雷> (left) and <ZOË> (right)")
        assert library.rename_person("<ZOË>", "<ZOË>") is False  # nothing to change
        assert library.rename_person("<zoë>", "<Anne-Marie O'Brien>") is True
        answer = ask(library, "photos of <anne-marie o'brien>")
        assert answer.answer.startswith("3 photos with <Anne-Marie O'Brien>:")
        with pytest.raises(LibraryError, match="<李雷> is already registered"):
            library.rename_person("<anne-marie o'brien>", "<李雷>")
        with pytest.raises(InvalidNameError):
            library.rename_person("<李雷>", "<a/b>")


def test_cli_rename_says_what_it_did(unicode_library, copy_library):
    import subprocess
    import sys

    root = copy_library(unicode_library)
    cli = [sys.executable, "-m", "plvm_photos", "-L", str(root)]
    out = subprocess.run([*cli, "rename-person", "<李雷>", "<李雷>"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "nothing changed" in out.stdout
    out = subprocess.run([*cli, "add-person", "<a/b>", "x.jpg"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "invalid name" in out.stderr and "Traceback" not in out.stderr
    people = json.loads(subprocess.run([*cli, "people", "--json"], capture_output=True, text=True, timeout=120).stdout)
    assert [p["name"] for p in people] == ["Zoë", "李雷"]


# --- an old library ---------------------------------------------------------------------------
def _library_at_0002(root, photo) -> None:
    """A library as version 0002 left it: old schema, a person ``mike`` present in one photo."""
    from alembic import command

    from plvm_photos.db.migrate import alembic_config
    from plvm_photos.db.session import make_engine
    from plvm_photos.imaging import sha256_file

    root.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{root / 'library.db'}", migrate=False)
    cfg = alembic_config(str(engine.url))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    engine.dispose()
    st = os.stat(photo)
    with sqlite3.connect(root / "library.db") as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(photos)")}
        assert "taken_at" not in columns  # really the old schema
        conn.execute("INSERT INTO concepts (id, name, kind, created_at) VALUES (1, 'mike', 'person', '2026-01-01')")
        conn.execute("INSERT INTO photos (id, sha256, width, height, engine, caption, analyzed_at) "
                     "VALUES (1, ?, 512, 512, 'face', '<mike> (center)', '2026-01-01')", (sha256_file(photo),))
        conn.execute("INSERT INTO files (id, path, photo_id, size, mtime_ns, missing, seen_at) VALUES (1, ?, 1, ?, ?, 0, '2026-01-01')",
                     (str(photo), st.st_size, st.st_mtime_ns))
        conn.execute("INSERT INTO regions (id, photo_id, kind, \"left\", top, \"right\", bottom, score, vector) "
                     "VALUES (1, 1, 'face', 100, 100, 300, 300, 1.0, ?)", (bytes(512),))
        conn.execute("INSERT INTO verdicts (photo_id, concept_id, region_id, present, score, distance, engine) "
                     "VALUES (1, 1, 1, 1, 0.9, 0.3, 'face')")


def test_a_library_from_revision_0002_keeps_working_and_gets_its_facts(tmp_path, sample_photos):
    photos = tmp_path / "photos"
    photo = write_copy(sample_photos["astronaut"], photos / "mike.jpg", datetime(2019, 7, 14, 12), (48.8566, 2.3522))
    root = tmp_path / "old"
    _library_at_0002(root, photo)
    with Library(root) as library:  # opening migrates to the head revision
        with library.session() as s:
            assert s.execute(select(Concept.name, Concept.display)).all() == [("mike", "mike")]
            assert s.scalar(select(Photo.facts_version)) is None
        assert file_names(ask(library, "photos of <Mike>")) == {"mike.jpg"}
        before = ask(library, "photos of <mike> in 2019")
        assert file_names(before) == set() and "scan their folders again" in before.answer
        summary = library.scan([photos], workers=1, progress=False)
        assert (summary.analysed, summary.unchanged, summary.facts_read) == (0, 1, 1)
        assert file_names(ask(library, "photos of <mike> in 2019 in Paris")) == {"mike.jpg"}
        assert library.scan([photos], workers=1, progress=False).facts_read == 0
        assert library.rename_person("mike", "<Mike>") is True
        assert ask(library, "who is in mike.jpg?").answer.endswith(f"{show('Mike')} (center)")
