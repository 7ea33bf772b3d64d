"""Reusing a photo's image prefix across questions: its KV cache, computed once.

A prompt is [template start, image tokens, who is marked where | question, template end]; every
question about one (marked) photo shares what comes before the question. That prefix is run once
(vision tower included) and kept; each question then runs only its own tokens on a copy of its
cache. Where the questions part is found from the tokens of two of them, and whether a prompt
really starts with a kept prefix is checked token by token, so a stale or foreign prefix is never
used.

Qwen2-VL's multimodal RoPE keeps the position offset the image left behind (``rope_deltas``) on
the model itself, not in the cache: it is saved with the prefix and put back before each question.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Hashable

if TYPE_CHECKING:
    import torch

KEPT = 4  # prefixes kept per process (one photo's prefix on LLaVA-1.5-7B in bf16: ~0.4 GB)


@dataclass
class Prefix:
    """A prompt's first tokens, run once."""

    ids: torch.Tensor  # (P,) the prefix's token ids
    cache: object  # the model's KV cache after the prefix
    rope_deltas: torch.Tensor | None  # Qwen2-VL's position offset after the image, else None


PER_TOKEN = ("input_ids", "attention_mask", "mm_token_type_ids", "token_type_ids")


def first_tokens(inputs: dict, length: int) -> dict:
    """The processor's outputs cut to their first ``length`` tokens; the image tensors (pixel
    values, grids, pixel masks) are kept whole."""
    return {k: v[:, :length] if k in PER_TOKEN else v for k, v in inputs.items()}


def _core(model):
    return getattr(model, "model", None)


class PrefixCache:
    """Prefixes by a caller's key (the photo, its people and the marking): the last ``KEPT``.

    The first question about a photo is one full pass (most photos are asked one question, and
    nothing says yet where the questions part); its token ids are kept. The second question shows
    the tokens the two share: that prefix is run and kept, and from then on each question runs
    only its own tokens."""

    def __init__(self, kept: int = KEPT):
        self.kept = kept
        self._prefixes: OrderedDict[Hashable, Prefix] = OrderedDict()
        self._asked: OrderedDict[Hashable, torch.Tensor] = OrderedDict()  # ids of a first question, by key
        self.hits = 0  # questions answered from a kept prefix
        self.prefills = 0  # prefixes run

    def clear(self) -> None:
        self._prefixes.clear()
        self._asked.clear()

    def last_logits(self, model, inputs: dict, key: Hashable) -> torch.Tensor:
        """Logits of the prompt's last position, from a kept prefix where one fits."""
        import torch

        with torch.no_grad():
            return self._last_logits(model, inputs, key)

    def _last_logits(self, model, inputs: dict, key: Hashable) -> torch.Tensor:
        ids = inputs["input_ids"][0]
        prefix = self._prefixes.get(key)
        if prefix is not None and _starts_with(ids, prefix.ids):
            self.hits += 1
            self._prefixes.move_to_end(key)
            return self._continue(model, prefix, inputs["input_ids"][:, prefix.ids.shape[0]:])
        earlier = prefix.ids if prefix is not None else self._asked.get(key)
        shared = _shared(ids, earlier) if earlier is not None else 0
        if shared == 0:  # the first question about this photo
            _keep(self._asked, key, ids.clone(), self.kept)
            return model(**inputs).logits[0, -1]
        prefix = self._prefill(model, inputs, shared)
        _keep(self._prefixes, key, prefix, self.kept)
        self._asked.pop(key, None)
        return self._continue(model, prefix, inputs["input_ids"][:, shared:])

    def _prefill(self, model, inputs: dict, length: int) -> Prefix:
        self.prefills += 1
        core = _core(model)
        if hasattr(core, "rope_deltas"):
            core.rope_deltas = None  # computed afresh from this prompt's image
        out = model(**first_tokens(inputs, length), use_cache=True)
        deltas = getattr(core, "rope_deltas", None)
        return Prefix(inputs["input_ids"][0, :length].clone(), out.cache, None if deltas is None else deltas.clone())

    def _continue(self, model, prefix: Prefix, suffix: torch.Tensor) -> torch.Tensor:
        core = _core(model)
        if prefix.rope_deltas is not None:
            core.rope_deltas = prefix.rope_deltas
        # No attention mask: the prompt has no padding, and Qwen2-VL would read positions from it.
        out = model(input_ids=suffix, cache=copy.deepcopy(prefix.cache), use_cache=True)
        return out.logits[0, -1]


def _starts_with(ids: torch.Tensor, prefix: torch.Tensor) -> bool:
    import torch

    return ids.shape[0] > prefix.shape[0] and torch.equal(ids[: prefix.shape[0]], prefix)


def _shared(ids: torch.Tensor, other: torch.Tensor) -> int:
    """How many first tokens ``ids`` shares with ``other``, leaving at least one of its own."""
    n = min(ids.shape[0] - 1, other.shape[0])
    differ = (ids[:n] != other[:n]).nonzero()
    return int(differ[0, 0]) if len(differ) else n


def _keep(kept: OrderedDict, key: Hashable, value, limit: int) -> None:
    kept[key] = value
    kept.move_to_end(key)
    while len(kept) > limit:
        kept.popitem(last=False)
