"""The ``plvm`` engine: DINOv2 global tokens for the prefilter, PLVM (Aligner + LLaVA) for the rest.

Regions of a photo are the whole photo, each face the dlib detector finds and four overlapping
crops that cover the photo; each gets DINOv2's global token, L2-normalised, so the FAISS index's
Euclidean distance d and the cosine similarity s relate as d^2 = 2 - 2s. A concept is matched by
its reference's global token ``z_ref[0]`` (the same token the Aligner's MLP heads read).

torch, transformers and plvm_model load lazily, when a method first needs them. The encoder alone
is enough to analyse photos; LLaVA loads on the first verdict, caption or answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from plvm_photos.imaging import DecodedImage
from plvm_photos.errors import LibraryError
from plvm_photos.engines.base import Analysis, Region
from plvm_photos.positions import face_crop
from plvm_photos.engines.plvm.weights import Locations, PlvmOptions, check_weights, choose_device

PHOTO, FACE, CROP = "plvm-photo", "plvm-face", "plvm-crop"
REGION_KINDS = (PHOTO, FACE, CROP)
MAX_SIDE = 1024  # photos are decoded at this long side, as for the face engine
CROP_FRACTION = 0.6  # the 2x2 covering crops overlap by 20 % of the photo in each direction
ENCODER_BATCH = 16
_LOADED: dict[tuple, object] = {}  # (locations, device, dtype) -> PLVM: one load per process


def covering_crops(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Four overlapping crops (top-left, top-right, bottom-left, bottom-right) that cover the photo."""
    cw, ch = max(1, round(width * CROP_FRACTION)), max(1, round(height * CROP_FRACTION))
    return [(x, y, x + cw, y + ch) for y in (0, height - ch) for x in (0, width - cw)]


@dataclass(frozen=True)
class ReferenceEncoding:
    """What a reference image gives: the global token for the prefilter and the Aligner outputs."""

    vector: np.ndarray  # z_ref[0], L2-normalised float32
    concept: object  # plvm_model.Concept (e_word, e_weight, context)


