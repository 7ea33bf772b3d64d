"""The vlm engine's model: a general vision-language model that transformers loads as
``AutoModelForImageTextToText`` with its ``AutoProcessor`` (LLaVA-1.5, Qwen2-VL, SmolVLM/Idefics3
and others of that shape), prompted with its own chat template.

Every prompt is one user turn: the photo (marked, ``marking.py``), the marking's context, then the
question. Captions and open answers are generated greedily; a yes/no question is scored by the
probability of "Yes" against "No" as the first answer token, reusing the photo's image prefix
(``prefix.py``). torch and transformers load lazily, the model on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Mapping

from plvm_photos.engines.vlm.marking import DEFAULT_MARKING, MarkedPerson, Marking, mark
from plvm_photos.engines.vlm.prefix import PrefixCache
from plvm_photos.engines.vlm.weights import VlmLocation, VlmOptions, check_weights
from plvm_photos.engines.weights import choose_device
from plvm_photos.errors import LibraryError

MAX_SIDE = 1024  # photos are decoded at this long side, as for the face engine
CAPTION_PROMPT = "Describe this photo in one sentence, naming the marked people exactly as written: {names}."
CHOICE_PROMPT = "Answer with the option's letter from the given choices directly."
_LOADED: dict[tuple, tuple] = {}  # (location, device, dtype) -> (model, processor): one load per process


@dataclass(frozen=True)
class MarkedPhoto:
    """A photo as the model is asked about it."""

    image: object  # PIL RGB image
    people: tuple[MarkedPerson, ...]  # the recognised people, boxes in the image's pixels
    key: Hashable | None = None  # the photo's identity: questions about it share one image prefix


@dataclass(frozen=True)
class AnswerTokens:
    """First tokens of the answers a question is scored by (every spelling a model starts them with)."""

    yes: tuple[int, ...]
    no: tuple[int, ...]


class VlmModel:
    def __init__(self, options: VlmOptions, marking: Marking = DEFAULT_MARKING, parts: tuple | None = None):
        """``parts``: (model, processor) already in memory (benchmarks); else they are loaded from
        ``options.model`` on first use."""
        self.options = options
        self.marking = marking
        self.prefixes = PrefixCache()
        self._parts = parts
        self._answers: AnswerTokens | None = None
        if parts is not None:
            self.location = VlmLocation("(in memory)", hub=False)
            self.device, self.dtype_name = str(parts[0].device), str(parts[0].dtype).removeprefix("torch.")
        else:
            self.location = check_weights(options)  # one clear message before anything loads
            self.device, self.dtype_name = choose_device(options.device, options.dtype, "vlm")

    # --- loading --------------------------------------------------------------------------------
    def parts(self) -> tuple:
        """(model, processor), loaded on first use."""
        key = (self.location, self.device, self.dtype_name)
        if self._parts is None:
            self._parts = _LOADED.get(key)
        if self._parts is None:
            self._parts = load(self.location, self.device, self.dtype_name)
            _LOADED.clear()  # keep one model in memory, not one per configuration ever used
            _LOADED[key] = self._parts
        return self._parts

    @property
    def architecture(self) -> str:
        return self.parts()[0].config.model_type

    # --- prompts --------------------------------------------------------------------------------
    def inputs(self, photo: MarkedPhoto | None, question: str) -> dict:
        """The processor's tensors for one user turn (``photo`` None: text only), on the device."""
        import torch

        model, processor = self.parts()
        content: list[dict] = []
        images = None
        if photo is not None:
            marked = mark(photo.image, photo.people, self.marking)
            images = [square(marked.image, processor)]
            content.append({"type": "image"})
            question = marked.context + question
        content.append({"type": "text", "text": question})
        text = processor.apply_chat_template([{"role": "user", "content": content}], add_generation_prompt=True,
                                             tokenize=False)
        encoded = processor(images=images, text=[text], return_tensors="pt")
        return {k: (v.to(self.device, model.dtype) if v.is_floating_point() else v.to(self.device))
                for k, v in encoded.items() if torch.is_tensor(v)}

    def _generate(self, inputs: dict) -> str:
        import torch

        model, processor = self.parts()
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=self.options.caption_tokens, do_sample=False)
        text = processor.tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
        return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())

    # --- what the engine asks -------------------------------------------------------------------
    def caption(self, photo: MarkedPhoto) -> str:
        names = " and ".join(f"<{p.name}>" for p in photo.people) or "the people"
        return self._generate(self.inputs(photo, CAPTION_PROMPT.format(names=names)))

    def answer(self, photo: MarkedPhoto, question: str) -> str:
        return self._generate(self.inputs(photo, question))

    def yes_probability(self, photo: MarkedPhoto, question: str, use_cache: bool = True) -> float:
        """P(Yes) of the first answer token, against No. With ``use_cache`` and a photo ``key``, the
        image prefix is run once per photo and reused by later questions about it (``prefix.py``)."""
        import torch

        model, _ = self.parts()
        inputs = self.inputs(photo, question)
        if use_cache and photo.key is not None:
            logits = self.prefixes.last_logits(model, inputs, (photo.key, photo.people, self.marking))
        else:
            with torch.no_grad():
                logits = model(**inputs).logits[0, -1]
        tokens = self.answer_tokens()
        pair = torch.stack([logits[list(tokens.yes)].float().logsumexp(0), logits[list(tokens.no)].float().logsumexp(0)])
        return float(pair.softmax(0)[0])

    def choose(self, photo: MarkedPhoto | None, question: str, options: Mapping[str, str]) -> str:
        """The option letter whose token the model finds likeliest as its first answer token."""
        import torch

        model, processor = self.parts()
        listed = "\n".join(f"{letter}. {text}" for letter, text in options.items())
        inputs = self.inputs(photo, f"{question}\n{listed}\n{CHOICE_PROMPT}")
        with torch.no_grad():
            logp = model(**inputs).logits[0, -1].float().log_softmax(-1)
        scores = {letter: float(logp[list(first_tokens(processor.tokenizer, letter))].logsumexp(0)) for letter in options}
        return max(scores, key=scores.get)

    def answer_tokens(self) -> AnswerTokens:
        if self._answers is None:
            tokenizer = self.parts()[1].tokenizer
            yes, no = first_tokens(tokenizer, "Yes"), first_tokens(tokenizer, "No")
            both = yes & no  # e.g. a bare leading-space token: it says neither
            if not yes - both or not no - both:
                raise LibraryError(f"the vision-language model {self.location.path} has no token that starts "
                                   f"'Yes' apart from 'No': yes/no questions cannot be scored with it")
            self._answers = AnswerTokens(tuple(sorted(yes - both)), tuple(sorted(no - both)))
        return self._answers


