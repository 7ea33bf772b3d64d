import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.plvm_model.tiny import IMAGE_SIZE, PATCH  # noqa: E402

from plvm_model.aligner import Aligner, AlignerHeads  # noqa: E402
from plvm_model.config import AlignerConfig  # noqa: E402
from plvm_model.param_count import aligner_param_count  # noqa: E402


def test_aligner_output_shapes(plvm, tiny_config):
    px = torch.randn(3, 3, IMAGE_SIZE, IMAGE_SIZE)
    out = plvm.aligner(px)
    h = plvm.lvlm.config.text_config.hidden_size
    assert out.e_word.shape == (3, h)
    assert out.e_weight.shape == (3, h)
    assert out.context.shape == (3, tiny_config.aligner.num_queries, h)
    # e_word and e_weight come from the global token only; context from the other tokens
    assert not torch.allclose(out.e_word, out.e_weight)


def test_heads_read_global_token_for_mlps_and_rest_for_resampler():
    heads = AlignerHeads(8, 12, AlignerConfig(num_queries=3, mlp_hidden=16, resampler_hidden=8, resampler_heads=2))
    z = torch.randn(2, 5, 8)
    z2 = z.clone()
    z2[:, 1:] += 1.0
    a, b = heads(z), heads(z2)
    assert torch.equal(a.e_word, b.e_word) and torch.equal(a.e_weight, b.e_weight)
    assert not torch.allclose(a.context, b.context)


def test_param_count_formula_matches_modules():
    cfg = AlignerConfig(num_queries=5, mlp_hidden=24, resampler_hidden=16, resampler_blocks=3, resampler_heads=4)
    heads = AlignerHeads(20, 36, cfg)
    assert sum(p.numel() for p in heads.parameters()) == aligner_param_count(20, 36, cfg).total


def test_paper_parameter_count_without_allocating():
    """DINOv2-base (768) -> LLaVA-1.5-7B (4096): ~128 M trainable, 1.8 % of LLaVA's 7063 M."""
    from transformers import CLIPVisionConfig, Dinov2Config, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration

    dino = Dinov2Config()  # defaults are dinov2-base
    llama = LlamaConfig(vocab_size=32064, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                        num_attention_heads=32, num_key_value_heads=32)
    clip = CLIPVisionConfig(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                            image_size=336, patch_size=14, projection_dim=768)
    with torch.device("meta"):
        llava = LlavaForConditionalGeneration(LlavaConfig(vision_config=clip, text_config=llama, image_token_id=32000))
        heads = AlignerHeads(dino.hidden_size, llama.hidden_size, AlignerConfig())
    n_llava = sum(p.numel() for p in llava.parameters())
    n_heads = sum(p.numel() for p in heads.parameters())
    assert n_heads == aligner_param_count(768, 4096, AlignerConfig()).total == 128_822_272
    assert abs(n_llava / 1e6 - 7063) < 1.0
    assert round(100 * n_heads / n_llava, 1) == 1.8


@pytest.mark.parametrize("kind", ["clip", "vit"])
def test_other_encoders_are_selectable(kind):
    from transformers import CLIPConfig, CLIPModel, ViTConfig, ViTModel

    small = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                 image_size=IMAGE_SIZE, patch_size=PATCH)
    if kind == "clip":
        encoder = CLIPModel(CLIPConfig(vision_config=small, text_config=dict(hidden_size=16, intermediate_size=32,
                                                                              num_hidden_layers=1, num_attention_heads=2)))
    else:
        encoder = ViTModel(ViTConfig(**small))
    aligner = Aligner(encoder, 24, AlignerConfig(num_queries=2, mlp_hidden=8, resampler_hidden=8, resampler_heads=2))
    out = aligner(torch.randn(1, 3, IMAGE_SIZE, IMAGE_SIZE))
    assert out.context.shape == (1, 2, 24) and out.e_word.shape == (1, 24)
    assert not any(p.requires_grad for p in aligner.encoder.parameters())
