"""Every benchmark and research tool runs, on tiny inputs (``--quick``), so none can rot unseen.
What they print is not checked: their figures come from full runs on an idle machine (the
commands are in each script's docstring). Together these runs cost well under a minute of CPU."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


# What this file runs, by module: every script of benchmarks/ and tools/ must be here.
SMOKED = {
    "benchmarks.run_all", "benchmarks.bench_indexing", "benchmarks.bench_add_person", "benchmarks.bench_ask",
    "benchmarks.bench_scale", "benchmarks.bench_descriptor", "benchmarks.bench_face_config",
    "benchmarks.bench_plvm_face_overhead", "benchmarks.watch_latency", "benchmarks.gpu_plvm", "benchmarks.gpu_vlm",
    "benchmarks.bench_ray", "benchmarks.bench_media", "benchmarks.bench_pages", "tools.eval_rules", "tools.eval_interaction",
    "tools.fetch_interaction_photos",  # its --list: tests/engines/face/test_interaction_photos.py (fetching needs the network)
}
HELPERS = {"benchmarks.common", "benchmarks.synth"}  # imported by the scripts, not run


def test_every_benchmark_and_tool_has_a_smoke_run():
    scripts = {f"{folder}.{path.stem}" for folder in ("benchmarks", "tools") for path in (REPO / folder).glob("*.py")
               if path.stem != "__init__"}
    assert scripts - HELPERS == SMOKED


@pytest.fixture
def data(library_data) -> Path:
    """The shared data root, as the benchmarks find it (they skip nothing: the test does)."""
    return library_data.parent


def test_run_all_runs_the_indexing_add_person_ask_and_scale_benchmarks_quick(data, capsys):
    from benchmarks import run_all

    run_all.main(["--quick"])
    out = capsys.readouterr().out
    assert "indexing speed-up:" in out and "all benchmarks:" in out


class Asked(Exception):
    """What a benchmark's ``main`` asked ``run`` for."""


@pytest.mark.parametrize("name", ["bench_indexing", "bench_add_person", "bench_ask", "bench_scale"])
def test_each_benchmark_of_run_all_takes_quick_as_run_all_does(name, monkeypatch):
    """``run_all --quick`` runs them with their ``QUICK`` sizes (above); their own ``--quick`` asks
    for the same."""
    import importlib

    bench = importlib.import_module(f"benchmarks.{name}")

    def run(*args, **kwargs):
        raise Asked(args, kwargs)

    monkeypatch.setattr(bench, "run", run)
    with pytest.raises(Asked) as asked:
        bench.main(["--quick"])
    args, kwargs = asked.value.args
    assert not args and {k: v for k, v in kwargs.items() if k != "workers"} == bench.QUICK


def test_bench_pages_runs_quick(capsys):
    from benchmarks import bench_pages

    bench_pages.main(["--quick"])
    out = capsys.readouterr().out
    assert "timeline" in out and "photo, prev/next in a search" in out and "slowest page" in out


@pytest.mark.parametrize("module", ["bench_descriptor", "bench_face_config", "bench_plvm_face_overhead", "watch_latency", "bench_media"])
def test_benchmark_runs_quick(module, data, capsys):
    import importlib

    importlib.import_module(f"benchmarks.{module}").main(["--quick"])
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize("module", ["gpu_plvm", "gpu_vlm"])
def test_gpu_benchmark_runs_quick_on_the_cpu(module, capsys):
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    import importlib

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny shapes: more threads only spin (10x the CPU time on a busy machine)
    try:
        assert importlib.import_module(f"benchmarks.{module}").main(["--quick"]) == 0
    finally:
        torch.set_num_threads(threads)
    assert "|" in capsys.readouterr().out


def test_ray_benchmark_runs_quick(data):
    """In a process of its own: Ray reads its settings once, when imported (``tests/indexing/test_ray.py``
    needs it unimported here)."""
    import importlib.util

    if importlib.util.find_spec("ray") is None:  # not importorskip: that would import Ray here
        pytest.skip("ray is not installed")
    short = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # Ray's socket paths must fit in 107 bytes
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.bench_ray", "--quick"], cwd=REPO, capture_output=True,
                              text=True, timeout=300, env={**os.environ, "RAY_TMPDIR": short, "PLVM_TEST_DATA": str(data)})
    finally:
        shutil.rmtree(short, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ray/local throughput:" in done.stdout


def test_eval_rules_runs_quick(bench_data, capsys):
    from tools import eval_rules

    eval_rules.main([str(bench_data), "--quick"])
    assert "threshold 0.55" in capsys.readouterr().out


def test_eval_interaction_runs_on_a_few_labelled_photos(data, tmp_path, capsys):
    from tools import eval_interaction

    labels = json.loads(eval_interaction.LABELS.read_text())
    few = dict(list(labels.items())[:2])
    (tmp_path / "labels.json").write_text(json.dumps(few))
    assert eval_interaction.main([str(data), "--stored-boxes", "--labels", str(tmp_path / "labels.json")]) == 0
    assert "2 photos" in capsys.readouterr().out


def test_the_indexing_benchmark_times_the_analyzers_own_stages(library_data):
    """Its per-stage pass gives exactly what ``FaceAnalyzer.analyze`` gives: it cannot drift."""
    from benchmarks.bench_indexing import STAGES, staged_analysis

    from plvm_photos.engines.face.engine import FaceAnalyzer
    from plvm_photos.imaging import decode

    analyzer = FaceAnalyzer()
    path = library_data / "_group" / "test" / "facerec__test_obama_and_biden.jpg"
    stages: dict[str, float] = {}
    staged = staged_analysis(analyzer, path, stages)
    whole = analyzer.analyze(decode(path, max_side=analyzer.max_side))
    assert set(stages) == set(STAGES) and len(whole.regions) >= 2
    assert (staged.width, staged.height) == (whole.width, whole.height)
    assert [(r.box, r.score, r.kind) for r in staged.regions] == [(r.box, r.score, r.kind) for r in whole.regions]
    assert all(np.array_equal(a.vector, b.vector) for a, b in zip(staged.regions, whole.regions))
