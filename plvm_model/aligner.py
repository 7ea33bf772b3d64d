"""The Aligner (paper section 3.1): a frozen reference encoder plus the trainable heads.

    z_ref = E_ref(I)                      (L, d)
    e_word   = f_phi1(z_ref[0])           (H,)   word embedding of <sks>
    e_weight = f_phi2(z_ref[0])           (H,)   output-head row of <sks>
    context  = T_theta(Q, z_ref[1:])      (k, H) embeddings of <token_1> ... <token_k>

Only f_phi1, f_phi2 and T_theta are trained; the encoder stays frozen.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .config import AlignerConfig


@dataclass
class AlignerOutput:
    e_word: torch.Tensor  # (B, H)
    e_weight: torch.Tensor  # (B, H)
    context: torch.Tensor  # (B, k, H)


class ConceptMLP(nn.Module):
    """3 linear layers with GELU: d -> hidden -> hidden -> H."""

    def __init__(self, in_dim: int, hidden: int, out_dim: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_dim, hidden),
            nn.GELU(),
            nn.Linear(hidden, hidden),
            nn.GELU(),
            nn.Linear(hidden, out_dim),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CrossAttentionBlock(nn.Module):
    """Pre-norm block: queries attend to the encoder tokens, then a GELU feed-forward."""

    def __init__(self, hidden: int, heads: int, ffn_mult: int):
        super().__init__()
        self.norm_q = nn.LayerNorm(hidden)
        self.norm_kv = nn.LayerNorm(hidden)
        self.attn = nn.MultiheadAttention(hidden, heads, batch_first=True)
        self.norm_ffn = nn.LayerNorm(hidden)
        self.ffn = nn.Sequential(
            nn.Linear(hidden, hidden * ffn_mult), nn.GELU(), nn.Linear(hidden * ffn_mult, hidden)
        )

    def forward(self, queries: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        kv = self.norm_kv(tokens)
        attended, _ = self.attn(self.norm_q(queries), kv, kv, need_weights=False)
        queries = queries + attended
        return queries + self.ffn(self.norm_ffn(queries))


class Resampler(nn.Module):
    """T_theta: k learnable queries cross-attend to z_ref[1:] and become k LLM-sized embeddings."""

    def __init__(self, in_dim: int, out_dim: int, config: AlignerConfig):
        super().__init__()
        hidden = config.resampler_hidden
        self.queries = nn.Parameter(torch.randn(config.num_queries, hidden) * hidden**-0.5)
        self.proj_in = nn.Linear(in_dim, hidden)
        self.blocks = nn.ModuleList(
            CrossAttentionBlock(hidden, config.resampler_heads, config.resampler_ffn_mult)
            for _ in range(config.resampler_blocks)
        )
        self.norm_out = nn.LayerNorm(hidden)
        self.proj_out = nn.Linear(hidden, out_dim)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        tokens = self.proj_in(tokens)
        queries = self.queries.unsqueeze(0).expand(tokens.shape[0], -1, -1)
        for block in self.blocks:
            queries = block(queries, tokens)
        return self.proj_out(self.norm_out(queries))


class AlignerHeads(nn.Module):
    """The trainable part of the Aligner: f_phi1, f_phi2 and T_theta."""

    def __init__(self, encoder_dim: int, llm_dim: int, config: AlignerConfig):
        super().__init__()
        self.config = config
        self.word_mlp = ConceptMLP(encoder_dim, config.mlp_hidden, llm_dim)  # f_phi1
        self.weight_mlp = ConceptMLP(encoder_dim, config.mlp_hidden, llm_dim)  # f_phi2
        self.resampler = Resampler(encoder_dim, llm_dim, config)  # T_theta

    def forward(self, z_ref: torch.Tensor) -> AlignerOutput:
        global_token, rest = z_ref[:, 0], z_ref[:, 1:]
        return AlignerOutput(
            e_word=self.word_mlp(global_token),
            e_weight=self.weight_mlp(global_token),
            context=self.resampler(rest),
        )


def encoder_hidden_size(encoder_config) -> int:
    """Feature width of a DINOv2 / ViT / CLIP (vision or full) config."""
    vision = getattr(encoder_config, "vision_config", None)
    return (vision or encoder_config).hidden_size


def vision_tower(model: nn.Module) -> nn.Module:
    """A full CLIP model carries its image tower as ``vision_model``; other encoders are the tower."""
    return getattr(model, "vision_model", model)


class Aligner(nn.Module):
    """Frozen reference encoder E_ref + trainable :class:`AlignerHeads`."""

    def __init__(self, encoder: nn.Module, llm_dim: int, config: AlignerConfig):
        super().__init__()
        self.encoder = vision_tower(encoder)
        self.encoder.requires_grad_(False)
        self.encoder.eval()
        self.heads = AlignerHeads(encoder_hidden_size(self.encoder.config), llm_dim, config)

    def train(self, mode: bool = True) -> "Aligner":
        super().train(mode)
        self.encoder.eval()  # frozen: keep dropout and friends off
        return self

    def encode(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """z_ref: the encoder's last hidden states, global token first."""
        with torch.no_grad():
            return self.encoder(pixel_values=pixel_values).last_hidden_state

    def forward(self, pixel_values: torch.Tensor) -> AlignerOutput:
        z_ref = self.encode(pixel_values.to(self.encoder.dtype))
        return self.heads(z_ref.to(self.heads.word_mlp.net[0].weight.dtype))
