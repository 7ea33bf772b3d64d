"""The one tiny random PLVM of the tests: LLaVA, DINOv2 and a tokenizer small enough to build in
a second, saved with ``save_pretrained`` so the real loading code reads them, and an Aligner
checkpoint folder in the format ``plvm-train`` writes. Nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

IMAGE_SIZE = 28
PATCH = 14
WORDS = (
    "USER ASSISTANT : Yes No A B C Describe this photo naming where they appear the people and is in Is it true "
    "that talking wearing doing what What smiling has brown hair blue eyes red shirt a at cafe beach"
)


def build_tokenizer():
    from plvm_model.random_models import template_tokenizer

    return template_tokenizer(WORDS)


def image_processor():
    from transformers import CLIPImageProcessor

    return CLIPImageProcessor(size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE})


def build_tiny_models(root: Path):
    """Save tiny LLaVA and DINOv2 under ``root``; returns the ``PLVMConfig`` that names them."""
    import torch
    from transformers import (CLIPVisionConfig, Dinov2Config, Dinov2Model, LlamaConfig, LlavaConfig,
                              LlavaForConditionalGeneration)

    from plvm_model.config import AlignerConfig, PLVMConfig

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
    lvlm_dir, encoder_dir = root / "tiny-llava", root / "tiny-dinov2"
    llava.save_pretrained(lvlm_dir)
    tokenizer.save_pretrained(lvlm_dir)
    image_processor().save_pretrained(lvlm_dir)
    dino = Dinov2Model(Dinov2Config(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                                    image_size=IMAGE_SIZE, patch_size=PATCH))
    dino.save_pretrained(encoder_dir)
    image_processor().save_pretrained(encoder_dir)
    aligner = AlignerConfig(encoder=str(encoder_dir), num_queries=4, mlp_hidden=64, resampler_hidden=32,
                            resampler_blocks=2, resampler_heads=2)
    return PLVMConfig(lvlm=str(lvlm_dir), aligner=aligner, max_concepts=2)


def save_tiny_plvm(root: Path) -> dict[str, Path]:
    """The tiny models plus an Aligner checkpoint with random heads (as ``plvm-train`` saves one):
    what the plvm engine is configured with. Returns the three folders."""
    import torch

    from plvm_model.lvlm import PLVM

    config = build_tiny_models(root)
    torch.manual_seed(0)
    aligner_dir = root / "tiny-aligner"
    PLVM.from_config(config).save_pretrained(aligner_dir)
    return {"lvlm": Path(config.lvlm), "encoder": Path(config.aligner.encoder), "aligner": aligner_dir}


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
