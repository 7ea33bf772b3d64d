"""Every command against a library it cannot fully use — a read-only file system, a folder or
database file it may not write or read, a full disk — and against ``--db`` URLs that name no
usable database, and with numbers too large to store: each works, or says why in one line and
exits non-zero. A traceback fails the test (every one of these once gave one).

Tests may run as root, where mode bits stop nothing: the mode kinds then run as an unprivileged
user in a user namespace (``unshare -U``), the read-only file system and the full disk in a mount
namespace (``unshare -rm``: a read-only bind mount, a small tmpfs). Where namespaces cannot be made,
those kinds are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.every_command import problems, run, run_all
from tests.conftest import REPO

KINDS = ["read-only file system", "folder not writable", "library.db not readable", "references/ not writable",
         "full disk"]


def _unshare_works(*flags: str) -> str | None:
    """None when ``unshare FLAGS true`` works here, else why not."""
    if shutil.which("unshare") is None:
        return "no unshare command (util-linux)"
    done = subprocess.run(["unshare", *flags, "true"], capture_output=True, text=True)
    return None if done.returncode == 0 else f"unshare {' '.join(flags)} fails here: {done.stderr.strip()}"


def _open_to_all(path: Path) -> None:
    """Every file readable and writable, every folder open, for whichever user runs the commands
    (the kind then takes away what it takes away)."""
    for parent in [path, *path.parents]:
        if str(parent) in ("/", "/tmp") or not str(parent).startswith(("/tmp", os.environ.get("TMPDIR", "/tmp"))):
            continue
        os.chmod(parent, os.stat(parent).st_mode | 0o755)
    for folder, dirs, files in os.walk(path):
        os.chmod(folder, 0o777)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o666)


@pytest.fixture(scope="module")
def prepared(library_data, tmp_path_factory, place_index) -> dict:
    """The small curation library, its photos and a reference photo, in a folder any user may read;
    the user cache (face detector files) copied beside them."""
    from tests.curation import small_library

    curation_root = small_library.build(tmp_path_factory, library_data)
    root = tmp_path_factory.mktemp("unusable")
    shutil.copytree(curation_root / "lib", root / "lib")
    shutil.copytree(curation_root / "photos", root / "photos")
    shutil.copy(library_data / "joe_biden" / "ref.jpg", root / "ref.jpg")
    from plvm_photos.user_cache import cache_dir

    if cache_dir().is_dir():
        shutil.copytree(cache_dir(), root / "cache" / "plvm-photos")
    (root / "cache").mkdir(exist_ok=True)
    _open_to_all(root)
    _open_to_all(Path(place_index))
    return {"root": root}


def _setup(kind: str, base: Path, target: Path) -> list[str]:
    """A copy of the library made unusable as ``kind``; returns the command that wraps the runner."""
    shutil.copytree(base, target, symlinks=True)
    (target / "out").mkdir()
    _open_to_all(target)
    lib = target / "lib"
    runner = [sys.executable, "-m", "tests.cli.every_command"]
    if kind == "read-only file system":
        return ["unshare", "-rm", "sh", "-c", f'mount --bind -o ro "{lib}" "{lib}" && exec "$@"', "sh", *runner]
    if kind == "full disk":
        script = (f'mount -t tmpfs -o size=6m tmpfs "{target}/disk" && cp -a "{lib}" "{target}/disk/lib" && '
                  f'(head -c 100000000 /dev/zero > "{target}/disk/filler" 2>/dev/null; true) && exec "$@"')
        (target / "disk").mkdir()
        return ["unshare", "-rm", "sh", "-c", script, "sh", *runner]
    if kind == "folder not writable":
        os.chmod(lib, 0o555)
    elif kind == "library.db not readable":
        os.chmod(lib / "library.db", 0)
    elif kind == "references/ not writable":
        os.chmod(lib / "references", 0o555)
    return (["unshare", "-U"] if os.geteuid() == 0 else []) + runner


@pytest.mark.parametrize("kind", KINDS)
def test_every_command_on_an_unusable_library_works_or_says_why_in_one_line(prepared, tmp_path, kind):
    flags = ("-rm",) if kind in ("read-only file system", "full disk") else ("-U",) if os.geteuid() == 0 else ()
    why_not = _unshare_works(*flags) if flags else None
    if why_not:
        pytest.skip(f"{kind}: {why_not} (the code paths are covered by the --db and number cases)")
    target = tmp_path / "copy"
    wrapper = _setup(kind, prepared["root"], target)
    lib = target / ("disk/lib" if kind == "full disk" else "lib")
    spec = {"prefix": ["-L", str(lib)],
            "places": {"ref": str(target / "ref.jpg"), "photos": str(target / "photos"), "out": str(lib / "out")}}
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(target / "cache"), "NO_COLOR": "1"}
    done = subprocess.run([*wrapper, json.dumps(spec)], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert problems(results) == []
    failed = [r for r in results if r["code"] != 0]
    assert failed, "nothing failed: the library was not made unusable"
    said = {line for r in failed for line in r["stderr"].splitlines()}
    expected = {"read-only file system": "read-only file system", "folder not writable": "may not write its folder",
                "library.db not readable": "may not read and write the file", "full disk": "no space left",
                "references/ not writable": "permission denied"}[kind]
    assert any(expected in line for line in said), said
    if kind == "references/ not writable":  # the rest of the library works
        assert {tuple(r["argv"][2:]) for r in results if r["code"] == 0} >= {("people",), ("hide", "obama")}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("url", ["notaurl", "mysql://user@localhost/photos", "postgresql+psycopg://nobody@127.0.0.1:{port}/x",
                                 "sqlite:////nonexistent/x.db", "sqlite:///:memory:", ""])
def test_every_command_with_a_db_url_that_names_no_usable_database_says_so_in_one_line(tmp_path, url):
    url = url.format(port=_closed_port())
    results = run_all(["--db", url, "-L", str(tmp_path / "newdir")],
                      {"ref": str(tmp_path / "ref.jpg"), "photos": str(tmp_path), "out": str(tmp_path)})
    assert problems(results) == []
    assert [r["argv"][4:] for r in results if r["code"] == 0] == [["status"]]  # the watcher's status file only
    assert not (tmp_path / "newdir").exists()  # nothing created for a database that could not be opened


@pytest.mark.parametrize("argv", [
    ["ask", "who is in #99999999999999999999?"], ["faces", "#99999999999999999999"],
    ["name", "joe", "#99999999999999999999", "--face", "1"], ["draw", "#99999999999999999999", "x", "--box", "1,2,30,40"],
    ["set-reference", "obama", "#99999999999999999999"], ["draw", "#1", "x", "--box", "1e400,2,30,40"],
    ["draw", "#1", "x", "--box", "nan,2,30,40"], ["undo", "99999999999999999999"],
])
def test_numbers_too_large_to_store_are_one_line(prepared, argv):
    lib = prepared["root"] / "lib"
    result = run(["-L", str(lib), *argv])
    assert problems([result]) == [] and result["code"] == 2, result


def test_a_closed_pipe_ends_the_output_quietly(prepared):
    """``plvm-photos ask ... | head -0`` once died with a BrokenPipeError traceback."""
    lib = prepared["root"] / "lib"
    for argv in (["ask", "photos of <obama>"], ["--db", f"sqlite:///{lib / 'library.db'}", "ask", "photos of <obama>"]):
        shell = (f'"{sys.executable}" -m plvm_photos -L "{lib}" ' + " ".join(f"'{a}'" for a in argv)
                 + ' | head -c 0; echo "${PIPESTATUS[0]}"')
        done = subprocess.run(["bash", "-c", shell], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                              capture_output=True, text=True, timeout=120)
        assert done.stderr == "" and int(done.stdout) != 0, (argv, done.stderr)


def test_a_full_disk_leaves_no_temporary_index_and_never_an_empty_one(tmp_path):
    """The FAISS cache written to a disk that fills: the write fails, nothing is left behind."""
    why_not = _unshare_works("-rm")
    if why_not:
        pytest.skip(why_not)
    script = r"""
