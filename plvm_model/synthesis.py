"""Section 3.3 data synthesis: IP-Adapter images of a reference face, kept only when they pass
CLIP image-text similarity >= 0.2 and face similarity >= 0.5.

``diffusers`` (the ``synth`` extra) is imported only by :class:`IPAdapterGenerator`. The paper's
face similarity is ArcFace (Deng et al., 2019); where ArcFace is not installed, pass any
``face_similarity(reference, image) -> float`` - e.g. the application's dlib face descriptor
(``1 - distance`` or cosine similarity of the 128-d vectors; re-check the 0.5 threshold for that
scale, dlib distances of the same person are ~0.05-0.25). The output folder follows the training
layout of :mod:`plvm_model.data` (``<identity>/ref.jpg``, ``<identity>/query/*.jpg``).
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, Sequence

from PIL import Image

CLOTHING = ("a white shirt", "a black hoodie", "a red dress", "a denim jacket", "a grey suit",
            "a yellow raincoat", "a striped sweater", "a green t-shirt")
ACTIONS = ("reading a book", "drinking coffee", "walking", "laughing with friends", "riding a bicycle",
           "taking a selfie", "cooking", "playing guitar", "sitting on a bench", "looking at the camera")
PLACES = ("a park", "a busy street", "a cafe", "the beach", "a library", "a kitchen", "a mountain trail",
          "a train station", "an office", "a living room")


def prompt_templates(n: int = 200, seed: int = 0) -> list[str]:
    """n prompts "A person wearing <clothing> is <action> at <place>." (the paper had ChatGPT write 200)."""
    combos = list(itertools.product(CLOTHING, ACTIONS, PLACES))
    random.Random(seed).shuffle(combos)
    return [f"A person wearing {c} is {a} at {p}." for c, a, p in combos[:n]]


class ImageGenerator(Protocol):
    def __call__(self, face: Image.Image, prompt: str, seed: int) -> Image.Image: ...


SimilarityFn = Callable[[Image.Image, str], float]
FaceSimilarityFn = Callable[[Image.Image, Image.Image], float]


@dataclass
class SynthesisConfig:
    clip_threshold: float = 0.2
    face_threshold: float = 0.5
    images_per_identity: int = 20
    max_attempts: int = 60


@dataclass
class Candidate:
    prompt: str
    seed: int
    clip_similarity: float
    face_similarity: float | None  # None when the CLIP filter already rejected it
    kept: bool


@dataclass
class IdentityReport:
    identity: str
    kept: list[Path] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)


def synthesize_identity(face: Image.Image, identity: str, out_root: str | Path, prompts: Sequence[str],
                        generate: ImageGenerator, clip_similarity: SimilarityFn,
                        face_similarity: FaceSimilarityFn, config: SynthesisConfig = SynthesisConfig(),
                        seed: int = 0) -> IdentityReport:
    """Generate until ``images_per_identity`` pass both filters (or ``max_attempts`` run out)."""
    folder = Path(out_root) / identity
    (folder / "query").mkdir(parents=True, exist_ok=True)
    face.convert("RGB").save(folder / "ref.jpg")
    report = IdentityReport(identity)
    rng = random.Random(seed)
    for attempt in range(config.max_attempts):
        if len(report.kept) >= config.images_per_identity:
            break
        prompt, image_seed = rng.choice(list(prompts)), seed * 100_000 + attempt
        image = generate(face, prompt, image_seed)
        clip = float(clip_similarity(image, prompt))
        face_sim = float(face_similarity(face, image)) if clip >= config.clip_threshold else None
        kept = face_sim is not None and face_sim >= config.face_threshold
        report.candidates.append(Candidate(prompt, image_seed, clip, face_sim, kept))
        if kept:
            path = folder / "query" / f"{len(report.kept):04d}.jpg"
            image.convert("RGB").save(path)
            report.kept.append(path)
    (folder / "synthesis.json").write_text(json.dumps([c.__dict__ for c in report.candidates], indent=1))
    return report


class IPAdapterGenerator:
    """Stable Diffusion + IP-Adapter (face) through ``diffusers``; needs the ``synth`` extra and a GPU."""

    def __init__(self, base_model: str = "runwayml/stable-diffusion-v1-5", ip_adapter: str = "h94/IP-Adapter",
                 weight_name: str = "ip-adapter-full-face_sd15.bin", scale: float = 0.7, device: str = "cuda",
                 steps: int = 30):
        try:
            import torch
            from diffusers import StableDiffusionPipeline
        except ImportError as e:  # pragma: no cover - depends on the optional extra
            raise ImportError("data synthesis needs the 'synth' extra: pip install 'plvm-photos[synth]'") from e
        self.torch = torch
        self.pipe = StableDiffusionPipeline.from_pretrained(base_model, torch_dtype=torch.float16).to(device)
        self.pipe.load_ip_adapter(ip_adapter, subfolder="models", weight_name=weight_name)
        self.pipe.set_ip_adapter_scale(scale)
        self.device, self.steps = device, steps

    def __call__(self, face: Image.Image, prompt: str, seed: int) -> Image.Image:
        g = self.torch.Generator(self.device).manual_seed(seed)
        return self.pipe(prompt=prompt, ip_adapter_image=face, num_inference_steps=self.steps, generator=g).images[0]


class ClipSimilarity:
    """Cosine similarity of CLIP image and text embeddings (the paper's 0.2 threshold is on this)."""

    def __init__(self, model: str = "openai/clip-vit-large-patch14", device: str = "cpu"):
        import torch
        from transformers import CLIPModel, CLIPProcessor

        self.torch, self.device = torch, device
        self.model = CLIPModel.from_pretrained(model).to(device).eval()
        self.processor = CLIPProcessor.from_pretrained(model)

    def __call__(self, image: Image.Image, prompt: str) -> float:
        inputs = self.processor(text=[prompt], images=[image], return_tensors="pt", padding=True).to(self.device)
        with self.torch.no_grad():
            img = self.model.get_image_features(pixel_values=inputs["pixel_values"])
            txt = self.model.get_text_features(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"])
        img = getattr(img, "pooler_output", img)
        txt = getattr(txt, "pooler_output", txt)
        return float(self.torch.nn.functional.cosine_similarity(img, txt).item())
