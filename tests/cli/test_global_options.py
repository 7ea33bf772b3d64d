"""``--library``, ``-L``, ``--db`` and ``--engine`` after the command, as before it: in the typer
program and in the launcher's fast ``ask`` path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from plvm_photos import launcher
from plvm_photos.cli.global_options import hoist_global_options

CLI = [sys.executable, "-m", "plvm_photos"]


def _cli(*args, env=None):
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})}, timeout=120)


def test_hoisting_moves_global_options_in_front_of_the_command():
    none = lambda words: ()  # noqa: E731
    assert hoist_global_options(["ask", "q", "--library", "D"], none) == ["--library", "D", "ask", "q"]
    assert hoist_global_options(["people", "-L", "D", "--json"], none) == ["-L", "D", "people", "--json"]
    assert hoist_global_options(["-L", "A", "ask", "q", "--db=sqlite://"], none) == ["-L", "A", "--db=sqlite://", "ask", "q"]
    assert hoist_global_options(["db", "upgrade", "--engine", "face"], none) == ["--engine", "face", "db", "upgrade"]
    # a command's own option of the same name is the command's
    own = lambda words: {"--engine", "-e"} if words[0] == "eval" else ()  # noqa: E731
    assert hoist_global_options(["eval", "DS", "--engine", "plvm", "-L", "D"], own) == ["-L", "D", "eval", "DS", "--engine", "plvm"]
    # after "--" everything is an argument; an option without its value is left for the command to report
    assert hoist_global_options(["ask", "--", "-L", "x"], none) == ["ask", "--", "-L", "x"]
    assert hoist_global_options(["ask", "q", "--library"], none) == ["ask", "q", "--library"]
    assert hoist_global_options(["--help"], none) == ["--help"]
    assert hoist_global_options([], none) == []


def test_fast_ask_reads_the_library_after_the_question(tmp_path, monkeypatch):
    monkeypatch.delenv("PLVM_DB", raising=False)
    monkeypatch.delenv("PLVM_LIBRARY", raising=False)
    fast = launcher.FastAsk(tmp_path, "where is <x>?", True, False)
    assert launcher.parse_fast_ask(["ask", "where is <x>?", "--library", str(tmp_path), "--json"]) == fast
    assert launcher.parse_fast_ask(["ask", "where is <x>?", "--json", "-L", str(tmp_path)]) == fast
    assert launcher.parse_fast_ask(["ask", "where is <x>?", f"--library={tmp_path}", "--json"]) == fast
    assert launcher.parse_fast_ask(["ask", "where is <x>?", "--db", "sqlite://"]) is None  # the full program's


def test_global_options_after_the_command_in_both_programs(demo_library_dir, tmp_path):
    lib = str(demo_library_dir)
    # The launcher's fast path (a SQLite library at the current revision) ...
    fast = _cli("ask", "photos with <eileen> and <grace>", "--json", "--library", lib)
    assert fast.returncode == 0, fast.stderr
    assert len(json.loads(fast.stdout)["photos"]) == 2
    # ... and the typer program (--explain --json and -L after the command)
    people = _cli("people", "-L", lib, "--json")
    assert people.returncode == 0, people.stderr
    assert [p["name"] for p in json.loads(people.stdout)] == ["eileen", "grace"]
    full = _cli("ask", "photos with <eileen> and <grace>", "--json", "--db", f"sqlite:///{lib}/library.db", "-L", lib)
    assert full.returncode == 0, full.stderr
    assert json.loads(full.stdout)["photos"] == json.loads(fast.stdout)["photos"]
    # before the command, as always; the value after the command wins where both are given
    before = _cli("--library", str(tmp_path / "elsewhere"), "people", "--library", lib)
    assert before.returncode == 0 and "<eileen>" in before.stdout, before.stderr
