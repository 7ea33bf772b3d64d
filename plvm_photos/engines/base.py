"""The engine protocol: what every engine does for the library, and the values that cross it.

An engine turns images into what the library stores and decides "is <concept> in this photo?":

- ``analyzer()``: a picklable object that turns a decoded photo into regions (box, kind, vector);
  it runs in worker processes, or in this process where the engine's models are too big to load
  once per worker (``Analyzer.in_process``).
- ``describe_reference(image, kind, face)``: the vectors (and artefacts) kept for one reference
  photo of a concept; vectors live in the engine's ``spaces``, whose FAISS indexes give the
  photos a new concept must be decided on (the prefilter).
- ``concepts(references)``: the registered concepts as this engine decides with them, made from
  ``References`` (what the library stores about them, loaded by ``indexing.concepts``): engines
  compute, they never read the database.
- ``decide(photo, concepts, changed)``: every verdict of one photo and its caption.
- ``visual()``: the engine's answers to questions about what is seen (None when it has none).
- ``suggest(concepts, concept_id, faces)``: the face it would offer as "is this <x>?".

Boxes are ``(left, top, right, bottom)`` in pixels of the photo as displayed: after EXIF
orientation and at full size (never at the reduced decode scale).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping, Protocol, Sequence

import numpy as np

from plvm_photos.store.spaces import VectorSpace

if TYPE_CHECKING:
    from plvm_photos.engines.face.cues import PersonCues
    from plvm_photos.imaging import DecodedImage

Box = tuple[int, int, int, int]


# --- photos ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    """One thing found in a photo: for the face engine, one face."""

    box: Box
    score: float  # the detector's confidence (dlib HOG: SVM margin; higher is surer)
    vector: np.ndarray  # float32, in the space of the region's kind
    kind: str = "face"
    # What the face engine's people-pose stage saw of this person (stored as ``regions.pose``);
    # None where the stage did not run.
    cues: PersonCues | None = None


@dataclass(frozen=True)
class Analysis:
    """Everything an engine found in one photo."""

    width: int  # displayed size at full resolution
    height: int
    regions: list[Region] = field(default_factory=list)


class Analyzer(Protocol):
    """Picklable: sent to worker processes, where ``analyze`` runs (unless ``in_process``)."""

    max_side: int  # photos are decoded with their long side at most this many pixels
    in_process: bool  # True: run in the deciding process (models too big to load per worker)
    # Optional ``num_gpus: float``: GPUs one worker needs on a Ray cluster (``gpus_wanted``; 0 when absent).
    # Optional ``preload: tuple[str, ...]``: modules the workers' fork server imports once, so that
    # what they load at import is in every worker from the start (``indexing/pool.py``).

    def warm_up(self) -> None: ...

    def analyze(self, image: DecodedImage) -> Analysis: ...


def gpus_wanted(analyzer: Analyzer) -> float:
    """GPUs one Ray worker of this analyzer needs (an analyzer says so with ``num_gpus``)."""
    return float(getattr(analyzer, "num_gpus", 0) or 0)


# --- concepts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReferenceVector:
    """One vector of a reference, stored as a ``concept_references`` row tagged ``tag``."""

    tag: str  # the ``reference_tag`` of one of the engine's spaces
    box: Box  # the part of the reference photo it describes
    vector: np.ndarray
    prefilter: bool = True  # whether new concepts are prefiltered by it (hybrid: faces only)


@dataclass(frozen=True)
class DescribedReference:
    box: Box  # the part of the reference photo that shows the concept
    vectors: tuple[ReferenceVector, ...]
    artefacts: object | None = None  # engine-specific, kept with ``Engine.keep_artefacts``


# --- what the library stores about its concepts, as engines read it ------------------------------
@dataclass(frozen=True)
class StoredConcept:
    id: int
    name: str  # its key: how commands name it (``plvm-photos add-reference NAME``)
    display: str  # the name as the user wrote it: what captions, prompts and messages show
    kind: str  # person, pet, object


@dataclass(frozen=True)
class StoredReference:
    """One stored reference vector (a ``concept_references`` row)."""

    concept_id: int
    tag: str  # the ``reference_tag`` of the space it lives in (``ReferenceVector.tag``)
    image: str  # the reference copy it describes (a file name in the library's references/)
    vector: np.ndarray


@dataclass(frozen=True)
class ConfirmedFace:
    """A face the user named: its person and its vector."""

    concept_id: int
    vector: np.ndarray


@dataclass(frozen=True)
class References:
    """Everything an engine's concepts are made from, loaded from the library by
    ``indexing.concepts.load_references`` (engines never read the database themselves)."""

    concepts: tuple[StoredConcept, ...]  # every registered concept, by id
    vectors: tuple[StoredReference, ...]  # every reference vector, by concept id, then as stored
    # Faces the user confirmed, oldest first; loaded only for an engine whose
    # ``confirmed_faces_are_references`` (left empty otherwise).
    confirmed_faces: tuple[ConfirmedFace, ...] = ()

    def names(self) -> dict[int, str]:
        return {c.id: c.display for c in self.concepts}


@dataclass(frozen=True)
class Concepts:
    """The registered concepts as one engine decides with them: what ``Engine.concepts`` returns
    and ``decide``, ``with_references``, ``without``, ``suggest`` and ``VisualAnswers.check`` take.
    Each engine adds what it decides with (face: reference descriptors per person)."""

    names: Mapping[int, str]  # every registered concept's display name, by id

    def decided(self) -> frozenset[int]:
        """The concepts this engine can decide (others lack a reference of its kind)."""
        raise NotImplementedError


@dataclass(frozen=True)
class NearFace:
    """A face an engine would offer as a concept ("is this <x>?"), and how far it is."""

    region_key: int
    distance: float


# --- decisions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredRegion:
    """A region as a decision sees it: ``key`` is its id, or its position before it is stored."""

    key: int
    kind: str
    box: Box
    vector: np.ndarray


@dataclass(frozen=True)
class Verdict:
    """The answer to "is <concept> in this photo?"."""

    present: bool
    score: float  # P(present) in [0, 1]; 0.5 is the decision boundary
    region_key: int | None  # the region that matched, when present
    distance: float | None = None


@dataclass(frozen=True)
class PhotoToDecide:
    width: int
    height: int
    regions: list[StoredRegion]
    # (region key, concept id) pairs the user rejected; a region key of None rejects the photo
    rejected: frozenset[tuple[int | None, int]]
    image: Callable[[], DecodedImage]  # the pixels, decoded when first asked for
    previous: Mapping[int, Verdict] = field(default_factory=dict)  # stored verdicts, same regions
    previous_caption: str | None = None
    # (region key, concept id) pairs the user confirmed: always present, whatever the distances
    confirmed: frozenset[tuple[int, int]] = frozenset()

    def is_rejected(self, region_key: int | None, concept_id: int) -> bool:
        return (None, concept_id) in self.rejected or (region_key, concept_id) in self.rejected

    def confirmed_regions(self) -> dict[int, int]:
        """Concept id -> the region key the user confirmed it at (regions of this photo only)."""
        keys = {r.key for r in self.regions}
        return {cid: key for key, cid in self.confirmed if key in keys}


@dataclass(frozen=True)
class Decision:
    """Every verdict of one photo (concepts the prefilter passed) and its caption."""

    verdicts: dict[int, Verdict]  # by concept id
    caption: str


# --- visual questions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PresentPerson:
    """A concept decided present in a photo, where (full-size pixels)."""

    name: str  # display name
    box: Box


class VisualAnswers(Protocol):
    """What an engine that looks at pixels answers about named concepts in a photo."""

    max_concepts: int  # concepts one question may name
    photo_limit: int  # photos one question sends to the model
    threshold: float  # P(Yes) at or above which a photo answers a yes/no question

    def check(self, concepts: Concepts, concept_ids: Sequence[int]) -> None:
        """Raise a ``LibraryError`` when a concept cannot be asked about (e.g. no reference of
        this engine's kind); ``concepts``: the engine's, as registered now."""

    def open_photo(self, path: str, present: Sequence[PresentPerson]):
        """The photo at ``path`` as the model takes it; ``present``: the people decided present in
        it, with their boxes (full-size pixels), for engines that mark them."""

    def yes_probability(self, image, prompt: str, concept_ids: Sequence[int]) -> float: ...

    def answer(self, image, question: str, concept_ids: Sequence[int]) -> str: ...

    def choose(self, image, question: str, options: Mapping[str, str], concept_ids: Sequence[int]) -> str | None:
        """The letter of the option the model finds most likely (``image`` None: text only)."""


class Engine(ABC):
    name: str  # stored with what it analysed and decided (photos.engine, verdicts.engine)
    spaces: tuple[VectorSpace, ...]
    kinds: tuple[str, ...] = ("person",)  # concept kinds it can register
    face_kind: str = "face"  # the region kind of a face (counted as "faces found")
    # True: ``concepts`` holds the faces the user confirmed as references (so confirming one
    # changes the verdicts of the photos its prefilter passes, not only of its own photo).
    confirmed_faces_are_references: bool = False

    @abstractmethod
    def analyzer(self) -> Analyzer: ...

    @abstractmethod
    def describe_reference(self, image: DecodedImage, kind: str, face: int | None, label: str) -> DescribedReference:
        """The reference's vectors; ``face`` (1 = leftmost) chooses a face of a group photo.
        Raises ``NoFaceError`` / ``SeveralFacesError`` / ``BadReferenceError``."""

    @abstractmethod
    def concepts(self, references: References) -> Concepts:
        """The registered concepts as ``decide`` takes them (made once per change)."""

    @abstractmethod
    def with_references(self, concepts: Concepts, concept_id: int, name: str, kind: str,
                        references: Sequence[DescribedReference]) -> Concepts:
        """``concepts`` as they will be once these references of ``concept_id`` (a new concept's
        provisional id, or a registered one) are stored: decisions are previewed on it."""

    @abstractmethod
    def without(self, concepts: Concepts, concept_id: int) -> Concepts:
        """``concepts`` without ``concept_id`` (previewing a removal)."""

    @abstractmethod
    def decide(self, photo: PhotoToDecide, concepts: Concepts, changed: frozenset[int] | None) -> Decision:
        """All verdicts of ``photo``. ``changed`` names the concepts whose references changed
        since ``photo.previous`` was decided (None: decide everything, e.g. a new photo); an
        engine may keep the previous verdicts of the others."""

    def describe_face(self, photo_path: str, box: Box, vector: np.ndarray, label: str) -> DescribedReference:
        """A face already in the library (``box`` in ``photo_path``, described by ``vector``) as a
        reference: by default the photo is decoded and the face's surroundings described."""
        from plvm_photos.imaging import DecodedImage, decode
        from plvm_photos.positions import face_crop

        image = decode(photo_path, max_side=1600)
        left, top, right, bottom = face_crop(tuple(v * image.scale for v in box), image.pixels.shape[1], image.pixels.shape[0])
        crop = np.ascontiguousarray(image.pixels[top:bottom, left:right])
        full = image.to_full((left, top, right, bottom))
        return self.describe_reference(DecodedImage(crop, full[2] - full[0], full[3] - full[1]), "person", None, label)

    def describe_box(self, image: DecodedImage, box: Box) -> Region:
        """A face the detector missed, described from the box the user drew around it (full-size
        pixels), as a region of the engine's face kind. Engines that cannot say so."""
        from plvm_photos.errors import LibraryError

        raise LibraryError(f"the {self.name} engine cannot describe a face drawn by hand; use the face engine")

    def keep_artefacts(self, reference_image: str, described: DescribedReference) -> None:
        """Keep what ``describe_reference`` made beside the vectors (default: nothing)."""

    def forget_artefacts(self, reference_images: list[str]) -> None:
        """A concept was removed: drop what ``keep_artefacts`` kept for these references."""

    def visual(self) -> VisualAnswers | None:
        return None

    # Verdicts not present whose distance is under this are where ``suggest`` may find a face
    # (None: the engine does not decide by distance, and suggests nothing).
    near_miss_radius: float | None = None

    def suggest(self, concepts: Concepts, concept_id: int, faces: Sequence[StoredRegion]) -> NearFace | None:
        """"Is this <x>?": the face of ``faces`` (of one photo where ``concept_id`` was decided
        just too far to be present; faces nobody else holds and the user has not rejected for it)
        to offer as the concept, or None where none is near enough."""
        return None

    def space(self, tag: str) -> VectorSpace:
        return next(s for s in self.spaces if s.reference_tag == tag)
