"""The ``plvm-photos`` command line: a thin layer over ``plvm_photos.library.Library``.

Heavy modules (dlib, faiss, numpy-heavy code) are imported inside the commands that need them,
so that ``ask`` starts quickly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperGroup

from plvm_photos.cli.global_options import hoist_global_options
from plvm_photos.errors import EXIT_ERROR, EXIT_INTERRUPTED, LibraryError, environment_failure, error_line, stdout_gone
from plvm_photos.library import Library


class GlobalOptionsAnywhere(TyperGroup):
    """The program's group: ``--library``, ``--db`` and ``--engine`` are also read after the
    command (``plvm-photos people -L DIR``), see ``cli.global_options``."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args, lambda words: self.command_options(ctx, words)))

    def command_options(self, ctx, words: list[str]) -> set[str]:
        """The option names of the command ``words`` runs (``db upgrade``: upgrade's)."""
        command = self.get_command(ctx, words[0])
        for word in words[1:]:
            if not isinstance(command, TyperGroup) or word.startswith("-"):
                break
            command = command.get_command(ctx, word) or command
        names = {"--help"}
        for param in getattr(command, "params", []):
            names.update(getattr(param, "opts", []) + getattr(param, "secondary_opts", []))
        return names


app = typer.Typer(
    cls=GlobalOptionsAnywhere,
    help="A local, private photo library that knows your people. Register a person from one photo, "
    "scan your folders, and ask: plvm-photos ask \"where is <mike>?\"",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class State:
    library_dir: Optional[Path] = None
    db_url: Optional[str] = None
    engine: Optional[str] = None  # --engine: stored in the library's settings when it opens
    _library: Optional[Library] = None

    def library(self, create: bool = False) -> Library:
        """The library; only commands that fill one (``create``) make it where there is none."""
        if self._library is None:
            self._library = Library(self.library_dir, db_url=self.db_url, create=create or bool(self.engine))
            if self.engine:
                self._library.settings.set("engine", self.engine)
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None


state = State()

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")


@app.callback()
def main_options(
    library: Optional[Path] = typer.Option(
        None, "--library", "-L", envvar="PLVM_LIBRARY", help="Library folder (database, index, reference copies). "
        "Default: $XDG_DATA_HOME/plvm-photos.", show_default=False
    ),
    db: Optional[str] = typer.Option(
        None, "--db", envvar="PLVM_DB", help="SQLAlchemy database URL instead of the library's SQLite file, "
        "e.g. postgresql+psycopg://user@localhost/photos.", show_default=False
    ),
    engine: Optional[str] = typer.Option(
        None, "--engine", help="face | plvm | hybrid | vlm: the library's engine from now on (stored in its settings, "
        "see plvm-photos config).", show_default=False
    ),
) -> None:
    state.close()  # an earlier invocation in this process (a test runner, a Python caller) may have left one open
    state.library_dir = library
    state.db_url = db
    state.engine = engine


def emit(data, as_json: bool, text: str) -> None:
    """Print ``data`` as JSON or ``text`` for people; file names that are not UTF-8 never make the
    output fail (see ``db.fspath``)."""
    from plvm_photos.fsnames import json_text, printable

    typer.echo(json_text(data) if as_json else printable(text))


@app.command("add-person")
def add_person(
    name: str = typer.Argument(..., help="The person's name, written <mike> or mike."),
    references: Optional[List[Path]] = typer.Argument(None, help="One or more reference photos of this person."),
    face: Optional[int] = typer.Option(None, "--face", help="Which face of a group reference to use (1 = leftmost)."),
    kind: str = typer.Option("person", "--kind", help="person | pet | object (pets and objects need the plvm engine)."),
    from_cluster: Optional[int] = typer.Option(
        None, "--from-cluster", help="Use the faces of cluster ID from `plvm-photos faces --unknown` instead of photos."
    ),
    force: bool = typer.Option(False, "--force", help="Register even when the engine recognises someone already "
                               "registered in the reference."),
    as_json: bool = JsonOption,
) -> None:
    """Register a person from a reference photo and find them in every photo already scanned."""
    if from_cluster is not None:
        if references:
            raise LibraryError("give reference photos or --from-cluster, not both")
        result = state.library(create=True).add_person_from_cluster(name, from_cluster, force=force)
    else:
        if not references:
            raise LibraryError("add-person needs a reference photo (or --from-cluster ID)")
        result = state.library(create=True).add_person(name, [str(p) for p in references], face=face, kind=kind, force=force)
    emit(
        {"name": result.name, "photos": result.photos, "candidates": result.candidates, "boxes": result.boxes},
        as_json,
        f"added <{result.name}>: found in {result.photos} photo(s) ({result.candidates} checked)",
    )


@app.command("add-reference")
def add_reference(
    name: str = typer.Argument(..., help="A registered person, <mike> or mike."),
    reference: Path = typer.Argument(..., help="Another reference photo of this person."),
    face: Optional[int] = typer.Option(None, "--face", help="Which face of a group reference to use (1 = leftmost)."),
    force: bool = typer.Option(False, "--force", help="Add it even when the engine recognises someone else in it."),
    as_json: bool = JsonOption,
) -> None:
    """Give a registered person one more reference photo (helps with age, angle, lighting)."""
    result = state.library().add_reference(name, str(reference), face=face, force=force)
    emit(
        {"name": result.name, "photos": result.photos, "candidates": result.candidates},
        as_json,
        f"<{result.name}> now has another reference: found in {result.photos} photo(s)",
    )


@app.command("people")
def people(as_json: bool = JsonOption) -> None:
    """List registered people with how many photos each is in."""
    rows = state.library().people()
    data = [{"name": p.name, "kind": p.kind, "photos": p.photos, "references": p.references} for p in rows]
    text = "\n".join(f"<{p.name}>\t{p.photos} photo(s)\t{p.references} reference(s)" for p in rows) or "no people yet"
    emit(data, as_json, text)


@app.command("rename-person")
def rename_person(old: str = typer.Argument(..., help="Current name."), new: str = typer.Argument(..., help="New name.")) -> None:
    """Rename a person; captions are rewritten."""
    if state.library().rename_person(old, new):
        typer.echo(f"renamed {old} to {new}")
    else:
        typer.echo(f"{old} is already called {new}: nothing changed")


@app.command("remove-person")
def remove_person(name: str = typer.Argument(..., help="The person to forget.")) -> None:
    """Forget a person: their references and verdicts are removed, affected photos re-decided."""
    n = state.library().remove_person(name)
    typer.echo(f"removed {name} ({n} photo(s) re-decided)")


@app.command("scan")
def scan(
    paths: List[Path] = typer.Argument(..., help="Folders or photos to index (recursively)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="Analysis processes (default: CPU cores)."),
    as_json: bool = JsonOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    reanalyze: bool = typer.Option(False, "--reanalyze", help="Analyse every photo again, unchanged ones too (after an "
                                   "upgrade that finds more faces). The faces you named, drew or marked 'not <name>' "
                                   "are kept as they are."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Try again the files recorded as unusable "
                                      "(including those that made an analysis process die)."),
    ray: Optional[str] = typer.Option(None, "--ray", metavar="ADDRESS", help="Analyse on a Ray cluster: 'local' "
                                      "(start Ray here), 'auto' (the cluster this machine is a node of), "
                                      "ray://HOST:PORT or HOST:PORT; --workers then defaults to the cluster's CPUs. "
                                      "Needs pip install 'plvm-photos[ray]'."),
    no_videos: bool = typer.Option(False, "--no-videos", help="Leave videos out (they are counted as skipped)."),
    no_raw: bool = typer.Option(False, "--no-raw", help="Leave camera RAW files out (they are counted as skipped)."),
    pose: bool = typer.Option(False, "--pose", help="Also run the people-pose stage (face mesh, gaze, body) on "
                              "stored faces analysed without it, without analysing their photos again. Needs pip "
                              "install 'plvm-photos[pose]'."),
) -> None:
    """Index new and changed photos, camera RAW files and videos. Already indexed photos cost nothing; moved ones are
    not re-analysed. A RAW+JPEG pair or a Live Photo (same name, same folder, same moment) is one photo."""
    from plvm_photos.media.kinds import MediaOptions

    try:
        summary = state.library(create=True).scan([str(p) for p in paths], workers=workers, progress=not quiet and not as_json,
                                       reanalyze=reanalyze, retry_failed=retry_failed, ray=ray,
                                       media=MediaOptions(videos=not no_videos, raw=not no_raw), pose=pose)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (the scan turns it into the same)
        typer.echo("interrupted: the photos analysed so far are kept; scan again to go on", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    text = (
        f"{summary.files} photo and video file(s): {summary.analysed} analysed, {summary.unchanged} unchanged, "
        f"{summary.known_content} already known by content, {summary.errors} error(s), "
        f"{summary.missing} gone; {summary.faces} face(s) found in {summary.seconds:.1f} s"
    )
    text += "".join(f"\n{line}" for line in summary.skipped.lines())
    if pose:
        text += f"; people pose added for {summary.poses_added} stored face(s)"
    if summary.error_files and not as_json:
        text += "\n" + "\n".join(f"  error: {e['path']}: {e['error']}" for e in summary.error_files[:20])
        if len(summary.error_files) > 20:
            text += f"\n  ... and {len(summary.error_files) - 20} more (see --json)"
    emit(summary.as_dict(), as_json, text)


@app.command("ask")
def ask(
    question: str = typer.Argument(..., help='E.g. "where is <obama>?", "photos of <mike> or <susan> in Paris in 2019".'),
    as_json: bool = JsonOption,
    explain: bool = typer.Option(False, "--explain", help="First print how the question was understood."),
) -> None:
    """Ask about your people in plain English; names in angle brackets. A question that cannot be
    answered as asked is refused with exit code 3."""
    from plvm_photos.ask.present import render

    typer.echo(render(state.library().ask(question, with_photos=as_json), as_json, explain))


@app.command("verdicts")
def verdicts(as_json: bool = JsonOption) -> None:
    """Every stored verdict (photo, person, present, score, box)."""
    rows = state.library().verdicts()
    text = "\n".join(
        f"{r['path']}\t<{r['person']}>\t{'yes' if r['present'] else 'no'}\t{r['score']:.3f}\t{r['box'] or ''}" for r in rows
    )
    emit(rows, as_json, text or "no verdicts yet")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the library's database or apply its migrations (opening a library does this too)."""
    from plvm_photos.db.migrate import HEAD_REVISION, current_revision

    lib = state.library(create=True)
    typer.echo(f"database at revision {current_revision(lib.db)} (head {HEAD_REVISION})")


# Feature areas keep their commands in modules of their own, each registering on ``app``
# with ``@app.command``; they are imported here so that ``plvm-photos --help`` lists them all.
COMMAND_MODULES: tuple[str, ...] = ("plvm_photos.cli.eval", "plvm_photos.cli.gallery", "plvm_photos.cli.curate", "plvm_photos.cli.person", "plvm_photos.cli.config", "plvm_photos.cli.watch",
                                   "plvm_photos.cli.service")


def register_command_modules() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name)


def main() -> None:
    register_command_modules()
    try:
        _run_app()
    except (LibraryError, ValueError) as exc:  # ValueError: invalid input deeper down, said as one line
        from plvm_photos.ask.present import failure

        line, code = failure(exc)  # exit 3 for a refused question, else 2
        _fail(line, code)
    except BrokenPipeError:
        sys.exit(stdout_gone())
    except Exception as exc:
        line = environment_failure(exc)  # a full disk, a read-only library, another writer's lock
        if line is None:
            raise  # a bug: its traceback is what to report
        _fail(error_line(LibraryError(line)), EXIT_ERROR)


def _run_app() -> None:
    """The typer app, then the library closed (its indexes saved); after a failure the close says
    nothing of its own (the first error is the one to report)."""
    try:
        app()
    except SystemExit as done:
        _close(quietly=done.code not in (0, None))
        raise
    except BaseException:
        _close(quietly=True)
        raise
    _close(quietly=False)


def _close(quietly: bool) -> None:
    if not quietly:
        state.close()
        return
    try:
        state.close()
    except Exception:  # noqa: BLE001 - the error already on its way is the one to report
        state._library = None


def _fail(line: str, code: int) -> None:
    from plvm_photos.fsnames import printable

    typer.echo(printable(line), err=True)
    sys.exit(code)


