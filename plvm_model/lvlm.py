"""The personalised LVLM: a frozen LLaVA-family model plus the Aligner (paper Figure 2).

Concept embeddings enter the LLM through ``inputs_embeds`` (placeholder slots substituted at run
time) and leave it through extra logit columns ``h @ e_weight``, so the model can say ``<sks>``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, Sequence

import torch
from torch import nn

from . import templates
from .aligner import Aligner, AlignerOutput
from .config import PLVMConfig
from .loss import weighted_answer_loss
from .prompting import PromptBuilder, PromptIds


@dataclass
class Concept:
    """One personalised concept as the Aligner encoded it from a reference image."""

    name: str  # how prompts refer to it, e.g. "<mike>"
    e_word: torch.Tensor  # (H,)
    e_weight: torch.Tensor  # (H,)
    context: torch.Tensor  # (k, H)

    TENSORS = ("e_word", "e_weight", "context")

    def to_tensors(self) -> dict[str, torch.Tensor]:
        """The concept's tensors as float32 on the CPU: what ``save`` writes, whatever the model's
        device and dtype."""
        return {key: getattr(self, key).detach().float().cpu().contiguous() for key in self.TENSORS}

    @classmethod
    def from_tensors(cls, name: str, tensors: Mapping[str, torch.Tensor], device=None) -> "Concept":
        """A concept from ``to_tensors``' dict, its tensors moved to ``device`` (dtype kept)."""
        return cls(name, *(tensors[key].to(device) for key in cls.TENSORS))

    def save(self, path: str | Path, metadata: Mapping[str, str] | None = None) -> None:
        """Write the concept (``to_tensors``) to a safetensors file, with ``metadata`` (strings)."""
        from safetensors.torch import save_file

        save_file(self.to_tensors(), str(path), metadata=dict(metadata or {}))

    @classmethod
    def load(cls, path: str | Path, name: str, device=None) -> "Concept":
        """A concept ``save`` wrote, named ``name``, its float32 tensors on ``device``."""
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as f:
            return cls.from_tensors(name, {key: f.get_tensor(key) for key in cls.TENSORS}, device)

    @staticmethod
    def saved_metadata(path: str | Path) -> dict[str, str]:
        """The metadata ``save`` wrote with a concept (nothing else is read)."""
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as f:
            return dict(f.metadata() or {})


@dataclass
class Choice:
    letter: str
    scores: dict[str, float]  # log-likelihood of each option


@dataclass
class TrainBatch:
    input_ids: torch.Tensor  # (B, T)
    attention_mask: torch.Tensor  # (B, T)
    labels: torch.Tensor  # (B, T), -100 outside answers
    yes_no_mask: torch.Tensor  # (B, T) bool, the Yes/No answer tokens of recognition examples
    reference_pixels: torch.Tensor  # (B, 3, h, w) for the Aligner's encoder
    query_pixels: torch.Tensor | None  # (n, 3, H, W) for the rows that have a query image
    has_image: list[bool]


@dataclass
class ConceptTensors:
    """Concepts of a batch stacked per row: (B, M, H) and (B, M, k, H)."""

    e_word: torch.Tensor
    e_weight: torch.Tensor
    context: torch.Tensor

    @classmethod
    def from_concepts(cls, rows: Sequence[Sequence[Concept]]) -> "ConceptTensors":
        return cls(
            e_word=torch.stack([torch.stack([c.e_word for c in row]) for row in rows]),
            e_weight=torch.stack([torch.stack([c.e_weight for c in row]) for row in rows]),
            context=torch.stack([torch.stack([c.context for c in row]) for row in rows]),
        )

    @classmethod
    def from_aligner(cls, out: AlignerOutput) -> "ConceptTensors":
        return cls(out.e_word[:, None], out.e_weight[:, None], out.context[:, None])


