"""What ``ask`` answers: a sentence and the photos it is about, as text or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PhotoAnswer:
    path: str
    people: list[str]
    regions: dict[str, list[int]]
    caption: str | None = None

    def as_dict(self) -> dict:
        return {"path": self.path, "people": self.people, "regions": self.regions}


@dataclass(frozen=True)
class Answer:
    answer: str
    photos: list[PhotoAnswer] = field(default_factory=list)
    answered: bool = True

    def as_dict(self) -> dict:
        return {"answer": self.answer, "photos": [p.as_dict() for p in self.photos]}


@dataclass(frozen=True)
class VisualPhotoAnswer(PhotoAnswer):
    reply: str | None = None  # the engine's answer to an open question
    score: float | None = None  # P(Yes) of a yes/no question

    def as_dict(self) -> dict:
        data = super().as_dict()
        data.update({k: v for k, v in (("reply", self.reply), ("score", self.score)) if v is not None})
        return data


@dataclass(frozen=True)
class VisualAnswer(Answer):
    engine: str = ""
    judged: int = 0  # photos the model looked at
    selected: int = 0  # photos the stored verdicts selected

    def as_dict(self) -> dict:
        data = super().as_dict()
        data.update({"engine": self.engine, "judged": self.judged, "selected": self.selected})
        return data
