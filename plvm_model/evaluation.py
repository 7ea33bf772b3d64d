"""The paper's evaluation protocol (appendix A.4) for any engine (no torch, no transformers).

- Recognition: every query image against every identity; a pair is right when P(Yes) >= 0.5
  agrees with whether the query shows that identity. Positive, negative and mean accuracy.
- Text-only and visual multiple choice: accuracy of the chosen letter.

An engine needs ``recognize(image, concepts) -> Sequence[float]`` (P(Yes) per concept) and, for
the multiple-choice tasks, ``choose(image | None, question, options, concepts) -> str | obj.letter``.
Concepts are :class:`ConceptImage` (a name and a reference image), so an engine with its own
notion of a concept (the face engine's descriptor, PLVM's Aligner output) encodes and caches them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Protocol, Sequence, runtime_checkable

from .bench_data import Bench, ChoiceQuestion, load_bench


@dataclass(frozen=True)
class ConceptImage:
    name: str  # as used in prompts, e.g. "<Billie>"
    reference: Path

    def open(self):
        from PIL import Image

        with Image.open(self.reference) as im:
            return im.convert("RGB")


@runtime_checkable
class RecognitionEngine(Protocol):
    def recognize(self, image, concepts: Sequence[ConceptImage]) -> Sequence[float]: ...


@runtime_checkable
class ChoiceEngine(Protocol):
    def choose(self, image, question: str, options: Mapping[str, str], concepts: Sequence[ConceptImage]): ...


@dataclass
class RecognitionResult:
    positive: float  # accuracy on pairs where the identity is present
    negative: float  # accuracy on pairs where it is absent
    n_positive: int
    n_negative: int
    threshold: float = 0.5
    scores: list[tuple[str, str, float]] = field(default_factory=list, repr=False)  # (query, identity, P(Yes))

    @property
    def mean(self) -> float:
        return (self.positive + self.negative) / 2


@dataclass
class ChoiceResult:
    accuracy: float
    n: int
    answers: list[tuple[ChoiceQuestion, str]] = field(default_factory=list, repr=False)


@dataclass
class BenchReport:
    recognition: RecognitionResult | None = None
    text: ChoiceResult | None = None
    visual: ChoiceResult | None = None

    def table(self) -> str:
        rows = []
        if self.recognition:
            r = self.recognition
            rows.append(f"recognition  positive {r.positive:6.1%} ({r.n_positive})  negative {r.negative:6.1%} "
                        f"({r.n_negative})  mean {r.mean:6.1%}")
        for name, res in (("text-only QA", self.text), ("visual QA", self.visual)):
            if res:
                rows.append(f"{name:<12} accuracy {res.accuracy:6.1%} ({res.n})")
        return "\n".join(rows)


def concept_name(identity: str) -> str:
    return f"<{identity}>"


def _open(path: Path):
    from PIL import Image

    with Image.open(path) as im:
        return im.convert("RGB")


def evaluate_recognition(engine: RecognitionEngine, bench: Bench, threshold: float = 0.5,
                         progress: Callable[[int, int], None] | None = None) -> RecognitionResult:
    concepts = [ConceptImage(concept_name(i.name), i.reference) for i in bench.identities]
    queries = [(i.name, q) for i in bench.identities for q in i.queries]
    right = {True: 0, False: 0}
    total = {True: 0, False: 0}
    scores = []
    for n, (owner, query) in enumerate(queries):
        probs = list(engine.recognize(_open(query), concepts))
        if len(probs) != len(concepts):
            raise ValueError(f"engine returned {len(probs)} scores for {len(concepts)} concepts")
        for ident, p in zip(bench.identities, probs):
            present = ident.name == owner
            total[present] += 1
            right[present] += (float(p) >= threshold) == present
            scores.append((str(query.relative_to(bench.root)), ident.name, float(p)))
        if progress:
            progress(n + 1, len(queries))
    return RecognitionResult(
        positive=right[True] / max(total[True], 1), negative=right[False] / max(total[False], 1),
        n_positive=total[True], n_negative=total[False], threshold=threshold, scores=scores,
    )


def evaluate_choices(engine: ChoiceEngine, questions: Iterable[ChoiceQuestion]) -> ChoiceResult:
    answers = []
    for q in questions:
        concept = ConceptImage(concept_name(q.identity), q.reference)
        picked = engine.choose(_open(q.query) if q.query else None, q.question.replace("<sks>", concept.name),
                               q.options, [concept])
        answers.append((q, getattr(picked, "letter", picked)))
    n = len(answers)
    return ChoiceResult(accuracy=sum(a == q.answer for q, a in answers) / max(n, 1), n=n, answers=answers)


def evaluate(engine, bench: str | Path | Bench, tasks: Sequence[str] = ("recognition", "text", "visual"),
             threshold: float = 0.5, progress: Callable[[int, int], None] | None = None) -> BenchReport:
    """Run the protocol; multiple-choice tasks are skipped for an engine without ``choose``."""
    if not isinstance(bench, Bench):
        bench = load_bench(bench)
    report = BenchReport()
    if "recognition" in tasks:
        report.recognition = evaluate_recognition(engine, bench, threshold, progress)
    if hasattr(engine, "choose"):
        if "text" in tasks and bench.text_questions:
            report.text = evaluate_choices(engine, bench.text_questions)
        if "visual" in tasks and bench.visual_questions:
            report.visual = evaluate_choices(engine, bench.visual_questions)
    return report
