"""A photo whose file name is not valid UTF-8 (bytes from an old camera card or another OS):
every command that prints it works under a strict UTF-8 locale, shows it readably, and JSON gives
the exact name back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from plvm_photos.library import Library
from tests.watch.helpers import PLVM, REPO

NAME = b"caf\xe9-trip.jpg"  # Latin-1 'é': not UTF-8


def _cli(library, *args):
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    env.pop("PYTHONIOENCODING", None)
    return subprocess.run([*PLVM, "--library", str(library), *args], capture_output=True, cwd=REPO, env=env, timeout=120)


def test_commands_print_a_non_utf8_file_name(tmp_path, demo_set):
    refs, _ = demo_set
    photos = tmp_path / "photos"
    photos.mkdir()
    raw = os.fsencode(photos) + b"/" + NAME
    shutil.copy(refs["eileen"], raw)
    library = tmp_path / "lib"
    with Library(library) as lib:
        lib.add_person("eileen", [refs["eileen"]])
        assert lib.scan([photos], workers=1, progress=False).analysed == 1
    verdicts = _cli(library, "verdicts", "--json")
    assert verdicts.returncode == 0, verdicts.stderr
    [row] = json.loads(verdicts.stdout)
    assert os.fsencode(row["path"]) == raw  # the exact bytes, through JSON
    for args in (["verdicts"], ["ask", "where is <eileen>?"], ["ask", "photos of <eileen>", "--json"]):
        done = _cli(library, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert b"fsbytes:" not in done.stdout and b"Traceback" not in done.stderr
        assert b"caf\\xe9-trip.jpg" in done.stdout or b"caf\\udce9-trip.jpg" in done.stdout, done.stdout
