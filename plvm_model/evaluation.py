"""The paper's evaluation protocol (appendix A.4), for any engine (no torch, no transformers).

- Recognition: every query image against every identity; a pair is right when (P(Yes) >= 0.5)
  agrees with whether the query shows that identity (a group photo can show several; identities a
  query marks ``unscored`` are skipped). Positive, negative and mean accuracy.
- Multiple choice (text-only and visual): an engine's ``choose`` may return None to abstain;
  accuracy is over the answered questions and coverage = answered / total, so an engine that
  answers only what it can prove is not mixed up with one that guesses. ``subsets`` report named
  parts of the visual questions separately (e.g. the questions about positions).

An engine needs ``recognize(image, concepts) -> Sequence[float]`` (P(Yes) per concept) and, for
the multiple-choice tasks, ``choose(image | None, question, options, concepts)`` returning a
letter, an object with ``.letter``, or None. Concepts are :class:`ConceptImage` (a name and a
reference image), so an engine with its own notion of a concept (the face engine's descriptor,
PLVM's Aligner output) encodes and caches them. Data sets are :class:`EvalSet`s: a folder in the
paper's format (``load_bench``) or anything converted to that shape (the app's photo manifests).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Protocol, Sequence, runtime_checkable

from .bench_data import Bench, ChoiceQuestion, load_bench

THRESHOLD = 0.5
PARTS = ("all", "tune", "holdout")


# --- data ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConceptImage:
    name: str  # as used in prompts, e.g. "<Billie>"
    reference: Path
    box: tuple[int, int, int, int] | None = None  # the face meant, where the reference shows several

    def open(self):
        return open_image(self.reference)


@dataclass(frozen=True)
class EvalIdentity:
    name: str  # as in the data set, e.g. "Billie" or "barack_obama"
    reference: Path
    face_box: tuple[int, int, int, int] | None = None  # which face of a group reference


@dataclass(frozen=True)
class EvalQuery:
    path: Path
    truth: frozenset[str]  # identities shown
    unscored: frozenset[str] = frozenset()  # identities not to score on this image


@dataclass(frozen=True)
class EvalSet:
    """Identities, query photos and questions. ``part`` makes held-out halves by identity: a stable
    hash puts every identity in ``tune`` or ``holdout``; a half keeps its own identities and the
    queries that show one of them (truth cut down to the half), plus half of the photos that show
    no identity at all."""

    root: Path
    kind: str  # e.g. "plvm-bench" | "manifest"
    identities: tuple[EvalIdentity, ...]
    queries: tuple[EvalQuery, ...]
    visual_questions: tuple[ChoiceQuestion, ...] = ()
    text_questions: tuple[ChoiceQuestion, ...] = ()

    @classmethod
    def from_bench(cls, bench: Bench) -> "EvalSet":
        identities = tuple(EvalIdentity(i.name, i.reference) for i in bench.identities)
        queries = tuple(EvalQuery(q, frozenset({i.name})) for i in bench.identities for q in i.queries)
        return cls(bench.root, "plvm-bench", identities, queries, bench.visual_questions, bench.text_questions)

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def concept(self, identity: EvalIdentity) -> ConceptImage:
        return ConceptImage(concept_name(identity.name), identity.reference, identity.face_box)

    def limit(self, identities: int | None) -> "EvalSet":
        """The first N identities (sorted by name), their queries and questions."""
        if not identities:
            return self
        keep = {i.name for i in sorted(self.identities, key=lambda i: i.name)[:identities]}
        return self._restrict(keep, include_empty=lambda q: True)

    def part(self, part: str) -> "EvalSet":
        if part not in PARTS:
            raise ValueError(f"unknown part {part!r}; choose one of {', '.join(PARTS)}")
        if part == "all":
            return self
        keep = {i.name for i in self.identities if _half(i.name) == part}
        return self._restrict(keep, include_empty=lambda q: _half(self.relative(q.path)) == part)

    def _restrict(self, keep: set[str], include_empty) -> "EvalSet":
        queries = []
        for q in self.queries:
            if q.truth & keep or (not q.truth and include_empty(q)):
                queries.append(replace(q, truth=q.truth & keep, unscored=q.unscored & keep))
        return replace(
            self,
            identities=tuple(i for i in self.identities if i.name in keep),
            queries=tuple(queries),
            visual_questions=tuple(q for q in self.visual_questions if q.identity in keep),
            text_questions=tuple(q for q in self.text_questions if q.identity in keep),
        )


def _half(key: str) -> str:
    return "tune" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "holdout"


def concept_name(identity: str) -> str:
    return f"<{identity}>"


def open_image(path: Path):
    """RGB and upright (EXIF orientation applied): the photo as a viewer shows it."""
    from PIL import Image, ImageOps

    try:  # HEIC/HEIF photos, where pillow-heif is installed
        from pillow_heif import register_heif_opener

        register_heif_opener()
    except ImportError:
        pass
    with Image.open(path) as im:
        try:
            im = ImageOps.exif_transpose(im)
        except Exception:  # a broken EXIF block must not lose the photo
            pass
        return im.convert("RGB")


# --- engines ---------------------------------------------------------------------------------------
@runtime_checkable
class RecognitionEngine(Protocol):
    def recognize(self, image, concepts: Sequence[ConceptImage]) -> Sequence[float]: ...


@runtime_checkable
class ChoiceEngine(Protocol):
    def choose(self, image, question: str, options: Mapping[str, str], concepts: Sequence[ConceptImage]): ...


# --- results ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pair:
    query: str
    truth: list[str]
    identity: str
    verdict: bool
    score: float

    @property
    def right(self) -> bool:
        return self.verdict == (self.identity in self.truth)

    def as_json(self) -> dict:
        truth = self.truth[0] if len(self.truth) == 1 else self.truth
        return {"query": self.query, "truth": truth, "identity": self.identity, "verdict": self.verdict,
                "score": round(self.score, 6)}


@dataclass
class Recognition:
    pairs: list[Pair] = field(default_factory=list)

    def _acc(self, positive: bool) -> tuple[float, int]:
        chosen = [p for p in self.pairs if (p.identity in p.truth) == positive]
        return (sum(p.right for p in chosen) / len(chosen) if chosen else 0.0), len(chosen)

    @property
    def positive(self) -> float:
        return self._acc(True)[0]

    @property
    def negative(self) -> float:
        return self._acc(False)[0]

    @property
    def n_positive(self) -> int:
        return self._acc(True)[1]

    @property
    def n_negative(self) -> int:
        return self._acc(False)[1]

    @property
    def mean(self) -> float:
        return (self.positive + self.negative) / 2

    def as_dict(self) -> dict:
        return {"positive": self.positive, "negative": self.negative, "mean": self.mean,
                "n_positive": self.n_positive, "n_negative": self.n_negative,
                "errors": [p.as_json() for p in self.pairs if not p.right]}


@dataclass
class Choices:
    total: int = 0
    answered: int = 0
    right: int = 0
    answers: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.answered if self.answered else 0.0

    @property
    def coverage(self) -> float:
        return self.answered / self.total if self.total else 0.0

    def add(self, record: dict) -> None:
        self.total += 1
        self.answers.append(record)
        if record["answer"] is not None:
            self.answered += 1
            self.right += record["answer"] == record["correct"]

    def as_dict(self, answers: bool = True) -> dict:
        data = {"accuracy": self.accuracy, "coverage": self.coverage, "answered": self.answered,
                "total": self.total, "right": self.right}
        return {**data, "answers": self.answers} if answers else data


@dataclass
class EvalReport:
    dataset: str
    engine: str
    part: str
    identities: int
    queries: int
    recognition: Recognition
    visual: Choices
    text: Choices
    subsets: dict[str, Choices] = field(default_factory=dict)  # named parts of the visual questions
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"dataset": self.dataset, "engine": self.engine, "part": self.part, "identities": self.identities,
                "queries": self.queries, "recognition": self.recognition.as_dict(), "visual_qa": self.visual.as_dict(),
                **{f"{name}_qa": c.as_dict(answers=False) for name, c in self.subsets.items()},
                "text_qa": self.text.as_dict(), "notes": self.notes}

    def table(self) -> str:
        """The paper's table (Positive / Negative / Mean, text-only and visual QA) with coverage."""
        r = self.recognition

        def pct(x: float) -> str:
            return f"{100 * x:5.1f}"

        def qa(c: Choices) -> str:
            return f"{pct(c.accuracy) if c.answered else '    -'} ({c.answered}/{c.total})"

        lines = [
            f"{self.dataset} [{self.part}]: {self.identities} identities, {self.queries} query photos, "
            f"engine {self.engine}",
            f"{'Method':<12}| {'Positive':>8} {'Negative':>8} {'Mean':>6} | {'Text-only QA (answered)':>24} | "
            f"{'Visual QA (answered)':>21}",
            f"{self.engine:<12}| {pct(r.positive):>8} {pct(r.negative):>8} {pct(r.mean):>6} | {qa(self.text):>24} | "
            f"{qa(self.visual):>21}",
            f"recognition pairs: {r.n_positive} positive, {r.n_negative} negative; "
            f"errors: {sum(not p.right for p in r.pairs)}",
        ]
        for name, c in self.subsets.items():
            if c.total:
                lines.append(f"{name} visual questions: accuracy {pct(c.accuracy).strip()} on {c.answered} answered "
                             f"of {c.total}; {pct(c.right / c.total).strip()} counting abstentions as wrong")
        return "\n".join(lines + [f"note: {n}" for n in self.notes])

    def pair_lines(self) -> list[str]:
        """Every recognition pair as a JSON line (``eval --pairs``)."""
        return [json.dumps(pair.as_json(), ensure_ascii=False) for pair in self.recognition.pairs]


