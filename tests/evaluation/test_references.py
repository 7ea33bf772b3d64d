"""Several reference photos per person, end to end: add-person NAME REF REF and add-reference."""

import json
import os

from typer.testing import CliRunner

from plvm_photos.cli.app import app
from plvm_photos.library import Library

runner = CliRunner()


def _present(library: Library, person: str) -> set[str]:
    return {r["path"] for r in library.verdicts() if r["person"] == person and r["present"]}


def test_add_person_with_two_references_and_add_reference(tmp_path, library_data):
    photos = sorted((library_data / "jennifer_aniston" / "test").iterdir())
    second_ref, third_ref = photos[0], photos[1]
    folder = library_data / "jennifer_aniston" / "test"
    lib_dir = tmp_path / "lib"
    with Library(lib_dir) as library:
        library.scan([folder], progress=False)
        before = len(_present(library, "jennifer_aniston"))  # nobody registered yet
        assert before == 0
    result = runner.invoke(app, ["--library", str(lib_dir), "add-person", "<jennifer_aniston>",
                                 str(library_data / "jennifer_aniston" / "ref.jpg"), str(second_ref), "--json"])
    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)
    assert len(added["boxes"]) == 2
    with Library(lib_dir) as library:
        assert [p.references for p in library.people()] == [2]
        found = _present(library, "jennifer_aniston")
        # a photo used as a reference is (trivially) recognised: its own face is at distance ~0
        assert os.path.abspath(second_ref) in found  # stored as given (a symlinked data folder stays one)
    result = runner.invoke(app, ["--library", str(lib_dir), "add-reference", "jennifer_aniston", str(third_ref), "--json"])
    assert result.exit_code == 0, result.output
    with Library(lib_dir) as library:
        assert [p.references for p in library.people()] == [3]
        after = _present(library, "jennifer_aniston")
        assert found <= after and os.path.abspath(third_ref) in after
    # a bad reference adds nothing
    result = runner.invoke(app, ["--library", str(lib_dir), "add-reference", "jennifer_aniston",
                                 str(library_data / "_negatives" / "test" / "skimage__coffee.png")])
    assert result.exit_code != 0
    with Library(lib_dir) as library:
        assert [p.references for p in library.people()] == [3]
