"""Running the PLVM paper's protocol over an :class:`EvalSet` with any engine.

Recognition: every query photo against every identity; a pair is right when (P(Yes) >= 0.5) agrees
with whether the photo shows that identity (a group photo can show several; ``unscored`` pairs are
skipped). Multiple choice: an engine's ``choose`` may return None to abstain; accuracy is over the
answered questions and coverage = answered / total, so an engine that answers only what it can
prove is not mixed up with one that guesses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from plvm_model.bench_data import ChoiceQuestion
from plvm_model.evaluation import ConceptImage

from plvm_photos.evaluation.data import EvalSet

THRESHOLD = 0.5


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
    def mean(self) -> float:
        return (self.positive + self.negative) / 2

    def as_dict(self) -> dict:
        return {"positive": self.positive, "negative": self.negative, "mean": self.mean,
                "n_positive": self._acc(True)[1], "n_negative": self._acc(False)[1],
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

    def as_dict(self) -> dict:
        return {"accuracy": self.accuracy, "coverage": self.coverage, "answered": self.answered,
                "total": self.total, "right": self.right, "answers": self.answers}


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
    notes: list[str] = field(default_factory=list)
    spatial: Choices = field(default_factory=Choices)  # the visual questions about position and presence

    def as_dict(self) -> dict:
        spatial = {k: v for k, v in self.spatial.as_dict().items() if k != "answers"}
        return {"dataset": self.dataset, "engine": self.engine, "part": self.part, "identities": self.identities,
                "queries": self.queries, "recognition": self.recognition.as_dict(), "visual_qa": self.visual.as_dict(),
                "spatial_qa": spatial, "text_qa": self.text.as_dict(), "notes": self.notes}

    def table(self) -> str:
        r = self.recognition
        def pct(x: float) -> str:
            return f"{100 * x:5.1f}"

        def qa(c: Choices) -> str:
            acc = pct(c.accuracy) if c.answered else "    -"
            return f"{acc} ({c.answered}/{c.total})"

        head = (f"{self.dataset} [{self.part}]: {self.identities} identities, {self.queries} query photos, "
                f"engine {self.engine}")
        lines = [
            head,
            f"{'Method':<12}| {'Positive':>8} {'Negative':>8} {'Mean':>6} | {'Text-only QA (answered)':>24} | "
            f"{'Visual QA (answered)':>21}",
            f"{self.engine:<12}| {pct(r.positive):>8} {pct(r.negative):>8} {pct(r.mean):>6} | {qa(self.text):>24} | "
            f"{qa(self.visual):>21}",
            f"recognition pairs: {r._acc(True)[1]} positive, {r._acc(False)[1]} negative; "
            f"errors: {sum(not p.right for p in r.pairs)}",
        ]
        sp = self.spatial
        if sp.total:
            lines.append(f"spatial visual questions (where / which person / is <sks> here): accuracy "
                         f"{pct(sp.accuracy).strip()} on {sp.answered} answered of {sp.total}; "
                         f"{pct(sp.right / sp.total).strip()} counting abstentions as wrong")
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


def open_image(path: Path):
    """RGB, upright (EXIF orientation applied): the photo as a viewer shows it."""
    from PIL import Image, ImageOps

    from plvm_photos.imaging import _register_heif

    _register_heif()
    with Image.open(path) as im:
        try:
            im = ImageOps.exif_transpose(im)
        except Exception:
            pass
        return im.convert("RGB")


def concept_of(identity: str, reference: Path) -> ConceptImage:
    return ConceptImage(f"<{identity}>", reference)


def run_recognition(engine, data: EvalSet, progress: Callable[[int, int], None] | None = None) -> Recognition:
    concepts = [concept_of(i.name, i.reference) for i in data.identities]
    result = Recognition()
    for n, query in enumerate(data.queries):
        scores = list(engine.recognize(open_image(query.path), concepts))
        if len(scores) != len(concepts):
            raise ValueError(f"engine returned {len(scores)} scores for {len(concepts)} concepts")
        for ident, score in zip(data.identities, scores):
            if ident.name in query.unscored:
                continue
            result.pairs.append(Pair(data.relative(query.path), sorted(query.truth), ident.name,
                                     float(score) >= THRESHOLD, float(score)))
        if progress:
            progress(n + 1, len(data.queries))
    return result


def run_choices(engine, data: EvalSet, questions: Sequence[ChoiceQuestion]) -> Choices:
    result = Choices(total=len(questions))
    choose = getattr(engine, "choose", None)
    if choose is None:
        return result
    for q in questions:
        concept = concept_of(q.identity, q.reference)
        picked = choose(open_image(q.query) if q.query else None, q.question.replace("<sks>", concept.name),
                        q.options, [concept])
        letter = getattr(picked, "letter", picked)
        record = {"query": data.relative(q.query) if q.query else None, "identity": q.identity,
                  "question": q.question, "answer": letter, "correct": q.answer}
        result.answers.append(record)
        if letter is None:
            continue
        result.answered += 1
        result.right += letter == q.answer
    return result


def spatial_subset(visual: Choices, questions: Sequence[ChoiceQuestion]) -> Choices:
    """The visual questions about where <sks> is or whether <sks> is there (``question_kind``), by the
    question's text and options alone, so every engine is scored on the same subset."""
    from plvm_photos.evaluation.spatial import question_kind

    result = Choices()
    for q, record in zip(questions, visual.answers):
        if question_kind(q.question, q.options) is None:
            continue
        result.total += 1
        result.answers.append(record)
        if record["answer"] is not None:
            result.answered += 1
            result.right += record["answer"] == record["correct"]
    return result


def run(engine, data: EvalSet, engine_name: str, part: str = "all",
        progress: Callable[[int, int], None] | None = None) -> EvalReport:
    recognition = run_recognition(engine, data, progress)
    visual = run_choices(engine, data, data.visual_questions)
    text = run_choices(engine, data, data.text_questions)
    notes = [f"no usable face in the reference of <{k}>: {why}" for k, why in getattr(engine, "unusable", {}).items()]
    return EvalReport(str(data.root), engine_name, part, len(data.identities), len(data.queries),
                      recognition, visual, text, notes, spatial_subset(visual, data.visual_questions))


def write_pairs(report: EvalReport, path: Path) -> None:
    with open(path, "w") as fh:
        for pair in report.recognition.pairs:
            fh.write(json.dumps(pair.as_json(), ensure_ascii=False) + "\n")