class PLVM(nn.Module):
    def __init__(self, lvlm: nn.Module, tokenizer, image_processor, aligner: Aligner,
                 encoder_processor, config: PLVMConfig):
        super().__init__()
        self.config = config
        self.lvlm = lvlm
        self.lvlm.requires_grad_(False)
        self.lvlm.eval()
        self.aligner = aligner
        self.tokenizer = tokenizer
        self.image_processor = image_processor
        self.encoder_processor = encoder_processor
        self.prompts = PromptBuilder(tokenizer, config, lvlm.config.image_token_id)
        self.vocab_size = lvlm.get_output_embeddings().weight.shape[0]
        slots = torch.full((len(tokenizer) + self.vocab_size,), -1, dtype=torch.long)
        per_slot = 1 + config.aligner.num_queries
        for s, (name_id, ctx_ids) in enumerate(zip(self.prompts.name_ids, self.prompts.context_ids)):
            slots[name_id] = s * per_slot
            slots[torch.tensor(ctx_ids)] = s * per_slot + 1 + torch.arange(config.aligner.num_queries)
        # token id -> column of the per-row slot table [e_word_s, context_s_1..k] * M, or -1
        self.register_buffer("slot_of_token", slots, persistent=False)

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_config(cls, config: PLVMConfig, *, dtype: torch.dtype | None = None,
                    device: str | torch.device | None = None) -> "PLVM":
        """Load the base LVLM and encoder named in ``config``; the Aligner heads start random."""
        from transformers import AutoImageProcessor, AutoModel, AutoModelForImageTextToText, AutoTokenizer

        lvlm = AutoModelForImageTextToText.from_pretrained(config.lvlm, dtype=dtype or torch.float32)
        encoder = AutoModel.from_pretrained(config.aligner.encoder, dtype=dtype or torch.float32)
        llm_dim = lvlm.config.get_text_config().hidden_size
        model = cls(
            lvlm=lvlm,
            tokenizer=AutoTokenizer.from_pretrained(config.lvlm),
            image_processor=AutoImageProcessor.from_pretrained(config.lvlm),
            aligner=Aligner(encoder, llm_dim, config.aligner),
            encoder_processor=AutoImageProcessor.from_pretrained(config.aligner.encoder),
            config=config,
        )
        model.aligner.heads.float()
        return model.to(device) if device is not None else model

    @classmethod
    def from_pretrained(cls, checkpoint: str | Path, *, lvlm: str | None = None, encoder: str | None = None,
                        dtype: torch.dtype | None = None, device: str | torch.device | None = None) -> "PLVM":
        """Rebuild from a checkpoint directory; ``lvlm``/``encoder`` override the base-model paths."""
        from .checkpoint import load_heads

        config = PLVMConfig.load(checkpoint)
        if lvlm is not None:
            config.lvlm = lvlm
        if encoder is not None:
            config.aligner.encoder = encoder
        model = cls.from_config(config, dtype=dtype, device=device)
        model.aligner.heads.load_state_dict(load_heads(checkpoint))
        return model

    def save_pretrained(self, directory: str | Path) -> Path:
        from .checkpoint import save_heads

        return save_heads(self.aligner.heads, self.config, directory)

    def trainable_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.parameters() if p.requires_grad]

    def train(self, mode: bool = True) -> "PLVM":
        super().train(mode)
        self.lvlm.eval()  # frozen
        return self

    @property
    def device(self) -> torch.device:
        return self.lvlm.get_output_embeddings().weight.device

    @property
    def dtype(self) -> torch.dtype:
        return self.lvlm.get_output_embeddings().weight.dtype

    # ------------------------------------------------------------------ encoding
    def reference_pixels(self, images) -> torch.Tensor:
        return self.encoder_processor(images=list(images), return_tensors="pt").pixel_values.to(self.device)

    def query_pixels(self, images) -> torch.Tensor:
        px = self.image_processor(images=list(images), return_tensors="pt").pixel_values
        return px.to(self.device, self.dtype)

    @torch.no_grad()
    def encode_concepts(self, images, names: Sequence[str]) -> list[Concept]:
        """Run the Aligner on reference images: one :class:`Concept` per (image, name)."""
        out = self.aligner(self.reference_pixels(images))
        return [Concept(n, out.e_word[i], out.e_weight[i], out.context[i]) for i, n in enumerate(names)]

    def image_features(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """Projected visual tokens of the LVLM, (n_images, L, H)."""
        feats = self.lvlm.get_image_features(pixel_values=pixel_values).pooler_output
        return torch.stack(list(feats))

    def embed(self, input_ids: torch.Tensor, concepts: ConceptTensors | None,
              image_features: torch.Tensor | None = None) -> torch.Tensor:
        """Token embeddings with concept slots and image tokens substituted."""
        table = self.lvlm.get_input_embeddings()
        slot = self.slot_of_token[input_ids]
        safe_ids = torch.where((slot >= 0) | (input_ids >= self.vocab_size), 0, input_ids)
        embeds = table(safe_ids)
        if concepts is not None and bool((slot >= 0).any()):
            b, m, k, h = concepts.context.shape
            slot_table = torch.cat([concepts.e_word[:, :, None], concepts.context], dim=2).reshape(b, m * (k + 1), h)
            gathered = slot_table.gather(1, slot.clamp(min=0)[..., None].expand(-1, -1, h).clamp(max=m * (k + 1) - 1))
            embeds = torch.where((slot >= 0)[..., None], gathered.to(embeds.dtype), embeds)
        if image_features is not None:
            mask = (input_ids == self.lvlm.config.image_token_id)[..., None]
            embeds = embeds.masked_scatter(mask, image_features.to(embeds.dtype))
        return embeds

    def run_llm(self, embeds: torch.Tensor, attention_mask: torch.Tensor | None = None, cache=None,
                use_cache: bool = False):
        out = self.lvlm.model(inputs_embeds=embeds, attention_mask=attention_mask, cache=cache, use_cache=use_cache)
        return out.last_hidden_state, out.cache

    def logits(self, hidden: torch.Tensor, concepts: ConceptTensors | None) -> torch.Tensor:
        """Vocabulary logits extended with one column per concept: index vocab_size + m is concept m."""
        logits = self.lvlm.get_output_embeddings()(hidden)
        if concepts is None:
            return logits
        extra = torch.einsum("bth,bmh->btm", hidden, concepts.e_weight.to(hidden.dtype))
        return torch.cat([logits, extra], dim=-1)

    # ------------------------------------------------------------------ recognition
    def _yes_probability(self, last_logits: torch.Tensor) -> torch.Tensor:
        pair = last_logits[:, [self.prompts.yes_id, self.prompts.no_id]].float()
        return pair.softmax(-1)[:, 0]

    @torch.no_grad()
    def yes_probability(self, image, question: str, concepts: Sequence[Concept] = ()) -> float:
        """P(Yes) of the first answer token for a yes/no ``question`` that may name any of
        ``concepts`` (``recognize`` asks one fixed question about one concept at a time)."""
        _, embeds, tensors = self._prompt_inputs(image, question, concepts)
        hidden, _ = self.run_llm(embeds)
        return float(self._yes_probability(self.logits(hidden[:, -1:], tensors)[:, 0])[0])

    @torch.no_grad()
    def recognize(self, image, concepts: Sequence[Concept], question: str = templates.RECOGNITION_QUESTION,
                  use_cache: bool | None = None, batch_size: int = 16) -> list[float]:
        """P(Yes) that each concept is in ``image``, from the first answer token (no generation)."""
        return self.recognize_batch([image], concepts, question, use_cache, batch_size)[0].tolist()

    @torch.no_grad()
    def recognize_batch(self, images, concepts: Sequence[Concept],
                        question: str = templates.RECOGNITION_QUESTION, use_cache: bool | None = None,
                        batch_size: int = 16) -> torch.Tensor:
        """(n_images, n_concepts) matrix of P(Yes).

        With ``prompt_order="image_first"`` (and ``use_cache`` not False) each image's prefix is run
        once and its KV cache is shared by every concept; otherwise each (image, concept) pair is a
        row of a plain batched forward pass.
        """
        if use_cache is None:
            use_cache = self.config.prompt_order == "image_first"
        if use_cache and self.config.prompt_order != "image_first":
            raise ValueError("the cached-prefix path needs prompt_order='image_first'")
        feats = self.image_features(self.query_pixels(images))
        prompt = self.prompts.build(templates.fill(question, "<sks>"), ["<sks>"], n_image_tokens=feats.shape[1])
        ids = torch.tensor(prompt.ids, device=self.device)
        probs = torch.empty(len(images), len(concepts))
        for i in range(len(images)):
            cache = self._prefix_cache(ids[None, : prompt.prefix_len], feats[i : i + 1]) if use_cache else None
            for start in range(0, len(concepts), batch_size):
                chunk = ConceptTensors.from_concepts([[c] for c in concepts[start : start + batch_size]])
                n = chunk.e_word.shape[0]
                if cache is not None:
                    suffix = ids[prompt.prefix_len :].expand(n, -1)
                    rows_cache = copy.deepcopy(cache)
                    rows_cache.batch_repeat_interleave(n)
                    hidden, _ = self.run_llm(self.embed(suffix, chunk), cache=rows_cache, use_cache=True)
                else:
                    rows = ids.expand(n, -1)
                    hidden, _ = self.run_llm(self.embed(rows, chunk, feats[i : i + 1].expand(n, -1, -1)))
                probs[i, start : start + n] = self._yes_probability(self.logits(hidden[:, -1:], chunk)[:, 0]).cpu()
        return probs

    def _prefix_cache(self, prefix_ids: torch.Tensor, feats: torch.Tensor):
        _, cache = self.run_llm(self.embed(prefix_ids, None, feats), use_cache=True)
        return cache

    # ------------------------------------------------------------------ open-ended answers
    def _prompt_inputs(self, image, question: str, concepts: Sequence[Concept],
                       answer: str | None = None) -> tuple[PromptIds, torch.Tensor, ConceptTensors | None]:
        feats = self.image_features(self.query_pixels([image])) if image is not None else None
        names = [c.name for c in concepts]
        prompt = self.prompts.build(question, names, feats.shape[1] if feats is not None else 0, answer)
        ids = torch.tensor([prompt.ids], device=self.device)
        ct = ConceptTensors.from_concepts([concepts]) if concepts else None
        return prompt, self.embed(ids, ct, feats), ct

    @torch.no_grad()
    def answer(self, image, question: str, concepts: Sequence[Concept] = (), max_new_tokens: int = 64) -> str:
        """Greedy answer; the model may name a concept through its ``e_weight`` logit column."""
        _, embeds, ct = self._prompt_inputs(image, question, concepts)
        ids = self.generate_ids(embeds, ct, max_new_tokens)
        return self.decode(ids, concepts)

    @torch.no_grad()
    def caption(self, image, concepts: Sequence[Concept] = (), max_new_tokens: int = 64) -> str:
        names = " and ".join(c.name for c in concepts) or "the people"
        return self.answer(image, templates.CAPTION_QUESTION.replace("<sks>", names), concepts, max_new_tokens)

    def generate_ids(self, embeds: torch.Tensor, concepts: ConceptTensors | None, max_new_tokens: int) -> list[int]:
        """Greedy decoding over the extended vocabulary with a KV cache."""
        hidden, cache = self.run_llm(embeds, use_cache=True)
        out: list[int] = []
        for _ in range(max_new_tokens):
            next_id = int(self.logits(hidden[:, -1:], concepts)[0, -1].argmax())
            if next_id == self.tokenizer.eos_token_id:
                break
            out.append(next_id)
            if next_id >= self.vocab_size:  # a concept: feed its e_word back in
                step = concepts.e_word[:, next_id - self.vocab_size][:, None].to(embeds.dtype)
            else:
                step = self.lvlm.get_input_embeddings()(torch.tensor([[next_id]], device=self.device))
            hidden, cache = self.run_llm(step, cache=cache, use_cache=True)
        return out

    def decode(self, ids: Sequence[int], concepts: Sequence[Concept]) -> str:
        """Text of generated ids; concept columns and slot tokens come out as the concepts' names."""
        slot_names = {}
        for s, c in enumerate(concepts):
            slot_names[self.vocab_size + s] = c.name
            slot_names[self.prompts.name_ids[s]] = c.name
        pieces, run = [], []
        for i in ids:
            if i in slot_names:
                if run:
                    pieces.append(self.tokenizer.decode(run, skip_special_tokens=True))
                    run = []
                pieces.append(slot_names[i])
            else:
                run.append(i)
        if run:
            pieces.append(self.tokenizer.decode(run, skip_special_tokens=True))
        return " ".join(p.strip() for p in pieces if p.strip())

    # ------------------------------------------------------------------ multiple choice
    @torch.no_grad()
    def choose(self, image, question: str, options: Mapping[str, str], concepts: Sequence[Concept] = (),
               scoring: Literal["letter", "text"] = "letter") -> Choice:
        """Multiple choice. ``letter``: log-probability of each option letter as the first answer
        token (the paper's "Choose the letter..." prompt, one forward pass). ``text``: mean
        log-likelihood of each option's text as the answer."""
        if scoring == "letter":
            prompt_q = templates.choice_question(question, dict(options))
            _, embeds, ct = self._prompt_inputs(image, prompt_q, concepts)
            hidden, _ = self.run_llm(embeds)
            logp = self.logits(hidden[:, -1:], ct)[0, -1].float().log_softmax(-1)
            scores = {letter: float(logp[self.prompts.first_id(letter)]) for letter in options}
        else:
            scores = {letter: self._answer_loglik(image, question, text, concepts) for letter, text in options.items()}
        return Choice(letter=max(scores, key=scores.get), scores=scores)

    def _answer_loglik(self, image, question: str, answer: str, concepts: Sequence[Concept]) -> float:
        prompt, embeds, ct = self._prompt_inputs(image, question, concepts, answer=answer)
        hidden, _ = self.run_llm(embeds)
        logp = self.logits(hidden, ct)[0, :-1].float().log_softmax(-1)
        targets = torch.tensor(prompt.ids[1:], device=logp.device)
        token_logp = logp.gather(-1, targets[:, None])[:, 0][prompt.answer_start - 1 :]
        return float(token_logp.mean())

    # ------------------------------------------------------------------ training
    def build_batch(self, examples) -> TrainBatch:
        """Tokenise :class:`plvm_model.data.TrainingExample` objects into a right-padded batch."""
        n_img = self.image_token_count() if any(e.query_image is not None for e in examples) else 0
        prompts = [
            self.prompts.build(e.question, ["<sks>"], n_img if e.query_image is not None else 0, e.answer)
            for e in examples
        ]
        width = max(len(p.ids) for p in prompts)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(prompts), width), pad, dtype=torch.long)
        attn = torch.zeros_like(ids)
        labels = torch.full_like(ids, -100)
        yes_no = torch.zeros_like(ids, dtype=torch.bool)
        for r, (p, e) in enumerate(zip(prompts, examples)):
            ids[r, : len(p.ids)] = torch.tensor(p.ids)
            attn[r, : len(p.ids)] = 1
            labels[r, p.answer_start : len(p.ids)] = ids[r, p.answer_start : len(p.ids)]
            first = p.ids[p.answer_start]
            if e.kind == "recognition" and first in (self.prompts.yes_id, self.prompts.no_id):
                yes_no[r, p.answer_start] = True
        queries = [e.query_image for e in examples if e.query_image is not None]
        return TrainBatch(
            input_ids=ids.to(self.device),
            attention_mask=attn.to(self.device),
            labels=labels.to(self.device),
            yes_no_mask=yes_no.to(self.device),
            reference_pixels=self.reference_pixels([e.reference_image for e in examples]),
            query_pixels=self.query_pixels(queries) if queries else None,
            has_image=[e.query_image is not None for e in examples],
        )

    def image_token_count(self) -> int:
        if not hasattr(self, "_n_image_tokens"):
            size = self.image_processor.crop_size or self.image_processor.size
            h = size.get("height", size.get("shortest_edge"))
            w = size.get("width", size.get("shortest_edge"))
            dummy = torch.zeros(1, 3, h, w, device=self.device, dtype=self.dtype)
            with torch.no_grad():
                self._n_image_tokens = self.image_features(dummy).shape[1]
        return self._n_image_tokens

    def forward(self, batch: TrainBatch, yes_no_weight: float = 20.0) -> torch.Tensor:
        """Paper Eq. 2 loss of a training batch; gradients reach only the Aligner heads."""
        concepts = ConceptTensors.from_aligner(self.aligner(batch.reference_pixels))
        feats = None
        if batch.query_pixels is not None:
            with torch.no_grad():
                feats = self.image_features(batch.query_pixels)
        embeds = self.embed(batch.input_ids, concepts, feats)
        hidden, _ = self.run_llm(embeds, attention_mask=batch.attention_mask)
        logits = self.logits(hidden, concepts)
        labels = self._extended_labels(batch.labels)
        return weighted_answer_loss(logits, labels, batch.yes_no_mask, yes_no_weight)

    def _extended_labels(self, labels: torch.Tensor) -> torch.Tensor:
        """Answer tokens that name the concept must be predicted through its e_weight column."""
        slot = self.slot_of_token[labels.clamp(min=0)]
        per_slot = 1 + self.config.aligner.num_queries
        is_name = (labels >= 0) & (slot >= 0) & (slot % per_slot == 0)
        return torch.where(is_name, self.vocab_size + slot // per_slot, labels)
