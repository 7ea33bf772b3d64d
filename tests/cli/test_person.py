"""``plvm-photos person NAME``: the facts of ``Library.person``, as text and as JSON, and the one
line of an unknown name that every command says."""

from __future__ import annotations

import json

import pytest

from typer.testing import CliRunner

from plvm_photos.cli.app import app, register_command_modules, state

runner = CliRunner()


@pytest.fixture(scope="module")
def suite_library_dir(tmp_path_factory):
    """The ask tests' suite library (eleven people, dates and places written into the database)."""
    from tests.ask.suite_library import build

    root = tmp_path_factory.mktemp("suite-library")
    build(root)
    return root


def _run(root, *args):
    register_command_modules()
    try:
        return runner.invoke(app, ["-L", str(root), *args])
    finally:
        state.close()


def test_person_prints_the_facts_of_library_person(suite_library_dir):
    from plvm_photos.library import Library

    with Library(suite_library_dir) as library:
        facts = library.person(library.find_person("penny").id)
    done = _run(suite_library_dir, "person", "<Penny>", "--json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["photos"] == facts.photos > 0
    assert [(p["name"], p["photos"]) for p in data["often_with"]] == [(t.label, t.photos) for t in facts.often_with]
    assert [(y["year"], y["photos"]) for y in data["years"]] == [(int(t.key), t.photos) for t in facts.years]
    assert data["latest"]["path"] == facts.latest.path and data["first"]["taken"] == facts.first.taken
    text = _run(suite_library_dir, "person", "penny").output
    lines = text.splitlines()
    assert lines[0].startswith(f"<Penny>: {facts.photos} photos")
    assert any(line.startswith(f"  often with: {facts.often_with[0].label} ({facts.often_with[0].photos} photos)")
               for line in lines)
    assert any(line.startswith("  places: ") and facts.places[0].label in line for line in lines)


def test_an_unknown_name_is_one_line_naming_the_known_people(suite_library_dir):
    from tests.cli.every_command import problems, run

    done = run(["-L", str(suite_library_dir), "person", "<nobody_here>"])
    assert done["code"] == 2 and problems([done]) == []
    assert done["stderr"].startswith("error: unknown person <nobody_here>; known people: ") and "<penny>" in done["stderr"]
