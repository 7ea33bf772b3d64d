"""Randomly initialised PLVMs of given shapes, built in memory (benchmarks, smoke tests, demos).

Nothing is downloaded: the tokenizer is a word-level one over the QA templates' vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch

from . import templates
from .aligner import Aligner
from .config import AlignerConfig, PLVMConfig

SPECIAL = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]


@dataclass(frozen=True)
class Shapes:
    llm_hidden: int
    llm_layers: int
    llm_heads: int
    llm_intermediate: int
    vocab: int
    vision_hidden: int
    vision_layers: int
    vision_heads: int
    vision_intermediate: int
    image_size: int
    patch: int
    encoder_hidden: int
    encoder_layers: int
    encoder_heads: int
    encoder_image_size: int
    aligner: AlignerConfig


# LLaVA-1.5-7B (Vicuna-7B + CLIP ViT-L/14-336) and DINOv2-base, the paper's setting.
LLAVA_7B_DINOV2_BASE = Shapes(4096, 32, 32, 11008, 32064, 1024, 24, 16, 4096, 336, 14, 768, 12, 12, 224,
                              AlignerConfig())
TINY = Shapes(64, 2, 4, 128, 512, 32, 2, 2, 64, 56, 14, 32, 2, 2, 56,
              AlignerConfig(num_queries=4, mlp_hidden=64, resampler_hidden=32, resampler_blocks=2, resampler_heads=2))


def template_tokenizer(extra_words: str = ""):
    """A word-level tokenizer over the QA templates' words (plus ``extra_words``): no download."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    text = " ".join(q + " " + a for q, a in templates.POSITIVE_RECOGNITION + templates.NEGATIVE_RECOGNITION)
    text += " ".join(templates.ATTRIBUTE_QUESTIONS) + templates.RECOGNITION_QUESTION + templates.CHOICE_INSTRUCTION
    text += templates.CAPTION_QUESTION + " USER ASSISTANT A B C D " + extra_words
    vocab = {t: i for i, t in enumerate(SPECIAL)}
    for w in sorted(set(re.findall(r"\w+|[^\w\s]", text))):
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                 pad_token="<pad>")
    hf.add_tokens(["<image>"], special_tokens=True)
    return hf


def _processor(size: int):
    from transformers import CLIPImageProcessor

    return CLIPImageProcessor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})


def random_plvm(shapes: Shapes = TINY, dtype: torch.dtype = torch.float32, device: str = "cpu",
                prompt_order: str = "image_first"):
    from transformers import (CLIPVisionConfig, Dinov2Config, Dinov2Model, LlamaConfig, LlavaConfig,
                              LlavaForConditionalGeneration)

    from .lvlm import PLVM

    s = shapes
    tokenizer = template_tokenizer()
    vision = CLIPVisionConfig(hidden_size=s.vision_hidden, intermediate_size=s.vision_intermediate,
                              num_hidden_layers=s.vision_layers, num_attention_heads=s.vision_heads,
                              image_size=s.image_size, patch_size=s.patch)
    text = LlamaConfig(vocab_size=max(s.vocab, len(tokenizer)), hidden_size=s.llm_hidden,
                       intermediate_size=s.llm_intermediate, num_hidden_layers=s.llm_layers,
                       num_attention_heads=s.llm_heads, num_key_value_heads=s.llm_heads,
                       bos_token_id=1, eos_token_id=2, pad_token_id=3)
    encoder_cfg = Dinov2Config(hidden_size=s.encoder_hidden, num_hidden_layers=s.encoder_layers,
                               num_attention_heads=s.encoder_heads, intermediate_size=4 * s.encoder_hidden,
                               image_size=s.encoder_image_size, patch_size=14)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            llava = LlavaForConditionalGeneration(LlavaConfig(vision_config=vision, text_config=text,
                                                              image_token_id=SPECIAL.index("<image>")))
            encoder = Dinov2Model(encoder_cfg)
            aligner = Aligner(encoder, s.llm_hidden, s.aligner)
    finally:
        torch.set_default_dtype(previous)
    config = PLVMConfig(lvlm="random", aligner=s.aligner, prompt_order=prompt_order)
    config.aligner.encoder = "random"
    model = PLVM(llava, tokenizer, _processor(s.image_size), aligner, _processor(s.encoder_image_size), config)
    return model.to(device)
