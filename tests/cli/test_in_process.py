"""The typer app driven in one process, as a Python caller or a test runner does: each invocation
works on the library its own options name, whatever an earlier invocation left behind."""

from typer.testing import CliRunner

from plvm_photos.cli.app import app, state
from plvm_photos.library import Library

runner = CliRunner()


def test_an_invocation_that_failed_leaves_no_library_for_the_next(tmp_path, demo_set):
    refs, _ = demo_set
    vlm_lib, face_lib = tmp_path / "vlm", tmp_path / "face"
    # fails after opening its library: a vlm engine without weights (nothing closes it in this process)
    failed = runner.invoke(app, ["--library", str(vlm_lib), "--engine", "vlm", "add-person", "<eileen>", str(refs["eileen"])])
    assert failed.exit_code != 0
    added = runner.invoke(app, ["--library", str(face_lib), "add-person", "<grace>", str(refs["grace"])])
    assert added.exit_code == 0, added.output
    state.close()
    with Library(face_lib) as library:
        assert [p.name for p in library.people()] == ["grace"] and library.settings.get("engine") == "face"
    with Library(vlm_lib) as library:
        assert library.people() == []
