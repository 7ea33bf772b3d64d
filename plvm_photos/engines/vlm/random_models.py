"""Randomly initialised vision-language models of the three families the vlm engine is tested
with, in their real shapes or tiny ones, with processors and chat templates like the published
checkpoints' (tests, benchmarks, smoke runs). Nothing is downloaded: the tokenizer is a small
byte-level BPE trained here, so any text encodes; the real vocabulary size is kept in the model.

- ``llava``: llava-hf/llava-1.5-7b-hf (CLIP ViT-L/14-336 + Vicuna-7B);
- ``qwen2_vl``: Qwen/Qwen2-VL-2B-Instruct (675M ViT, 2x2 merge, M-RoPE, Qwen2-1.5B);
- ``idefics3``: HuggingFaceTB/SmolVLM-256M-Instruct (SigLIP-B/16-512, 4x pixel shuffle, SmolLM2-135M).
"""

from __future__ import annotations

import json
from pathlib import Path

FAMILIES = ("llava", "qwen2_vl", "idefics3")
PUBLISHED = {"llava": "llava-hf/llava-1.5-7b-hf", "qwen2_vl": "Qwen/Qwen2-VL-2B-Instruct",
             "idefics3": "HuggingFaceTB/SmolVLM-256M-Instruct"}

# The published chat templates, as far as a photo and a question use them.
LLAVA_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}{% endif %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] + ' '}}"
    "{% endfor %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
)
QWEN2_VL_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\n"
    "You are a helpful assistant.<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n{% else %}"
    "{% for content in message['content'] %}{% if content['type'] == 'image' %}<|vision_start|><|image_pad|>"
    "<|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
IDEFICS3_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
    "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n"
    "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)
SPECIALS = {
    "llava": ["<pad>", "</s>", "<image>"],
    "qwen2_vl": ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                 "<|image_pad|>", "<|video_pad|>"],
    "idefics3": ["<|endoftext|>", "<|im_start|>", "<end_of_utterance>", "<fake_token_around_image>", "<image>",
                 "<global-img>"] + [f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)],
}
TEMPLATES = {"llava": LLAVA_TEMPLATE, "qwen2_vl": QWEN2_VL_TEMPLATE, "idefics3": IDEFICS3_TEMPLATE}
EOS = {"llava": "</s>", "qwen2_vl": "<|im_end|>", "idefics3": "<end_of_utterance>"}
CORPUS = (
    "Yes No Does this photo match the description Answer with Yes or No. Describe this photo in one sentence, "
    "naming the marked people exactly as written. The recognised people are marked with labelled boxes. "
    "is the person on the left right center middle top bottom face box what is wearing doing talking smiling "
    "a hat red shirt at the beach cafe Answer with the option's letter from the given choices directly. A B C D "
    "USER: ASSISTANT: User: Assistant: system You are a helpful assistant. user assistant"
)


