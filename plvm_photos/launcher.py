"""The ``plvm-photos`` program's entry point: ``ask`` on a SQLite library without typer or SQLAlchemy.

Importing typer (+ rich) and SQLAlchemy's ORM takes ~0.5 s on a small machine, several times the
work of answering a question. When the command line is exactly ``[-L DIR | --library DIR] ask
QUESTION [--json]`` and the library is a SQLite file at the current schema revision, the question
is answered here with the standard library's ``sqlite3`` through the same code as the full CLI
(``plvm_photos.ask.answer.answer_question``), with the same output and exit codes. Anything else (help,
other options, another database, a library that does not exist yet or needs a migration) goes
to the full typer program in ``plvm_photos.cli.app``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from plvm_photos.errors import EXIT_ERROR, EXIT_REFUSED, LibraryError, error_line
from plvm_photos.store.layout import DB_FILE, default_root


def parse_fast_ask(argv: list[str]) -> tuple[Path, str, bool] | None:
    """(library folder, question, --json) when ``argv`` is a plain ``ask`` on SQLite, else None."""
    if os.environ.get("PLVM_DB"):
        return None
    library: str | None = None
    i = 0
    while i < len(argv) and argv[i] != "ask":
        arg = argv[i]
        if arg in ("-L", "--library") and i + 1 < len(argv):
            library, i = argv[i + 1], i + 2
        elif arg.startswith("--library="):
            library, i = arg.split("=", 1)[1], i + 1
        else:
            return None  # --db, --help, anything else: the full program decides
    rest = argv[i + 1 :]
    if i >= len(argv) or not rest:
        return None
    as_json = "--json" in rest
    positional = [a for a in rest if a != "--json"]
    if len(positional) != 1 or positional[0].startswith("-") or rest.count("--json") > 1:
        return None
    if library == "" or (library is None and os.environ.get("PLVM_LIBRARY") == ""):
        return None
    root = Path(library) if library is not None else default_root()
    return root, positional[0], as_json


def run_fast_ask(root: Path, question: str, as_json: bool) -> int | None:
    """Answer and return the exit code, or None when the full program must handle it."""
    import sqlite3

    from plvm_photos.db.migrate import HEAD_REVISION

    db_path = (root / DB_FILE).resolve()
    if not db_path.is_file():
        return None  # the full program creates the library
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
        if revision is None or revision[0] != HEAD_REVISION:
            return None  # needs a migration: the full program runs it
        from plvm_photos.ask.routing import wants_model

        try:
            routed = wants_model(question, lambda: conn.execute("SELECT value FROM settings WHERE key = 'engine'").fetchone())
        except ValueError:
            routed = False  # an invalid <name>: answer_question below reports it as the CLI does
        if routed:
            return None  # a visual question for the plvm engine: the full program loads the model
        from plvm_photos.ask.answer import Reader, answer_question

        try:
            answer = answer_question(Reader(conn), question)
        except (LibraryError, ValueError) as exc:  # as plvm_photos.cli.app.main reports them
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except sqlite3.Error:
            return None
    finally:
        conn.close()
    print(json.dumps(answer.as_dict(), indent=2, ensure_ascii=False) if as_json else answer.answer)
    return 0 if answer.answered else EXIT_REFUSED


def main() -> None:
    fast = parse_fast_ask(sys.argv[1:])
    if fast is not None:
        code = run_fast_ask(*fast)
        if code is not None:
            sys.stdout.flush()
            sys.exit(code)
    from plvm_photos.cli.app import main as full_main

    full_main()


if __name__ == "__main__":
    main()
