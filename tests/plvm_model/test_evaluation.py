import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from plvm_model.bench_data import load_bench
from plvm_model.evaluation import evaluate

COLORS = {"Ann": (220, 20, 20), "Bob": (20, 20, 220), "Cy": (20, 200, 20)}
from tests.conftest import TEST_DATA as SHARED  # noqa: E402


def make_bench(root: Path, n_queries=(2, 3, 1)) -> Path:
    for (name, color), n in zip(COLORS.items(), n_queries):
        (root / name).mkdir(parents=True)
        Image.new("RGB", (16, 16), color).save(root / name / "ref_img.jpg")
        for i in range(1, n + 1):
            Image.new("RGB", (16, 16), color).save(root / name / f"query_img{i}.png")
    (root / "query_ques.json").write_text(json.dumps([
        {"ref_img": "Ann/ref_img.jpg", "query_img": "Ann/query_img1.png", "question": "What is <sks> wearing?",
         "multiple_choice": {"A": "red", "B": "blue"}, "correct_answer": "A"},
        {"ref_img": "Bob/ref_img.jpg", "query_img": "Bob/query_img2.png", "question": "Where is <sks>?",
         "multiple_choice": {"A": "left", "B": "right", "C": "centre"}, "correct_answer": "C"},
    ]))
    (root / "non_query_ques.json").write_text(json.dumps([
        {"ref_img": "Cy/ref_img.jpg", "question": "What is <sks>'s hair color?",
         "multiple_choice": {"A": "black", "B": "blond"}, "correct_answer": "B"},
    ]))
    return root


class ColourEngine:
    """A non-torch engine: "present" when the query's colour matches the reference's, except that
    it always says no to Cy (so the protocol's arithmetic is checked on a wrong engine)."""

    def __init__(self):
        self.calls = []

    def recognize(self, image, concepts):
        px = image.getpixel((8, 8))
        out = []
        for c in concepts:
            ref = c.open().getpixel((8, 8))
            same = sum(abs(a - b) for a, b in zip(px, ref)) < 60
            out.append(0.9 if same and c.name != "<Cy>" else 0.1)
        return out

    def choose(self, image, question, options, concepts):
        self.calls.append((image is None, question, concepts[0].name))
        return "A"


def test_bench_reader(tmp_path):
    bench = load_bench(make_bench(tmp_path))
    assert [i.name for i in bench.identities] == ["Ann", "Bob", "Cy"]
    assert [q.name for q in bench.identities[1].queries] == ["query_img1.png", "query_img2.png", "query_img3.png"]
    assert len(bench.visual_questions) == 2 and len(bench.text_questions) == 1
    assert bench.text_questions[0].query is None and bench.visual_questions[1].identity == "Bob"


def test_protocol_arithmetic_on_a_non_torch_engine(tmp_path):
    engine = ColourEngine()
    report = evaluate(engine, make_bench(tmp_path))
    r = report.recognition
    # 6 queries x 3 identities: 6 positive pairs (Cy's 1 is missed), 12 negative pairs (all right)
    assert (r.n_positive, r.n_negative) == (6, 12)
    assert r.positive == pytest.approx(5 / 6) and r.negative == 1.0
    assert r.mean == pytest.approx((5 / 6 + 1) / 2)
    assert len(r.pairs) == 18
    assert report.visual.accuracy == 0.5 and report.visual.total == 2
    assert report.text.accuracy == 0.0 and report.text.total == 1
    # the question names the concept, text-only questions come without an image
    assert (True, "What is <Cy>'s hair color?", "<Cy>") in engine.calls
    assert "recognition" in report.table()


def test_recognition_only_engine_skips_multiple_choice(tmp_path):
    class RecognizeOnly:
        def recognize(self, image, concepts):
            return [1.0] * len(concepts)

    report = evaluate(RecognizeOnly(), make_bench(tmp_path))
    assert report.recognition.positive == 1.0 and report.recognition.negative == 0.0
    assert report.text.answered == report.visual.answered == 0  # abstained: coverage 0, not accuracy 0
    assert (report.text.total, report.visual.total) == (1, 2)


def test_bench_and_evaluation_modules_do_not_import_torch():
    code = ("import sys, plvm_model, plvm_model.bench_data, plvm_model.evaluation, plvm_model.synthesis; "
            "bad = [m for m in ('torch', 'transformers') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not (SHARED / "plvm-bench").is_dir(), reason=f"no plvm-bench under {SHARED} (PLVM_TEST_DATA)")
def test_reads_the_shared_plvm_bench():
    bench = load_bench(SHARED / "plvm-bench")
    assert len(bench.identities) >= 10
    assert all(i.reference.exists() and i.queries for i in bench.identities)
    assert len(bench.visual_questions) > 100 and len(bench.text_questions) > 10
    assert all(q.reference.exists() and (q.query is None or q.query.exists())
               for q in bench.visual_questions + bench.text_questions)
    assert all(q.answer in q.options for q in bench.visual_questions + bench.text_questions)


def test_plvm_runs_through_the_protocol(plvm, tmp_path):
    from plvm_model.bench_engine import PLVMBenchEngine

    engine = PLVMBenchEngine(plvm)
    report = evaluate(engine, make_bench(tmp_path))
    assert (report.recognition.n_positive, report.recognition.n_negative) == (6, 12)
    assert 0.0 <= report.recognition.mean <= 1.0
    assert report.visual.total == 2 and report.text.total == 1
    assert len(engine._concepts) == 3  # each reference encoded once
