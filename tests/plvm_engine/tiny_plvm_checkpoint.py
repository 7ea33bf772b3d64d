"""A tiny random PLVM in the real on-disk format: LLaVA and DINOv2 folders (save_pretrained) and an
Aligner checkpoint folder (plvm_config.json + aligner_heads.safetensors), built without downloads."""

from __future__ import annotations

from pathlib import Path

IMAGE_SIZE = 28
PATCH = 14
WORDS = (
    "USER ASSISTANT : Yes No A B Describe this photo naming where they appear the people and is in Is it true that "
    "talking wearing doing what What smiling shirt red blue a at cafe beach"
)


def build_tokenizer():
    from plvm_model.random_models import template_tokenizer

    return template_tokenizer(WORDS)


def build(root: Path) -> dict[str, Path]:
    """Save tiny LLaVA, DINOv2 and an Aligner checkpoint under ``root``; returns their folders."""
    import torch
    from transformers import (CLIPImageProcessor, CLIPVisionConfig, Dinov2Config, Dinov2Model, LlamaConfig,
                              LlavaConfig, LlavaForConditionalGeneration)

    from plvm_model.config import AlignerConfig, PLVMConfig
    from plvm_model.lvlm import PLVM

    torch.manual_seed(0)
    processor = CLIPImageProcessor(size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE})
    tokenizer = build_tokenizer()
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                              image_size=IMAGE_SIZE, patch_size=PATCH)
    text = LlamaConfig(vocab_size=len(tokenizer) + 8, hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                       bos_token_id=1, eos_token_id=2, pad_token_id=3, initializer_range=0.2)
    llava = LlavaForConditionalGeneration(LlavaConfig(vision_config=vision, text_config=text, image_token_id=4,
                                                      vision_feature_layer=-1)).eval()
    lvlm_dir, encoder_dir, aligner_dir = root / "tiny-llava", root / "tiny-dinov2", root / "tiny-aligner"
    llava.save_pretrained(lvlm_dir)
    tokenizer.save_pretrained(lvlm_dir)
    processor.save_pretrained(lvlm_dir)
    dino = Dinov2Model(Dinov2Config(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                                    image_size=IMAGE_SIZE, patch_size=PATCH))
    dino.save_pretrained(encoder_dir)
    processor.save_pretrained(encoder_dir)
    config = PLVMConfig(lvlm=str(lvlm_dir), max_concepts=2,
                        aligner=AlignerConfig(encoder=str(encoder_dir), num_queries=4, mlp_hidden=64,
                                              resampler_hidden=32, resampler_blocks=2, resampler_heads=2))
    PLVM.from_config(config).save_pretrained(aligner_dir)  # random heads, saved as plvm-train saves them
    return {"lvlm": lvlm_dir, "encoder": encoder_dir, "aligner": aligner_dir}