def tokenizer(family: str):
    """A byte-level BPE (any text encodes) with the family's special tokens; "Yes" and "No" are
    single tokens, as in the real vocabularies."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=420, special_tokens=SPECIALS[family], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([CORPUS] * 8, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS[family], pad_token=SPECIALS[family][0])


def _llama(tok, real: bool, **published):
    from transformers import LlamaConfig

    dims = published if real else dict(hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                                       num_attention_heads=4, num_key_value_heads=2)
    vocab = max(dims.pop("vocab_size", 0), len(tok))
    return LlamaConfig(vocab_size=vocab, max_position_embeddings=4096, eos_token_id=tok.eos_token_id,
                       pad_token_id=tok.pad_token_id, bos_token_id=None, initializer_range=0.02 if real else 0.2, **dims)


def configs(family: str, real: bool, tok):
    """(model config, image processor) of ``family``, published shapes or tiny ones."""
    ids = tok.convert_tokens_to_ids
    if family == "llava":
        from transformers import CLIPImageProcessor, CLIPVisionConfig, LlavaConfig

        size = 336 if real else 28
        vision = CLIPVisionConfig(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                                  image_size=336, patch_size=14, projection_dim=768) if real else \
            CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                             image_size=size, patch_size=14)
        text = _llama(tok, real, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
                      num_key_value_heads=32, vocab_size=32064)
        config = LlavaConfig(vision_config=vision, text_config=text, image_token_id=ids("<image>"), vision_feature_layer=-2,
                             vision_feature_select_strategy="default")
        return config, CLIPImageProcessor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
    if family == "qwen2_vl":
        from transformers import Qwen2VLConfig, Qwen2VLImageProcessor
        from transformers.models.qwen2_vl.configuration_qwen2_vl import Qwen2VLTextConfig, Qwen2VLVisionConfig

        hidden = 1536 if real else 48
        text = Qwen2VLTextConfig(
            vocab_size=max(151936 if real else 0, len(tok)), hidden_size=hidden, intermediate_size=8960 if real else 96,
            num_hidden_layers=28 if real else 2, num_attention_heads=12 if real else 4, num_key_value_heads=2,
            rope_parameters={"rope_type": "default", "mrope_section": [16, 24, 24] if real else [2, 2, 2],
                             "rope_theta": 1e6}, eos_token_id=tok.eos_token_id, bos_token_id=None,
            pad_token_id=tok.pad_token_id, initializer_range=0.02 if real else 0.2)
        vision = Qwen2VLVisionConfig(depth=32 if real else 1, embed_dim=1280 if real else 32, hidden_size=hidden,
                                     num_heads=16 if real else 2, patch_size=14, spatial_merge_size=2,
                                     temporal_patch_size=2)
        config = Qwen2VLConfig(text_config=text, vision_config=vision, image_token_id=ids("<|image_pad|>"),
                               video_token_id=ids("<|video_pad|>"), vision_start_token_id=ids("<|vision_start|>"),
                               vision_end_token_id=ids("<|vision_end|>"), tie_word_embeddings=real)
        pixels = dict(min_pixels=3136, max_pixels=12845056) if real else dict(min_pixels=56 * 56, max_pixels=2 * 56 * 56)
        return config, Qwen2VLImageProcessor(patch_size=14, merge_size=2, temporal_patch_size=2, **pixels)
    if family == "idefics3":
        from transformers import Idefics3Config, Idefics3ImageProcessor, Idefics3VisionConfig

        tile = 512 if real else 32
        vision = Idefics3VisionConfig(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                                      image_size=tile, patch_size=16) if real else \
            Idefics3VisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                                 image_size=tile, patch_size=8)
        text = _llama(tok, real, hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                      num_key_value_heads=3, vocab_size=49280)
        config = Idefics3Config(vision_config=vision, text_config=text, scale_factor=4 if real else 2,
                                image_token_id=ids("<image>"), tie_word_embeddings=real)
        return config, Idefics3ImageProcessor(size={"longest_edge": 4 * tile if real else 2 * tile},
                                              max_image_size={"longest_edge": tile}, do_image_splitting=True)
    raise ValueError(f"unknown family {family!r}; one of {', '.join(FAMILIES)}")


def image_seq_len(config) -> int:
    """Idefics3: tokens per image tile."""
    v = config.vision_config
    return int((v.image_size // v.patch_size) ** 2 / config.scale_factor ** 2)


def processor(family: str, tok, image_processor, config):
    """The family's processor in memory, with its chat template."""
    from transformers import Idefics3Processor, LlavaProcessor, Qwen2VLProcessor

    template = TEMPLATES[family]
    if family == "llava":
        return LlavaProcessor(image_processor=image_processor, tokenizer=tok, patch_size=14,
                              vision_feature_select_strategy="default", num_additional_image_tokens=1,
                              chat_template=template)
    if family == "idefics3":
        return Idefics3Processor(image_processor=image_processor, tokenizer=tok, image_seq_len=image_seq_len(config),
                                 chat_template=template)
    from plvm_photos.engines.vlm.model import images_only

    try:
        return Qwen2VLProcessor(image_processor=image_processor, tokenizer=tok, chat_template=template)
    except (ImportError, AttributeError, ValueError):  # no torchvision for its video processor
        return images_only(Qwen2VLProcessor)(image_processor=image_processor, tokenizer=tok, chat_template=template)


def build(family: str, real: bool = False, dtype=None, device: str = "cpu"):
    """A random model of ``family`` in memory, and its tokenizer, image processor and template."""
    import torch
    from transformers import AutoModelForImageTextToText

    tok = tokenizer(family)
    config, image_processor = configs(family, real, tok)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype or torch.float32)
    try:
        with torch.device(device):
            model = AutoModelForImageTextToText.from_config(config)
    finally:
        torch.set_default_dtype(previous)
    return model.eval(), tok, image_processor


def save(family: str, folder: Path, real: bool = False, seed: int = 0) -> Path:
    """Save a random ``family`` model in the published checkpoints' layout: what the vlm engine loads."""
    import torch

    torch.manual_seed(seed)
    model, tok, image_processor = build(family, real)
    folder = Path(folder)
    model.save_pretrained(folder)
    if family == "qwen2_vl":
        # Like Qwen/Qwen2-VL-2B-Instruct: no processor_config.json, AutoProcessor goes by the model type.
        tok.save_pretrained(folder)
        image_processor.save_pretrained(folder)
        (folder / "chat_template.jinja").write_text(TEMPLATES[family])
    else:
        processor(family, tok, image_processor, model.config).save_pretrained(folder)
    (folder / "random_model.json").write_text(json.dumps({"family": family, "real_shape": real, "seed": seed}))
    return folder
