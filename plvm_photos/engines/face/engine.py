"""The offline default engine: dlib's HOG face detector with MTCNN beside it, 5-point alignment,
and dlib's ResNet descriptor run batched on numpy (``resnet.py``).

dlib's weights come from the ``face-recognition-models`` package (``weights.py``), MTCNN's from
``mtcnn``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from plvm_photos.engines.base import (
    Analysis,
    Decision,
    DescribedReference,
    Engine,
    NearFace,
    PhotoToDecide,
    ReferenceVector,
    References,
    Region,
    Verdict,
)
from plvm_photos.engines.face.boxes import NEW_FACE_MAX_IOU, hog_like_box, mtcnn_like_box  # noqa: F401 (API)
from plvm_photos.engines.face.decide import DecisionRule, FaceVector, PersonVectors, decide_photo, distance_matrix
from plvm_photos.engines.face.people import RegisteredPeople
from plvm_photos.engines.face.space import DESCRIPTOR_DIM, FACE_KIND, FACE_SPACE, FACE_TAG
from plvm_photos.engines.face.weights import models_dir
from plvm_photos.errors import BadReferenceError, NoFaceError, SeveralFacesError
from plvm_photos.imaging import DecodedImage
from plvm_photos.positions import PlacedPerson, caption, face_crop, iou, merge_overlapping

__all__ = ["DESCRIPTOR_DIM", "FaceAnalyzer", "FaceEngine", "FaceEngineConfig", "NoFaceError", "SeveralFacesError"]


@lru_cache(maxsize=1)
def dlib_models():
    """dlib's HOG detector and 5-point shape model (the descriptor network runs on numpy:
    ``resnet.py``, same weights, batched)."""
    import dlib

    folder = models_dir()
    return _frontal_face_detector(), dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat"))


def _frontal_face_detector():
    """dlib's HOG face detector. ``get_frontal_face_detector`` rebuilds it from source text each
    time (~0.85 CPU s, paid by every analysis worker); saved once to the user's cache folder it
    loads in milliseconds, and detects exactly the same."""
    import dlib

    from plvm_photos.user_cache import cache_dir, write_atomically

    cached = cache_dir() / f"frontal_face_detector-dlib-{dlib.__version__}.svm"
    if cached.is_file():
        try:
            return dlib.fhog_object_detector(str(cached))
        except RuntimeError:  # a damaged cache file: made again below
            pass
    detector = dlib.get_frontal_face_detector()
    try:
        write_atomically(cached, detector.save)
    except (OSError, RuntimeError):
        pass  # no writable cache: every process builds it
    return detector


@lru_cache(maxsize=1)
def dlib_descriptor_model():
    """dlib's own ResNet descriptor: what ``resnet.py`` reproduces; tests and benchmarks compare
    against it, the engine does not use it."""
    import dlib

    return dlib.face_recognition_model_v1(str(models_dir() / "dlib_face_recognition_resnet_model_v1.dat"))


@dataclass
class FaceEngineConfig:
    max_side: int = 1024  # long side of the decoded image the detector sees
    upsample: int = 1  # HOG pyramid upsampling: finds faces down to ~40 px at 1
    min_detector_score: float = 0.0  # HOG SVM margin (dlib's own cut); below it, mostly false faces
    jitters: int = 0  # descriptor jitters for photos (references use more)
    reference_jitters: int = 10
    # A reference where the first pass finds no face gets a second HOG pass at this upsampling
    # (faces down to ~20 px); only references, so scanning photos costs nothing more.
    reference_retry_upsample: int = 2
    # MTCNN beside HOG: it finds the turned and partly hidden faces HOG misses (``mtcnn.py``).
    # Its faces that overlap no HOG face are added; about 0.08 CPU s more per 1024 px photo.
    second_detector: bool = True
    second_min_face: int = 40  # px in the decoded image, as HOG at upsample 1
    second_min_score: float = 0.95  # O-Net probability; below it, the extras are mostly not faces
    # With MTCNN beside it, HOG upsamples (4x the work) only where MTCNN saw a face smaller than
    # this (px in the decoded image): without upsampling HOG finds faces from ~80 px. On the
    # library's 108 photos that is 26 photos, and every labelled face is still found.
    upsample_below: int = 100
    # ... the whole photo where one of those is smaller than this: faces under MTCNN's 40 px
    # floor, which only HOG upsampled finds, are likely there (the library's labelled 36 px face
    # sits beside MTCNN's 44 and 52 px ones). Otherwise only the regions around the small faces
    # are upsampled and the photo is searched at its own scale: half the HOG work on the 50
    # photos of ../shared/data with a small face, every labelled face still found.
    upsample_whole_below: int = 60
    # ... and runs on the photo at half size (a quarter of the work; faces from ~160 px) where
    # every face MTCNN saw is at least this wide: 45 of the 108, where it finds the same faces.
    halve_above: int = 200
    # The people-pose stage (``people_pose.py``, the [pose] extra): face mesh, irises and upper
    # body of every face found, for the judgements of what people do (``interaction.py``).
    pose: bool = False


def with_new_faces(found: list, extra: list) -> list:
    """``found`` (box, score) pairs plus those of ``extra`` that overlap none of them."""
    return found + [(b, s) for b, s in extra if all(iou(b, seen) <= NEW_FACE_MAX_IOU for seen, _ in found)]


class FaceAnalyzer:
    """Detection and description: picklable (a config only), run in worker processes."""

    in_process = False
    preload = ("plvm_photos.engines.face.preload",)  # AnalysisPool's fork server loads the models

    def __init__(self, config: FaceEngineConfig | None = None):
        self.config = config or FaceEngineConfig()

    @property
    def max_side(self) -> int:
        return self.config.max_side

    def warm_up(self) -> None:
        from plvm_photos.engines.face.resnet import ResNetDescriptor

        dlib_models()
        ResNetDescriptor.load()
        if self.config.second_detector:
            from plvm_photos.engines.face.mtcnn import net_weights

            net_weights()
        if self.config.pose:
            from plvm_photos.engines.face import landmark_models

            landmark_models.warm_up()

    def _hog_boxes(self, pixels: np.ndarray, upsample: int) -> list[tuple[tuple[int, int, int, int], float]]:
        detector = dlib_models()[0]
        rects, scores, _ = detector.run(pixels, upsample, self.config.min_detector_score)
        return [((r.left(), r.top(), r.right(), r.bottom()), float(s)) for r, s in zip(rects, scores)]

    def _hog_boxes_guided(self, pixels: np.ndarray, seen: list) -> list[tuple[tuple[int, int, int, int], float]]:
        """HOG at the scale the faces MTCNN saw (``seen``) need: upsampled where one is small (the
        whole photo, or around the small faces: ``_hog_boxes_around``), at half size where all
        are large, else as decoded. MTCNN finds all but a few of HOG's faces,
        so its sizes tell how much HOG work a photo needs (detection costs as much as the rest of
        the analysis)."""
        config = self.config
        smallest = min((box[2] - box[0] for box, _ in seen), default=None)
        if smallest is None:
            return self._hog_boxes(pixels, 0)
        if smallest < config.upsample_whole_below:
            return self._hog_boxes(pixels, config.upsample)
        if smallest < config.upsample_below:
            return self._hog_boxes_around(pixels, [box for box, _ in seen if box[2] - box[0] < config.upsample_below])
        if smallest >= config.halve_above:
            from PIL import Image

            half = np.asarray(Image.fromarray(pixels).reduce(2))
            return [((2 * a, 2 * b, 2 * c, 2 * d), s) for (a, b, c, d), s in self._hog_boxes(half, 0)]
        return self._hog_boxes(pixels, 0)

    def _hog_boxes_around(self, pixels: np.ndarray, small: list) -> list[tuple[tuple[int, int, int, int], float]]:
        """HOG upsampled in the regions around the ``small`` faces (three times their size), and
        at the photo's own scale over the whole photo, where it finds the larger faces; a face
        found both ways is taken from the upsampled region. Where the regions cover over half
        the photo (a group of small faces), the whole photo is upsampled instead."""
        height, width = pixels.shape[:2]
        regions = merge_overlapping([face_crop(box, width, height, margin=3.0) for box in small])
        if sum((x2 - x1) * (y2 - y1) for x1, y1, x2, y2 in regions) > width * height / 2:
            return self._hog_boxes(pixels, self.config.upsample)
        found = [((a + x1, b + y1, c + x1, d + y1), score) for x1, y1, x2, y2 in regions
                 for (a, b, c, d), score in self._hog_boxes(np.ascontiguousarray(pixels[y1:y2, x1:x2]), self.config.upsample)]
        return with_new_faces(found, self._hog_boxes(pixels, 0))

    # --- the stages of ``analyze``: detect (mtcnn_faces, then hog_faces), landmarks, describe --------
    # Public so that tools time the very calls ``analyze`` makes (benchmarks/bench_indexing.py).
    def mtcnn_faces(self, pixels: np.ndarray) -> list[tuple[tuple[int, int, int, int], float]] | None:
        """MTCNN's confident faces as HOG-like boxes (None: the second detector is off); their
        score is the probability minus 1 (<= 0), so a stored region tells which detector found it
        (HOG margins are >= 0)."""
        if not self.config.second_detector:
            return None
        from plvm_photos.engines.face.mtcnn import MtcnnDetector

        found = MtcnnDetector(min_face=self.config.second_min_face).detect(pixels)
        return [(hog_like_box(d.box), d.score - 1.0) for d in found if d.score >= self.config.second_min_score]

    def hog_faces(self, pixels: np.ndarray, seen: list | None) -> list[tuple[tuple[int, int, int, int], float]]:
        """HOG's faces at the scale the faces MTCNN saw (``seen``) need, and those of ``seen`` HOG
        missed; without a second detector (``seen`` None), HOG alone at ``upsample``."""
        if seen is None:
            return self._hog_boxes(pixels, self.config.upsample)
        return with_new_faces(self._hog_boxes_guided(pixels, seen), seen)

    def detect(self, pixels: np.ndarray) -> list[tuple[tuple[int, int, int, int], float]]:
        """Every face of a photo, (box, score) in the decoded image's pixels."""
        return self.hog_faces(pixels, self.mtcnn_faces(pixels))

    def landmarks(self, pixels: np.ndarray, faces) -> list:
        """dlib's 5-point shape of each face (``faces``: (box, score) pairs)."""
        import dlib

        shaper = dlib_models()[1]
        return [shaper(pixels, dlib.rectangle(*box)) for box, _ in faces]

    def describe(self, image: DecodedImage, faces, shapes: list, jitters: int) -> list[Region]:
        """Each face's aligned chip described by the ResNet, all faces of the photo in one batch,
        on one BLAS thread (``blas.py``); regions in full-size pixels, left to right. With
        ``jitters``, the jitter is seeded by the chip: the same face gives the same descriptor in
        any process, after anything."""
        from plvm_photos.engines.face.blas import one_blas_thread
        from plvm_photos.engines.face.resnet import ResNetDescriptor, face_chips

        with one_blas_thread():
            vectors = ResNetDescriptor.load().describe(face_chips(image.pixels, shapes), jitters)
        regions = [Region(box=image.to_full(box), score=score, vector=vector)
                   for (box, score), vector in zip(faces, vectors)]
        regions.sort(key=lambda r: (r.box[0], r.box[1]))
        return regions

    def _described(self, image: DecodedImage, faces, jitters: int) -> list[Region]:
        return self.describe(image, faces, self.landmarks(image.pixels, faces), jitters)

    def analyze(self, image: DecodedImage) -> Analysis:
        faces = self.detect(image.pixels)
        regions = self.describe(image, faces, self.landmarks(image.pixels, faces), self.config.jitters)
        if self.config.pose:
            regions = self.with_cues(image, regions)
        return Analysis(width=image.full_width, height=image.full_height, regions=regions)

    def with_cues(self, image: DecodedImage, regions: list[Region]) -> list[Region]:
        """The people-pose stage: ``regions`` with what it saw of each person (``people_cues``)."""
        return [replace(r, cues=c) for r, c in zip(regions, self.people_cues(image, [r.box for r in regions]))]

    def people_cues(self, image: DecodedImage, boxes) -> list:
        """The people-pose stage's ``PersonCues`` for the faces at ``boxes`` (full-size pixels):
        what an analysis stores with its regions, and what ``scan --pose`` adds to regions
        stored without them."""
        from plvm_photos.engines.face.people_pose import person_cues

        s = image.scale
        return person_cues(image.pixels, [tuple(v * s for v in box) for box in boxes], s)

    def describe_box(self, image: DecodedImage, box: tuple[int, int, int, int]) -> Region:
        """The face inside ``box`` (full-size pixels, drawn by the user where the detectors found
        none): its landmarks and descriptor, as for a detected face. The box is made square
        around its centre, the shape the 5-point landmark model was trained on."""
        s = image.scale
        left, top, right, bottom = (v * s for v in box)
        side = max(right - left, bottom - top)
        cx, cy = (left + right) / 2, (top + bottom) / 2
        square = (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))
        [region] = self._described(image, [(square, 0.0)], self.config.jitters)
        return Region(box=tuple(box), score=0.0, vector=region.vector)

    def faces_in_reference(self, image: DecodedImage) -> list[Region]:
        """Every face of a reference photo, left to right, described with extra jitter.

        HOG's faces first, so a small background face MTCNN would add does not make a clear
        portrait "several faces" (MTCNN's sizes only choose HOG's scale, as for photos); then HOG
        with more upsampling; then MTCNN's (a turned face)."""
        seen = self.mtcnn_faces(image.pixels) or []
        if seen:
            boxes = self._hog_boxes_guided(image.pixels, seen)
        else:
            boxes = self._hog_boxes(image.pixels, self.config.upsample)
        retry = self.config.reference_retry_upsample
        if not boxes and retry > self.config.upsample:
            boxes = self._hog_boxes(image.pixels, retry)
        if not boxes:
            boxes = seen
        return self._described(image, boxes, self.config.reference_jitters)

    def reference_face(self, image: DecodedImage, face: int | None = None) -> Region:
        """The face a reference photo shows, or face number ``face`` (1 = leftmost) of a group."""
        faces = self.faces_in_reference(image)
        if not faces:
            raise NoFaceError("no face found in the reference photo; use a photo where the face is clear and at least ~80 px wide")
        if face is None and len(faces) > 1:
            listing = ", ".join(f"{i + 1}: box {list(r.box)}" for i, r in enumerate(faces))
            raise SeveralFacesError(
                f"the reference photo has {len(faces)} faces; choose one with --face N (numbered left to right): {listing}",
                [r.box for r in faces],
            )
        index = 0 if face is None else face - 1
        if not 0 <= index < len(faces):
            raise BadReferenceError(f"--face {face} is out of range: the reference photo has {len(faces)} face(s)")
        return faces[index]


