"""``plvm-photos eval``: the PLVM paper's protocol on a plvm-bench folder or a library folder.

Engines are a registry: a name maps to a factory ``(EvalSet) -> engine`` whose engine has
``recognize(image, concepts)`` and optionally ``choose(...)`` (see ``plvm_model.evaluation``).
Adding an engine is one entry in ``ENGINES``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from plvm_photos.cli.app import app, emit
from plvm_photos.evaluation.data import PARTS, EvalSet
from plvm_photos.errors import LibraryError


def _face_engine(data: EvalSet):
    from plvm_photos.evaluation.face import FaceBenchEngine

    return FaceBenchEngine(face_boxes={i.reference: i.face_box for i in data.identities if i.face_box})


def _plvm_engine(data: EvalSet):
    """The PLVM that the library (--library) is configured with: plvm-photos config plvm.aligner ..."""
    from plvm_photos.cli.app import state
    from plvm_photos.engines.plvm.bench import bench_engine

    return bench_engine(state.library_dir, state.db_url)


ENGINES: dict[str, Callable[[EvalSet], object]] = {
    "face": _face_engine,
    "plvm": _plvm_engine,
}


@app.command("eval")
def eval_command(
    dataset: Path = typer.Argument(..., help="A plvm-bench folder (<Identity>/ref_img.jpg, query_img*.jpg, "
                                   "query_ques.json) or a library folder with manifest.json."),
    engine: str = typer.Option("face", "--engine", "-e", help=f"Engine to evaluate: {' | '.join(ENGINES)}."),
    pairs: Optional[Path] = typer.Option(None, "--pairs", help="Write every recognition pair as a JSON line "
                                         '{"query", "truth", "identity", "verdict", "score"}.'),
    part: str = typer.Option("all", "--part", help="Evaluate all identities, or the 'tune' or 'holdout' half "
                             "(a stable split by identity name, for tuning without fooling yourself)."),
    identities: Optional[int] = typer.Option(None, "--identities", help="Only the first N identities "
                                             "(sorted by name), their photos and questions.", min=1),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON on stdout (with every error)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Run the PLVM paper's evaluation (recognition; visual questions answerable from face positions)
    with a throwaway library, and print the paper's table with coverage beside accuracy."""
    from plvm_photos.evaluation.data import load_eval_set
    from plvm_photos.evaluation.run import run, write_pairs

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
    runner = ENGINES[engine](data)
    from tqdm import tqdm

    bar = tqdm(total=len(data.queries), unit="photo", desc="recognition", file=sys.stderr,
               disable=quiet or as_json or None)

    def progress(done: int, total: int) -> None:
        bar.n = done
        bar.refresh()

    try:
        report = run(runner, data, engine, part, progress)
    finally:
        bar.close()
        if hasattr(runner, "close"):
            runner.close()
    if pairs is not None:
        write_pairs(report, pairs)
    emit(report.as_dict(), as_json, report.table())
