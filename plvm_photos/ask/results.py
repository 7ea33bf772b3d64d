"""What ``ask`` answers: a sentence and the photos it is about, as text or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PhotoAnswer:
    path: str
    people: list[str]  # display names of the people recognised, left to right
    regions: dict[str, list[int]]  # display name -> [left, top, right, bottom] ([] without a box)
    caption: str | None = None
    taken: str | None = None  # the camera's date-time, ISO 8601 (with its UTC offset where recorded)
    place: str | None = None  # "Paris, Île-de-France, France"
    kind: str = "photo"  # photo | video
    files: list[str] = field(default_factory=list)  # every present file of the item (RAW+JPEG, Live Photo)
    segments: dict[str, list[list[float]]] = field(default_factory=dict)  # a video: display name -> [[start, end], ...] s
    duration: float | None = None  # a video's, in seconds

    def as_dict(self) -> dict:
        return {"path": self.path, "people": self.people, "regions": self.regions, "taken": self.taken, "place": self.place,
                "kind": self.kind, "files": self.files or [self.path], "segments": self.segments}

    def times(self, names=None) -> str:
        """" at 0:12–0:40" in a video: when ``names`` (display names; None: everyone recognised)
        are seen; "" in a photo."""
        if self.kind != "video":
            return ""
        from plvm_photos.media.times import spans, union

        runs = union(tuple(run) for name, found in self.segments.items() if names is None or name in names for run in found)
        return f" at {spans(runs)}" if runs else ""


@dataclass(frozen=True)
class Answer:
    answer: str
    photos: list[PhotoAnswer] = field(default_factory=list)
    query: dict | None = None  # the parsed question (``Query.as_dict()``)
    understood: str | None = None  # the parsed question in words (``Query.describe()``, for --explain)

    def as_dict(self) -> dict:
        return {"answer": self.answer, "photos": [p.as_dict() for p in self.photos], "query": self.query}


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
