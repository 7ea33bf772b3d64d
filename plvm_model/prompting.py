"""Token layout of PLVM prompts, with placeholder slots for concepts.

A concept occupies one *slot*: a name token (``<sks>`` for slot 0) whose embedding becomes the
Aligner's ``e_word``, and k context tokens (``<token_1>`` ... ``<token_k>``) that become the
context embeddings. The slot tokens are added to the tokenizer once; the LLM's embedding table is
never resized, because their embeddings are always substituted before the LLM sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .config import PLVMConfig


def name_token(slot: int) -> str:
    return "<sks>" if slot == 0 else f"<sks_{slot}>"


def context_token(slot: int, i: int) -> str:
    return f"<token_{i + 1}>" if slot == 0 else f"<token_{slot}_{i + 1}>"


@dataclass(frozen=True)
class PromptIds:
    ids: list[int]
    prefix_len: int  # tokens shared by every concept (image_first: BOS, "USER: ", image)
    answer_start: int  # index of the first answer token (== len(ids) when there is no answer)


class PromptBuilder:
    """Turns (image?, concept names, question, answer?) into token ids with slot placeholders."""

    def __init__(self, tokenizer, config: PLVMConfig, image_token_id: int):
        self.tokenizer = tokenizer
        self.config = config
        self.k = config.aligner.num_queries
        self.image_token_id = image_token_id
        tokens = [name_token(s) for s in range(config.max_concepts)]
        tokens += [context_token(s, i) for s in range(config.max_concepts) for i in range(self.k)]
        tokenizer.add_tokens(tokens, special_tokens=True)
        self.name_ids = [tokenizer.convert_tokens_to_ids(name_token(s)) for s in range(config.max_concepts)]
        self.context_ids = [
            [tokenizer.convert_tokens_to_ids(context_token(s, i)) for i in range(self.k)]
            for s in range(config.max_concepts)
        ]
        self.yes_id = self.first_id(config.yes_word)
        self.no_id = self.first_id(config.no_word)

    def first_id(self, text: str) -> int:
        return self.encode(text)[0]

    def encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False).input_ids

    def slot_text(self, question: str, names: Sequence[str]) -> str:
        """Replace each concept's name (``<mike>``) by its slot's name token."""
        if len(names) > self.config.max_concepts:
            raise ValueError(f"at most {self.config.max_concepts} concepts per prompt, got {len(names)}")
        lookup = {name: name_token(s) for s, name in enumerate(names)}
        if not lookup:
            return question
        pattern = re.compile("|".join(re.escape(n) for n in sorted(lookup, key=len, reverse=True)))
        return pattern.sub(lambda m: lookup[m.group(0)], question)

    def concept_template(self, n_concepts: int) -> str:
        """The paper's system prompt "<sks> is <token_1>...<token_k>", once per concept."""
        parts = []
        for s in range(n_concepts):
            context = "".join(context_token(s, i) for i in range(self.k))
            parts.append(f"{name_token(s)} is {context}.")
        return " ".join(parts)

    def build(
        self,
        question: str,
        names: Sequence[str],
        n_image_tokens: int = 0,
        answer: str | None = None,
    ) -> PromptIds:
        cfg = self.config
        bos = [self.tokenizer.bos_token_id] if self.tokenizer.bos_token_id is not None else []
        template = self.concept_template(len(names))
        question = self.slot_text(question, names)
        image = [self.image_token_id] * n_image_tokens
        if n_image_tokens and cfg.prompt_order == "image_first":
            prefix = bos + self.encode(cfg.user_prefix) + image
            body = self.encode("\n" + " ".join(p for p in (template, question) if p) + cfg.assistant_prefix)
        elif n_image_tokens:
            head = cfg.user_prefix + (template + "\n" if template else "")
            prefix = bos + self.encode(head)
            body = image + self.encode("\n" + question + cfg.assistant_prefix)
        else:
            prefix = bos
            body = self.encode(cfg.user_prefix + " ".join(p for p in (template, question) if p) + cfg.assistant_prefix)
        ids = prefix + body
        answer_start = len(ids)
        if answer is not None:
            ids += self.encode(self.slot_text(answer, names))
            if self.tokenizer.eos_token_id is not None:
                ids.append(self.tokenizer.eos_token_id)
        return PromptIds(ids=ids, prefix_len=len(prefix), answer_start=answer_start)
