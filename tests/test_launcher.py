"""``plvm-photos ask`` answered by the launcher's sqlite3 path must equal the full typer CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plvm_photos import launcher

FULL = "import sys; from plvm_photos.cli.app import main; sys.argv[0] = 'plvm-photos'; main()"
FAST = "import sys; from plvm_photos.launcher import main; sys.argv[0] = 'plvm-photos'; main()"


def _run(code: str, args: list[str], env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=120,
    )


def _imported(stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def _errors(stderr: str) -> str:
    return "\n".join(line for line in stderr.splitlines() if not line.startswith("import time:"))


def _questions(library_dir: Path, manifest: dict) -> list[list[str]]:
    group = next(im["path"] for im in manifest["images"] if im["kind"] == "group" and len(im["identities"]) >= 2)
    a, b = next(im["identities"][:2] for im in manifest["images"] if im["path"] == group)
    base = os.path.basename(group)
    return [
        [f"where is <{a}>?"],
        [f"photos with <{a}>", "--json"],
        [f"photos with <{a}> and <{b}>"],
        [f"photos with <{a}> but not <{b}>", "--json"],
        [f"how many photos of <{b}>?"],
        [f"is <{a}> in {base}?"],
        ["--json", f"who is in {base}"],
        ["who is in no-such-photo.jpg"],  # an error: exit 2, message on stderr
        ["where is <nobody>?"],  # unknown person: exit 2
        ["photos of people on a beach"],  # unsupported: exit 3
        ["where is <a/b>?"],  # invalid name: exit 2
    ]


@pytest.mark.slow
def test_fast_ask_equals_full_cli_and_imports_no_orm(indexed_library_dir, manifest, tmp_path):
    for question in _questions(indexed_library_dir, manifest):
        args = ["-L", str(indexed_library_dir), "ask", *question]
        fast, full = _run(FAST, args, cwd=tmp_path), _run(FULL, args, cwd=tmp_path)
        assert (fast.returncode, fast.stdout, _errors(fast.stderr)) == (full.returncode, full.stdout, _errors(full.stderr)), question
        modules = _imported(fast.stderr)
        assert "sqlalchemy" not in modules and "typer" not in modules, question
        assert not {"torch", "transformers", "dlib", "faiss", "numpy"} & modules, question
    assert "sqlalchemy" in _imported(full.stderr)  # the comparison really ran the full program


def test_parse_fast_ask_takes_only_plain_ask(tmp_path, monkeypatch):
    monkeypatch.delenv("PLVM_DB", raising=False)
    monkeypatch.setenv("PLVM_LIBRARY", str(tmp_path))
    assert launcher.parse_fast_ask(["ask", "where is <x>?"]) == (tmp_path, "where is <x>?", False)
    assert launcher.parse_fast_ask(["-L", "/lib", "ask", "--json", "q"]) == (Path("/lib"), "q", True)
    assert launcher.parse_fast_ask(["--library=/lib", "ask", "q", "--json"]) == (Path("/lib"), "q", True)
    for argv in (["ask"], ["ask", "--help"], ["ask", "q", "--help"], ["--db", "sqlite://", "ask", "q"], ["people"],
                 ["ask", "a", "b"], ["-L"], ["--help"], ["ask", "q", "--json", "--json"]):
        assert launcher.parse_fast_ask(argv) is None, argv
    monkeypatch.setenv("PLVM_DB", "postgresql://x/y")
    assert launcher.parse_fast_ask(["ask", "q"]) is None


def test_fast_path_defers_to_full_program_for_new_or_old_libraries(tmp_path):
    # No library yet: the full program says so (exit 2) and creates nothing.
    new = _run(FAST, ["-L", str(tmp_path / "new"), "ask", "where is <x>?"])
    assert new.returncode == 2 and "no library in" in new.stderr
    assert "sqlalchemy" in _imported(new.stderr)
    assert not (tmp_path / "new" / "library.db").exists()
    # A library at another schema revision is migrated by the full program, not read by sqlite3.
    import sqlite3

    from plvm_photos.library import Library

    Library(tmp_path / "new").close()

    db = tmp_path / "new" / "library.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'older'")
    assert launcher.run_fast_ask(tmp_path / "new", "where is <x>?", False) is None
