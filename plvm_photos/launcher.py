"""The ``plvm-photos`` program's entry point: ``ask`` on a SQLite library without typer or SQLAlchemy.

Importing typer (+ rich) and SQLAlchemy's ORM takes ~0.5 s on a small machine, several times the
work of answering a question. When the command line is exactly ``[-L DIR | --library DIR] [--db
sqlite:///FILE] ask QUESTION [--json] [--explain]`` (the global options also after ``ask``, as the
full program reads them: ``cli.global_options``; ``PLVM_DB`` as ``--db``) and the library is a
SQLite file at the current schema revision,
the question is answered here with the standard library's ``sqlite3`` through the same code as
the full CLI (``plvm_photos.ask.answer.answer_query``, printed by ``plvm_photos.ask.present``), with
the same output and exit codes. Anything else (help, other options, another database, a library
that does not exist yet or needs a migration, a visual question for an engine that sees pixels)
goes to the full typer program in ``plvm_photos.cli.app``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from plvm_photos.cli.global_options import hoist_global_options
from plvm_photos.errors import EXIT_ERROR, LibraryError, environment_failure, error_line, stdout_gone
from plvm_photos.store.layout import DB_FILE, default_root


@dataclass(frozen=True)
class FastAsk:
    root: Path
    question: str
    as_json: bool
    explain: bool
    db_file: Path | None = None  # ``--db sqlite:///FILE`` (None: the library folder's own)

    @property
    def db_path(self) -> Path:
        return self.db_file if self.db_file is not None else self.root / DB_FILE


SQLITE_URL = "sqlite:///"  # a plain file URL; anything else (another driver, options) goes to the full program


def _sqlite_file(url: str) -> Path | None:
    rest = url[len(SQLITE_URL):] if url.startswith(SQLITE_URL) else ""
    return Path(rest) if rest and "?" not in rest else None


FLAGS = ("--json", "--explain")


def parse_fast_ask(argv: list[str]) -> FastAsk | None:
    """The ask to answer here when ``argv`` is a plain ``ask`` on SQLite, else None."""
    db_url = os.environ.get("PLVM_DB") or None
    argv = hoist_global_options(argv, lambda words: (*FLAGS, "--help") if words[0] == "ask" else ())
    library: str | None = None
    i = 0
    while i < len(argv) and argv[i] != "ask":
        arg = argv[i]
        if arg in ("-L", "--library") and i + 1 < len(argv):
            library, i = argv[i + 1], i + 2
        elif arg.startswith("--library="):
            library, i = arg.split("=", 1)[1], i + 1
        elif arg == "--db" and i + 1 < len(argv):
            db_url, i = argv[i + 1], i + 2
        elif arg.startswith("--db="):
            db_url, i = arg.split("=", 1)[1], i + 1
        else:
            return None  # --help, anything else: the full program decides
    db_file = _sqlite_file(db_url) if db_url is not None else None
    if db_url is not None and db_file is None:
        return None  # PostgreSQL, an in-memory or unusual URL: the full program
    rest = argv[i + 1 :]
    if i >= len(argv) or not rest:
        return None
    positional = [a for a in rest if a not in FLAGS]
    if len(positional) != 1 or positional[0].startswith("-") or any(rest.count(flag) > 1 for flag in FLAGS):
        return None
    if library == "" or (library is None and os.environ.get("PLVM_LIBRARY") == ""):
        return None
    root = Path(library) if library is not None else default_root()
    return FastAsk(root, positional[0], "--json" in rest, "--explain" in rest, db_file)


def run_fast_ask(ask: FastAsk) -> int | None:
    """Answer and return the exit code, or None when the full program must handle it."""
    import sqlite3

    from plvm_photos.db.migrate import HEAD_REVISION

    db_path = ask.db_path.resolve()
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
        from plvm_photos.ask.present import failure

        try:
            text = _answer(conn, ask)
        except (LibraryError, ValueError) as exc:  # as plvm_photos.cli.app.main reports them
            line, code = failure(exc)
            print(line, file=sys.stderr)
            return code
        except sqlite3.Error:
            return None
        if text is None:
            return None
    finally:
        conn.close()
    print(text)
    return 0


def _answer(conn, ask: FastAsk) -> str | None:
    """The printed answer, or None for a visual question the library's engine must see."""
    from datetime import date

    from plvm_photos.ask.answer import VISUAL_INTENTS, Reader, answer_query, parse_question
    from plvm_photos.ask.present import render

    query = parse_question(Reader(conn), ask.question, date.today())
    if query.intent in VISUAL_INTENTS or query.cues:
        from plvm_photos.ask.routing import wants_model

        if wants_model(query, lambda: conn.execute("SELECT value FROM settings WHERE key = 'engine'").fetchone()):
            return None  # the full program loads the model
    return render(answer_query(Reader(conn), query, with_photos=ask.as_json), ask.as_json, ask.explain)


def main() -> None:
    fast = parse_fast_ask(sys.argv[1:])
    if fast is not None:
        try:
            code = run_fast_ask(fast)
            if code is not None:
                sys.stdout.flush()
        except BrokenPipeError:
            code = stdout_gone()
        except OSError:
            code = None  # a library folder it may not read: the full program says so in one line
        except OverflowError as exc:  # "#99999999999999999999": said as the full program says it
            print(error_line(LibraryError(environment_failure(exc))), file=sys.stderr)
            code = EXIT_ERROR
        if code is not None:
            sys.exit(code)
    from plvm_photos.cli.app import main as full_main

    full_main()


if __name__ == "__main__":
    main()