# --- the protocol ----------------------------------------------------------------------------------
def evaluate_recognition(engine: RecognitionEngine, data: EvalSet, threshold: float = THRESHOLD,
                         progress: Callable[[int, int], None] | None = None) -> Recognition:
    concepts = [data.concept(i) for i in data.identities]
    result = Recognition()
    for n, query in enumerate(data.queries):
        scores = list(engine.recognize(open_image(query.path), concepts))
        if len(scores) != len(concepts):
            raise ValueError(f"engine returned {len(scores)} scores for {len(concepts)} concepts")
        for identity, score in zip(data.identities, scores):
            if identity.name in query.unscored:
                continue
            result.pairs.append(Pair(data.relative(query.path), sorted(query.truth), identity.name,
                                     float(score) >= threshold, float(score)))
        if progress:
            progress(n + 1, len(data.queries))
    return result


def evaluate_choices(engine, data: EvalSet, questions: Sequence[ChoiceQuestion]) -> Choices:
    result = Choices()
    choose = getattr(engine, "choose", None)
    references = {i.reference: i for i in data.identities}
    for q in questions:
        identity = references.get(q.reference, EvalIdentity(q.identity, q.reference))
        concept = data.concept(identity)
        letter = None
        if choose is not None:
            picked = choose(open_image(q.query) if q.query else None, q.question.replace("<sks>", concept.name),
                            q.options, [concept])
            letter = getattr(picked, "letter", picked)
        result.add({"query": data.relative(q.query) if q.query else None, "identity": q.identity,
                    "question": q.question, "answer": letter, "correct": q.answer})
    return result


def evaluate(engine, data: str | Path | Bench | EvalSet, *, engine_name: str = "", part: str = "all",
             threshold: float = THRESHOLD, progress: Callable[[int, int], None] | None = None,
             subsets: Mapping[str, Callable[[ChoiceQuestion], bool]] | None = None) -> EvalReport:
    """Run the protocol. Multiple-choice questions count as abstained for an engine without
    ``choose``."""
    if isinstance(data, (str, Path)):
        data = load_bench(data)
    if isinstance(data, Bench):
        data = EvalSet.from_bench(data)
    recognition = evaluate_recognition(engine, data, threshold, progress)
    visual = evaluate_choices(engine, data, data.visual_questions)
    text = evaluate_choices(engine, data, data.text_questions)
    parts: dict[str, Choices] = {}
    for name, belongs in (subsets or {}).items():
        parts[name] = Choices()
        for q, record in zip(data.visual_questions, visual.answers):
            if belongs(q):
                parts[name].add(record)
    notes = [f"no usable reference for <{k}>: {why}" for k, why in sorted(getattr(engine, "unusable", {}).items())]
    return EvalReport(str(data.root), engine_name or type(engine).__name__, part, len(data.identities),
                      len(data.queries), recognition, visual, text, parts, notes)