def first_tokens(tokenizer, word: str) -> set[int]:
    """The first token of ``word`` as a model may start its answer with it: alone, after a space,
    lower case."""
    out = set()
    for variant in (word, " " + word, word.lower(), " " + word.lower()):
        ids = tokenizer.encode(variant, add_special_tokens=False)
        if ids:
            out.add(ids[0])
    return out


def square(image, processor):
    """LLaVA-1.5's processor centre-crops to a square, which cuts people at the sides of a wide
    photo (and their tags) off; the model was trained on photos padded to a square with the mean
    colour ("expand2square"), so such photos are padded the same way first."""
    from PIL import Image

    image_processor = getattr(processor, "image_processor", None)
    if not getattr(image_processor, "do_center_crop", False) or image.size[0] == image.size[1]:
        return image
    side = max(image.size)
    mean = tuple(int(255 * m) for m in (getattr(image_processor, "image_mean", None) or (0.5, 0.5, 0.5)))
    canvas = Image.new("RGB", (side, side), mean)
    canvas.paste(image, ((side - image.size[0]) // 2, (side - image.size[1]) // 2))
    return canvas


def load(location: VlmLocation, device: str, dtype: str) -> tuple:
    """(model, processor) from a folder or the local Hugging Face cache (never downloaded)."""
    import torch
    from transformers import AutoModelForImageTextToText

    offline = {"local_files_only": True} if location.hub else {}
    try:
        model = AutoModelForImageTextToText.from_pretrained(location.path, dtype=getattr(torch, dtype), **offline)
        model = model.to(device).eval()
        processor = _processor(location.path, model.config.model_type, offline)
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise LibraryError(f"could not load the vision-language model {location.path}: {type(exc).__name__}: {first}") from None
    if not getattr(processor, "chat_template", None):
        raise LibraryError(f"the vision-language model {location.path} has no chat template (chat_template.jinja or "
                           "chat_template.json): use an instruction-tuned checkpoint")
    return model, processor


def _processor(path: str, model_type: str, offline: dict):
    from transformers import AutoProcessor

    try:
        return AutoProcessor.from_pretrained(path, **offline)
    except ImportError as exc:
        if "torchvision" not in str(exc).lower():
            raise
    import transformers
    from transformers.models.auto.processing_auto import PROCESSOR_MAPPING_NAMES

    return images_only(getattr(transformers, PROCESSOR_MAPPING_NAMES[model_type])).from_pretrained(path, **offline)


def images_only(processor_class):
    """``processor_class`` without its video processor. transformers 5 gives some processors
    (Qwen2-VL's) one, and it needs torchvision; photos need none of it, so where torchvision is
    missing the processor is made of its other parts (which attributes a processor has is read from
    ``get_attributes``)."""

    class ImagesOnly(processor_class):
        @classmethod
        def get_attributes(cls):
            return [a for a in super().get_attributes() if a != "video_processor"]

    ImagesOnly.__name__ = ImagesOnly.__qualname__ = f"{processor_class.__name__}WithoutVideo"
    return ImagesOnly
