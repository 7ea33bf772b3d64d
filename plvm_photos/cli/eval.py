"""``plvm-photos eval``: the PLVM paper's protocol on a plvm-bench folder or a library folder.

The protocol is ``plvm_model.evaluation``; what it evaluates is a library engine
(``evaluation.engine_bench.LibraryBench``) configured like the library given with ``--library``:
its face settings, and for the plvm and hybrid engines its model locations and thresholds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from plvm_photos.cli.app import app, emit, state
from plvm_photos.engines.catalog import ENGINES
from plvm_photos.errors import LibraryError
from plvm_photos.evaluation.data import PARTS


@app.command("eval")
def eval_command(
    dataset: Path = typer.Argument(..., help="A plvm-bench folder (<Identity>/ref_img.jpg, query_img*.jpg, "
                                   "query_ques.json) or a library folder with manifest.json."),
    engine: str = typer.Option("face", "--engine", "-e", help=f"Engine to evaluate: {' | '.join(ENGINES)}, "
                               "configured as the --library's (plvm-photos config)."),
    pairs: Optional[Path] = typer.Option(None, "--pairs", help="Write every recognition pair as a JSON line "
                                         '{"query", "truth", "identity", "verdict", "score"}.'),
    part: str = typer.Option("all", "--part", help="Evaluate all identities, or the 'tune' or 'holdout' half "
                             "(a stable split by identity name, for tuning without fooling yourself)."),
    identities: Optional[int] = typer.Option(None, "--identities", help="Only the first N identities "
                                             "(sorted by name), their photos and questions.", min=1),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON on stdout (with every error)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Run the PLVM paper's evaluation (recognition; multiple-choice questions) with a throwaway
    library, and print the paper's table with coverage beside accuracy."""
    from tqdm import tqdm

    from plvm_model.evaluation import evaluate

    from plvm_photos.evaluation.data import load_eval_set
    from plvm_photos.evaluation.engine_bench import LibraryBench
    from plvm_photos.evaluation.spatial import question_kind
    from plvm_photos.safe_write import atomic_writer

    if engine not in ENGINES:
        raise LibraryError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if part not in PARTS:
        raise LibraryError(f"unknown part {part!r}; choose one of {', '.join(PARTS)}")
    try:
        data = load_eval_set(dataset)
    except ValueError as exc:
        raise LibraryError(str(exc)) from None
    data = data.limit(identities).part(part)
    if not data.identities:
        raise LibraryError(f"no identities left in {dataset} after --part {part} / --identities")
    settings = {k: v for k, v in _configured(state).items() if k.startswith(("face.", "plvm."))}
    bar = tqdm(total=len(data.queries), unit="photo", desc="recognition", file=sys.stderr,
               disable=quiet or as_json or None)

    def progress(done: int, total: int) -> None:
        bar.n = done
        bar.refresh()

    with LibraryBench({**settings, "engine": engine}) as bench:
        try:
            report = evaluate(bench, data, engine_name=engine, part=part, progress=progress,
                              subsets={"spatial": lambda q: question_kind(q.question, q.options) is not None})
        finally:
            bar.close()
    if pairs is not None:
        try:
            with atomic_writer(pairs) as fh:
                fh.write("".join(f"{line}\n" for line in report.pair_lines()).encode())
        except OSError as exc:
            raise LibraryError(f"cannot write {pairs}: {exc.strerror or exc}") from None
    emit(report.as_dict(), as_json, report.table())


def _configured(state) -> dict[str, str]:
    """The --library's settings, without creating a library where there is none."""
    from plvm_photos.store.layout import DB_FILE, default_root

    root = Path(state.library_dir) if state.library_dir else default_root()
    if state.db_url is None and not (root / DB_FILE).is_file():
        return {}
    return state.library().settings.stored()