class PlvmModel:
    def __init__(self, options: PlvmOptions, locations: Locations | None = None):
        self.options = options
        self.locations = locations or check_weights(options)
        self.device, self.dtype_name = choose_device(options.device, options.dtype)
        self._model = None
        self._encoder = None
        self._encoder_processor = None

    # --- loading --------------------------------------------------------------------------------
    @property
    def torch_dtype(self):
        import torch

        return getattr(torch, self.dtype_name)

    def model(self):
        """The PLVM (LLaVA + Aligner), loaded on first use."""
        key = (self.locations, self.device, self.dtype_name)
        if self._model is None and key in _LOADED:
            self._model = _LOADED[key]
        if self._model is None:
            from plvm_model.lvlm import PLVM

            loc = self.locations
            try:
                self._model = PLVM.from_pretrained(
                    str(loc.aligner), lvlm=loc.lvlm, encoder=loc.encoder, dtype=self.torch_dtype, device=self.device
                ).eval()
            except (OSError, ValueError, RuntimeError, KeyError) as exc:
                raise LibraryError(
                    f"could not load the plvm model (Aligner {loc.aligner}, LLaVA {loc.lvlm}, DINOv2 {loc.encoder}): "
                    f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                ) from None
            _LOADED.clear()  # keep one model in memory, not one per configuration ever used
            _LOADED[key] = self._model
        if self._encoder is not self._model.aligner.encoder:
            self._encoder = self._model.aligner.encoder
            self._encoder_processor = self._model.encoder_processor
        return self._model

    def _encoder_parts(self):
        if self._encoder is None:
            from transformers import AutoImageProcessor, AutoModel

            from plvm_model.aligner import vision_tower

            try:
                encoder = AutoModel.from_pretrained(self.locations.encoder, dtype=self.torch_dtype)
                self._encoder_processor = AutoImageProcessor.from_pretrained(self.locations.encoder)
            except (OSError, ValueError) as exc:
                raise LibraryError(f"could not load DINOv2 from {self.locations.encoder}: {exc}") from None
            self._encoder = vision_tower(encoder).to(self.device).eval()
        return self._encoder, self._encoder_processor

    @property
    def max_concepts(self) -> int:
        return self.model().config.max_concepts

    # --- global tokens --------------------------------------------------------------------------
    def global_tokens(self, images: Sequence) -> np.ndarray:
        """(n, d) L2-normalised DINOv2 global tokens of PIL images."""
        import torch

        encoder, processor = self._encoder_parts()
        out = []
        for start in range(0, len(images), ENCODER_BATCH):
            chunk = list(images[start : start + ENCODER_BATCH])
            pixels = processor(images=chunk, return_tensors="pt").pixel_values.to(self.device, encoder.dtype)
            with torch.no_grad():
                tokens = encoder(pixel_values=pixels).last_hidden_state[:, 0].float()
            out.append(torch.nn.functional.normalize(tokens, dim=-1).cpu().numpy())
        return np.concatenate(out).astype(np.float32)

    # --- photos ---------------------------------------------------------------------------------
    def analyze(self, image: DecodedImage, faces: list[Region]) -> Analysis:
        """Regions of a photo: the whole photo, each face (boxes from ``faces``) and covering crops."""
        from PIL import Image

        pil = Image.fromarray(image.pixels)
        w, h = pil.size
        scale = image.scale
        specs: list[tuple[str, tuple[int, int, int, int], float]] = [(PHOTO, (0, 0, w, h), 1.0)]
        for face in faces:
            scaled = tuple(v * scale for v in face.box)
            specs.append((FACE, face_crop(scaled, w, h), face.score))
        specs += [(CROP, box, 1.0) for box in covering_crops(w, h)]
        vectors = self.global_tokens([pil.crop(box) for _, box, _ in specs])
        regions = [
            Region(box=image.to_full(box), score=float(score), vector=vectors[i], kind=kind)
            for i, (kind, box, score) in enumerate(specs)
        ]
        # Face regions carry the detector's own box (what "where is <x>" should point at).
        for i, face in enumerate(faces):
            regions[1 + i] = Region(box=face.box, score=face.score, vector=vectors[1 + i], kind=FACE)
        return Analysis(width=image.full_width, height=image.full_height, regions=regions)

    # --- concepts -------------------------------------------------------------------------------
    def encode_reference(self, image, name: str) -> ReferenceEncoding:
        """Global token and Aligner outputs of one reference image (a PIL image)."""
        model = self.model()
        vector = self.global_tokens([image])[0]
        [concept] = model.encode_concepts([image], [f"<{name}>"])
        return ReferenceEncoding(vector=vector, concept=concept)

    def recognize(self, image, concepts: Sequence) -> list[float]:
        """P(Yes) for each concept; the image prefix's KV cache is shared across concepts."""
        if not concepts:
            return []
        return [float(p) for p in self.model().recognize(image, list(concepts))]

    def caption(self, image, concepts: Sequence) -> str:
        model = self.model()
        return model.caption(image, list(concepts)[: model.config.max_concepts], self.options.caption_tokens)

    def answer(self, image, question: str, concepts: Sequence) -> str:
        return self.model().answer(image, question, list(concepts), self.options.caption_tokens)

    def choose(self, image, question: str, options, concepts: Sequence) -> str:
        """The option letter PLVM scores highest (``image`` None: a text-only question)."""
        return self.model().choose(image, question, options, list(concepts)).letter

    def yes_probability(self, image, question: str, concepts: Sequence) -> float:
        """P(Yes) of the first answer token for a yes/no question that may name several concepts."""
        return self.model().yes_probability(image, question, list(concepts))

    # --- stored Aligner outputs -----------------------------------------------------------------
    def checkpoint_identity(self) -> str:
        """Changes when the Aligner checkpoint does: stored Aligner outputs are tied to it."""
        heads = Path(self.locations.aligner) / "aligner_heads.safetensors"
        st = heads.stat()
        return f"{heads.resolve()}:{st.st_size}:{st.st_mtime_ns}"

    def save_concept(self, concept, path: Path) -> None:
        """Aligner outputs to a file, tagged with the checkpoint that made them."""
        concept.save(path, {"aligner": self.checkpoint_identity()})

    def load_concept(self, name: str, path: Path):
        """Aligner outputs ``save_concept`` wrote, onto the model's device; None when the file was
        made by another checkpoint (they must be computed again)."""
        from plvm_model.lvlm import Concept

        if Concept.saved_metadata(path).get("aligner") != self.checkpoint_identity():
            return None
        return Concept.load(path, f"<{name}>", self.model().device)

    def stored_form(self, concept):
        """``concept`` as it is once saved and loaded again (float32, on the model's device): a
        concept just encoded is used so, as a stored one would be."""
        from plvm_model.lvlm import Concept

        return Concept.from_tensors(concept.name, concept.to_tensors(), self.model().device)
