"""``plvm-photos ask`` wall time, end to end (a new interpreter per question), on 100 000 photos.

Each question form runs as a subprocess of the installed ``plvm-photos`` script (interpreter
start included), on a synthetic library with 40 registered people and verdicts, photos dated
over 25 years and placed around eight cities (``synth.py``), so the forms include time and place
filters. Baselines in the same run: ``python -c pass`` and the full typer/SQLAlchemy program
(``plvm_photos.cli.app.main``, what ``ask`` cost before the launcher's sqlite3 path).

    python -m benchmarks.bench_ask [--photos 100000] [--repeat 5] [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import print_table

FULL_CLI = "import sys; from plvm_photos.cli.app import main; sys.argv[0] = 'plvm-photos'; main()"


@dataclass
class AskResult:
    photos: int
    python_pass: float  # median seconds of `python -c pass`
    per_form: list[tuple[str, float, float, int]]  # question, median fast, median full, output lines

    @property
    def forms(self) -> list[tuple[str, float, float, int]]:
        """The question forms: every row but the busiest person's, which is there for information."""
        return [row for row in self.per_form if row[0] != BUSIEST] or self.per_form

    @property
    def median(self) -> float:
        return statistics.median(t for _, t, _, _ in self.per_form)

    @property
    def median_full(self) -> float:
        return statistics.median(t for _, _, t, _ in self.per_form)


def _script() -> list[str]:
    found = shutil.which("plvm-photos", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "plvm_photos.launcher"]


# As an installed copy runs: with its modules' bytecode cached (pip compiles it at install time;
# an editable checkout writes it on first import). A machine that sets PYTHONDONTWRITEBYTECODE
# would otherwise compile every module in every run (~0.09 s of each ask).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _timed(cmd: list[str], repeat: int, warm: bool = True) -> tuple[float, str]:
    if warm:
        subprocess.run(cmd, capture_output=True, timeout=120, env=ENV)  # caches, bytecode
    times, out = [], ""
    for _ in range(repeat):
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=ENV)
        times.append(time.perf_counter() - t)
        if done.returncode not in (0, 3):
            raise RuntimeError(f"{cmd} failed ({done.returncode}): {done.stderr[-500:]}")
        out = done.stdout
    return statistics.median(times), out


BUSIEST = "where is <person000>?"


def questions(sample_photo: str) -> list[str]:
    x, y = "<person005>", "<person002>"
    name = Path(sample_photo).name
    return [
        f"where is {x}?",
        f"photos with {x}",
        f"photos with {x} and {y}",
        f"photos with {x} but not {y}",
        f"photos of {x} or {y}",
        f"how many photos of {x}?",
        f"is {x} in {name}?",
        f"who is in {name}",
        f"photos of {x} in 2019",
        "how many photos were taken in the summer of 2019?",
        f"photos of {x} in Paris",
        f"how many photos of {x} or {y} in Japan in 2019?",
        f"photos of {x} near Tokyo",
        # the forms of issue 25: names without brackets, or / not between places, aggregates
        "photos of person005 and person002",
        f"photos of {x} in Paris or Tokyo",
        f"how many photos of {x} not in Paris?",
        "how many photos in Europe?",
        f"how many photos of {x} from 2 years ago?",
        f"who is with {x}?",
        f"when did I last see {x}?",
        f"the 3 most recent photos of {x}",
        f"where have I been with {x}?",
        f"who is on the far left in {name}?",
        f"where was {name} taken?",
        "who is in the most photos?",
        "which city has the most photos?",
        "how many photos per year?",  # counted in SQL since stop 35 (every photo's row was read)
        "top 5 people",
        BUSIEST,  # the most photographed person (~5 % of the library), for information
        # the forms of issue 25's second pass: every year's month, place conjunctions, comparisons,
        # lower-case bare names and places, what people do (judged per photo from stored cues)
        f"how many photos of {x} in August?",
        f"how many photos of {x} in France but not Paris?",
        f"more photos of {x} or {y}?",
        "how many photos per person?",
        "person005 paris photos",
        f"how many photos where {x} is smiling?",
        # issue 25, third pass: how many people, times of day and days of the week, seasons of every year, sort orders
        f"how many group photos of {x}?",
        f"photos of {x} with at least two others",
        f"how many photos of {x} in the morning on weekends?",
        f"how many photos of {x} from summer?",
        f"photos of {x} newest first",
    ]


def run(photos: int = 100_000, repeat: int = 5, full_repeat: int = 3, forms: int | None = None,
        warm: bool = True) -> AskResult:
    """``forms``: only the first this many question forms (all by default); ``warm``: one untimed
    run of each command first (its caches and bytecode)."""
    from benchmarks.synth import build

    with tempfile.TemporaryDirectory(prefix="bench-ask-") as tmp:
        synth = build(Path(tmp) / "library", photos=photos)
        root = str(synth.root)
        python_pass, _ = _timed([sys.executable, "-c", "pass"], repeat, warm)
        per_form = []
        for question in questions(synth.photo_paths[0])[:forms]:
            fast, out = _timed([*_script(), "-L", root, "ask", question], repeat, warm)
            full, full_out = _timed([sys.executable, "-c", FULL_CLI, "-L", root, "ask", question], full_repeat, warm)
            if out != full_out:
                raise RuntimeError(f"fast and full ask differ for {question!r}")
            per_form.append((question, fast, full, out.count("\n")))
    result = AskResult(photos, python_pass, per_form)
    report(result, synth.seconds)
    return result


def report(r: AskResult, build_seconds: float) -> None:
    print(f"\nask on a synthetic {r.photos}-photo library (built in {build_seconds:.1f} s); median wall seconds, "
          "new interpreter per run")
    rows = [["python -c pass", f"{r.python_pass:.3f}", "", "", ""]]
    for question, fast, full, lines in r.per_form:
        rows.append([f"ask \"{question}\"", f"{fast:.3f}", f"{full:.3f}", f"{full / fast:.1f}x", lines])
    print_table(["command", "plvm-photos s", "full typer+ORM s", "full/fast", "output lines"], rows)
    forms = r.forms
    median = statistics.median(t for _, t, _, _ in forms)
    print(f"ask median over the {len(forms)} question forms: {median:.3f} s (target < 0.3 s: "
          f"{'met' if median < 0.3 else 'NOT met'}); python -c pass {r.python_pass:.3f} s; "
          f"{median / r.python_pass:.1f}x python start-up")


# A smoke run (``--quick``, ``run_all --quick``), not the figures to report: two question forms
# on a small library.
QUICK = {"photos": 300, "repeat": 1, "full_repeat": 1, "forms": 2, "warm": False}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a smoke run (300 photos, 2 questions), not the figures")
    args = parser.parse_args(argv)
    if args.quick:
        run(**QUICK)
    else:
        run(args.photos, args.repeat)


if __name__ == "__main__":
    main()
