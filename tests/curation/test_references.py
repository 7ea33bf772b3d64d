"""References that would corrupt the library: someone else's face, the same face twice, and a
reference copy left truncated by a crash."""

from __future__ import annotations

import hashlib
import json

import pytest
from typer.testing import CliRunner

from plvm_photos.cli.app import app
from plvm_photos.errors import LibraryError
from plvm_photos.library import Library

runner = CliRunner()


def _ref(library_data, name: str):
    return library_data / name / "ref.jpg"


def test_a_reference_of_a_registered_person_is_refused_without_force(tmp_path, library_data):
    obama = _ref(library_data, "barack_obama")
    other_photo = sorted((library_data / "barack_obama" / "test").iterdir())[0]
    with Library(tmp_path / "lib") as library:
        library.scan([library_data / "barack_obama"], progress=False)
        library.add_person("barack", [obama])
        before = {p.name: p.photos for p in library.people()}
        with pytest.raises(LibraryError, match="recognises <barack>.*--force"):
            library.add_person("mike", [other_photo])
        assert {p.name: p.photos for p in library.people()} == before  # nothing was taken from him
        # someone else's photo as a second reference of a registered person
        library.add_person("joe", [_ref(library_data, "joe_biden")])
        with pytest.raises(LibraryError, match="recognises <barack>"):
            library.add_reference("joe", other_photo)
        assert [p.references for p in library.people() if p.name == "joe"] == [1]
        # --force registers it when the user insists (a twin, a look-alike relative)
        forced = library.add_person("mike", [other_photo], force=True)
        assert forced.name == "mike"


def test_the_same_reference_twice_is_refused(tmp_path, library_data):
    obama = _ref(library_data, "barack_obama")
    lib = tmp_path / "lib"
    result = runner.invoke(app, ["--library", str(lib), "add-person", "barack", str(obama)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--library", str(lib), "add-reference", "barack", str(obama)])
    assert isinstance(result.exception, LibraryError) and "already a reference of <barack>" in str(result.exception)
    result = runner.invoke(app, ["--library", str(lib), "people", "--json"])
    assert json.loads(result.stdout)[0]["references"] == 1


def test_a_truncated_reference_copy_is_replaced(tmp_path, library_data):
    """A crash during the copy used to leave references/NAME-HASH.jpg truncated for good."""
    obama = _ref(library_data, "barack_obama")
    digest = hashlib.sha256(obama.read_bytes()).hexdigest()
    lib = tmp_path / "lib"
    (lib / "references").mkdir(parents=True)
    truncated = lib / "references" / f"barack-{digest[:12]}.jpg"
    truncated.write_bytes(obama.read_bytes()[:1000])  # what a kill during the copy leaves
    with Library(lib) as library:
        library.add_person("barack", [obama])
    assert hashlib.sha256(truncated.read_bytes()).hexdigest() == digest
    assert not list((lib / "references").glob(".copy-*"))  # no temporary file left behind
