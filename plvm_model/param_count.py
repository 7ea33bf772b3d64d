"""Parameter counts of the Aligner heads by arithmetic, so no big model is ever allocated."""

from __future__ import annotations

from dataclasses import dataclass

from .config import AlignerConfig


def _linear(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out


def _layer_norm(n: int) -> int:
    return 2 * n


@dataclass(frozen=True)
class AlignerParamCount:
    word_mlp: int
    weight_mlp: int
    resampler: int

    @property
    def total(self) -> int:
        return self.word_mlp + self.weight_mlp + self.resampler


def aligner_param_count(encoder_dim: int, llm_dim: int, config: AlignerConfig) -> AlignerParamCount:
    """Trainable parameters of :class:`plvm_model.aligner.AlignerHeads` for the given widths.

    With DINOv2-base (768) and LLaVA-1.5-7B (4096): 2 x 36.7 M (MLPs) + 55.4 M (resampler)
    = 128.8 M, the paper's 128 M.
    """
    h, r = config.mlp_hidden, config.resampler_hidden
    mlp = _linear(encoder_dim, h) + _linear(h, h) + _linear(h, llm_dim)
    block = (
        2 * _layer_norm(r)  # norm_q, norm_kv
        + 4 * _linear(r, r)  # q, k, v, out projections
        + _layer_norm(r)
        + _linear(r, r * config.resampler_ffn_mult)
        + _linear(r * config.resampler_ffn_mult, r)
    )
    resampler = (
        config.num_queries * r
        + _linear(encoder_dim, r)
        + config.resampler_blocks * block
        + _layer_norm(r)
        + _linear(r, llm_dim)
    )
    return AlignerParamCount(word_mlp=mlp, weight_mlp=mlp, resampler=resampler)
