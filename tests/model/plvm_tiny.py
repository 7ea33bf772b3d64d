"""Helpers for the model tests: tiny random LLaVA / DINOv2 / tokenizer, saved with save_pretrained and loaded by the real code."""

from __future__ import annotations

from pathlib import Path

import torch

from plvm_model.config import AlignerConfig, PLVMConfig

IMAGE_SIZE = 28
PATCH = 14
EXTRA_WORDS = "USER ASSISTANT : Yes No A B C Describe this photo naming where they appear the people and".split()


def build_tokenizer():
    from plvm_model.random_models import template_tokenizer

    return template_tokenizer(" ".join(EXTRA_WORDS) + " has brown hair blue eyes red shirt")


def image_processor():
    from transformers import CLIPImageProcessor

    return CLIPImageProcessor(size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE})


def build_tiny_models(root: Path) -> PLVMConfig:
    from transformers import (CLIPVisionConfig, Dinov2Config, Dinov2Model, LlamaConfig, LlavaConfig,
                              LlavaForConditionalGeneration)

    torch.manual_seed(0)
    tokenizer = build_tokenizer()
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                              image_size=IMAGE_SIZE, patch_size=PATCH)
    text = LlamaConfig(vocab_size=len(tokenizer) + 8, hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                       bos_token_id=1, eos_token_id=2, pad_token_id=3,
                       initializer_range=0.2)  # sharper attention: soft prompts can steer a tiny model
    llava = LlavaForConditionalGeneration(LlavaConfig(vision_config=vision, text_config=text, image_token_id=4,
                                                      vision_feature_layer=-1)).eval()
    lvlm_dir, enc_dir = root / "tiny-llava", root / "tiny-dinov2"
    llava.save_pretrained(lvlm_dir)
    tokenizer.save_pretrained(lvlm_dir)
    image_processor().save_pretrained(lvlm_dir)
    dino = Dinov2Model(Dinov2Config(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                                    image_size=IMAGE_SIZE, patch_size=PATCH))
    dino.save_pretrained(enc_dir)
    image_processor().save_pretrained(enc_dir)
    aligner = AlignerConfig(encoder=str(enc_dir), num_queries=4, mlp_hidden=64, resampler_hidden=32,
                            resampler_blocks=2, resampler_heads=2)
    return PLVMConfig(lvlm=str(lvlm_dir), aligner=aligner, max_concepts=2)


def solid(color, size=40):
    from PIL import Image

    return Image.new("RGB", (size, size), color)


def striped(color_a, color_b, size=40):
    from PIL import Image

    im = Image.new("RGB", (size, size), color_a)
    for x in range(0, size, 8):
        for y in range(size):
            for dx in range(4):
                if x + dx < size:
                    im.putpixel((x + dx, y), color_b)
    return im
