"""A small real library for the curation and gallery tests, built once per test session.

Seven photos of ../shared/data/library (copied: sidecars may be written beside them), scanned by
the face engine, with three people registered from their reference photos:
- <Obama> (barack_obama/ref.jpg): in obama.jpg, obama2.jpg, two_people.jpg, obama_and_biden.jpg;
- <Marissa> (marissa_mayer/ref.jpg): nobody here; Rose's face is 0.71 from her (a suggestion);
- <Bea> (compreface_person_b/ref.jpg): nobody here; the third face of obama_and_biden.jpg is 0.66
  from her (a suggestion).
Unknown: Biden in three photos (one cluster), Kit Harington in two (one cluster), Rose Leslie in
one, and the third face of obama_and_biden.jpg.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PHOTOS = {
    "obama.jpg": "barack_obama/test/facerec__obama.jpg",
    "obama2.jpg": "barack_obama/test/facerec__obama2.jpg",
    "two_people.jpg": "_group/test/facerec__two_people.jpg",
    "obama_and_biden.jpg": "_group/test/facerec__test_obama_and_biden.jpg",
    "biden.jpg": "joe_biden/test/facerec__biden.jpg",
    "johnsnow.jpg": "kit_harington/test/facerec__test_johnsnow_test1.jpg",
    "kit_with_rose.jpg": "_group/test/facerec__test_kit_with_rose.jpg",
}
PEOPLE = {"Obama": "barack_obama/ref.jpg", "Marissa": "marissa_mayer/ref.jpg", "Bea": "compreface_person_b/ref.jpg"}
ROSE_BOX = (79, 130, 154, 204)  # as detected in kit_with_rose.jpg

_built: dict[str, Path] = {}


def copy_photos(data: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name, source in PHOTOS.items():
        shutil.copy(data / source, target / name)
    return target


def build(tmp_path_factory, data: Path) -> Path:
    """The session's library folder (its photos are in the folder beside it, ``photos``)."""
    if "root" not in _built:
        from plvm_photos.library import Library

        root = tmp_path_factory.mktemp("curation-library")
        photos = copy_photos(data, root / "photos")
        with Library(root / "lib") as library:
            for name, ref in PEOPLE.items():
                library.add_person(name, [data / ref])
            library.scan([photos], progress=False)
        _built["root"] = root
    return _built["root"]


def copy(built: Path, target: Path) -> Path:
    """A writable copy of the library (its photos stay shared: do not write beside them)."""
    shutil.copytree(built / "lib", target)
    return target


def run_cli(args: list[str]):
    """The full CLI in this process (CliRunner), every command module registered."""
    from typer.testing import CliRunner

    from plvm_photos.cli.app import app, register_command_modules, state

    register_command_modules()
    state._library = None
    state.library_dir = state.db_url = state.engine = None
    try:
        return CliRunner().invoke(app, args)
    finally:
        if state._library is not None:
            state._library.close()
        state._library = None


def cli_json(args: list[str]):
    import json

    result = run_cli([*args, "--json"])
    assert result.exit_code == 0, (args, result.output, result.exception)
    return json.loads(result.stdout)