class FaceEngine(Engine):
    """The offline default: people found by their faces' descriptor distances."""

    name = "face"
    spaces = (FACE_SPACE,)
    kinds = ("person",)
    confirmed_faces_are_references = True  # RegisteredPeople.of

    def __init__(self, config: FaceEngineConfig | None = None, rule: DecisionRule | None = None):
        self.config = config or FaceEngineConfig()
        self.rule = rule or DecisionRule()
        self._analyzer = FaceAnalyzer(self.config)

    def analyzer(self) -> FaceAnalyzer:
        return self._analyzer

    def analyze(self, image: DecodedImage) -> Analysis:
        return self._analyzer.analyze(image)

    def describe_reference(self, image: DecodedImage, kind: str, face: int | None, label: str) -> DescribedReference:
        chosen = self._analyzer.reference_face(image, face)
        return DescribedReference(chosen.box, (ReferenceVector(FACE_TAG, chosen.box, chosen.vector),))

    def describe_box(self, image: DecodedImage, box) -> Region:
        return self._analyzer.describe_box(image, box)

    def describe_face(self, photo_path: str, box, vector, label: str) -> DescribedReference:
        """A stored face is its own reference: nothing is decoded."""
        return DescribedReference(tuple(box), (ReferenceVector(FACE_TAG, tuple(box), np.asarray(vector, dtype=np.float32)),))

    def concepts(self, references: References) -> RegisteredPeople:
        return RegisteredPeople.of(references)

    def with_references(self, concepts: RegisteredPeople, concept_id, name, kind, references) -> RegisteredPeople:
        new = [r.vector for ref in references for r in ref.vectors if r.tag == FACE_TAG]
        vectors = [p for p in concepts.vectors if p.concept_id != concept_id]
        old = [p.vectors for p in concepts.vectors if p.concept_id == concept_id]
        if new or old:
            vectors.append(PersonVectors(concept_id, np.concatenate(old + [np.stack(new)] if new else old)))
        vectors.sort(key=lambda p: p.concept_id)
        return RegisteredPeople(names={**concepts.names, concept_id: name}, vectors=vectors)

    def without(self, concepts: RegisteredPeople, concept_id) -> RegisteredPeople:
        return RegisteredPeople(names={k: v for k, v in concepts.names.items() if k != concept_id},
                                vectors=[p for p in concepts.vectors if p.concept_id != concept_id])

    @property
    def near_miss_radius(self) -> float:
        return self.rule.prefilter_radius  # every not-present verdict with a distance lies within it

    def suggest(self, concepts: RegisteredPeople, concept_id: int, faces) -> NearFace | None:
        """The face closest to the person's references (the first of equals), if within the
        prefilter radius."""
        person = next((p for p in concepts.vectors if p.concept_id == concept_id), None)
        if person is None or not faces:
            return None
        distances = distance_matrix([FaceVector(f.key, f.vector) for f in faces], [person])[:, 0]
        best = int(distances.argmin())
        if distances[best] < self.rule.prefilter_radius:
            return NearFace(faces[best].key, float(distances[best]))
        return None

    def decide(self, photo: PhotoToDecide, concepts: RegisteredPeople, changed: frozenset[int] | None) -> Decision:
        """Joint decisions over every registered person (one face is at most one person), so
        ``changed`` does not matter: deciding a photo from its descriptors costs microseconds."""
        faces = [r for r in photo.regions if r.kind == FACE_KIND]
        # What the user confirmed is decided already: those faces and people are not matched again.
        confirmed = {cid: key for cid, key in photo.confirmed_regions().items() if cid in concepts.names}
        taken = set(confirmed.values())
        free = [f for f in faces if f.key not in taken]
        people = [p for p in concepts.vectors if p.concept_id not in confirmed]
        rejected = frozenset(
            (face.key, cid) for face in free for person in people
            if photo.is_rejected(face.key, cid := person.concept_id)
        )
        verdicts = decide_photo([FaceVector(f.key, f.vector) for f in free], people, self.rule, rejected)
        verdicts.update({cid: Verdict(True, 1.0, key, None) for cid, key in confirmed.items()})
        box_of = {f.key: f.box for f in faces}
        placed = [PlacedPerson(concepts.names[cid], box_of[v.region_key])
                  for cid, v in verdicts.items() if v.present and v.region_key in box_of]
        return Decision(verdicts, caption(placed, len(faces) - len(placed), photo.width or 1, photo.height or 1))