import os, sys, numpy as np
from plvm_photos.store.vector_index import VectorIndex
folder = sys.argv[1]
index = VectorIndex(128)
index.add(list(range(1, 4001)), np.random.default_rng(0).normal(size=(4000, 128)).astype(np.float32))
try:
    index.save(os.path.join(folder, "index.faiss"))
except OSError as exc:
    print("failed:", exc.strerror)
print(sorted((name, os.path.getsize(os.path.join(folder, name))) for name in os.listdir(folder)))
"""
    (tmp_path / "disk").mkdir()
    shell = f'mount -t tmpfs -o size=1m tmpfs "{tmp_path}/disk" && exec "$@"'
    done = subprocess.run(["unshare", "-rm", "sh", "-c", shell, "sh", sys.executable, "-c", script, str(tmp_path / "disk")],
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["failed: No space left on device", "[]"]


def test_a_writer_that_waits_too_long_for_the_lock_says_the_library_is_busy(prepared, tmp_path, monkeypatch):
    """A ``hide`` while another command held the write lock once exited after 31 s with an
    OperationalError traceback."""
    import sqlite3

    from plvm_photos.db import session

    lib = tmp_path / "lib"
    shutil.copytree(prepared["root"] / "lib", lib)
    monkeypatch.setattr(session, "BUSY_TIMEOUT_S", 0.5)
    holder = sqlite3.connect(lib / "library.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, in the middle of its transaction
    try:
        result = run(["-L", str(lib), "hide", "obama"])
        read = run(["-L", str(lib), "people"])  # readers are not held up
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result["code"] == 2 and result["stderr"] == "error: the library is busy (another command is writing); try again\n"
    assert read["code"] == 0 and "Obama" in read["stdout"]
    assert run(["-L", str(lib), "hide", "obama"])["code"] == 0


def test_a_photo_id_too_large_to_exist_names_no_photo(prepared):
    """"#99999999999999999999" in a question is a photo that is not there, not an overflow."""
    result = run(["-L", str(prepared["root"] / "lib"), "ask", "who is in #99999999999999999999?"])
    assert result["code"] == 2 and "no photo with id #99999999999999999999" in result["stderr"], result
