"""Paper Eq. 2: cross-entropy over answer tokens with weight w on the Yes/No tokens."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def weighted_answer_loss(logits: torch.Tensor, labels: torch.Tensor, yes_no_mask: torch.Tensor,
                         w: float = 20.0) -> torch.Tensor:
    """L = sum_i (w*1_i + (1-1_i)) CE_i / sum_i (w*1_i + (1-1_i)) per sequence, averaged over the batch.

    ``logits`` (B, T, V) predict the token at t+1; ``labels`` (B, T) hold -100 outside the answer;
    ``yes_no_mask`` (B, T) marks the label positions of Yes/No answer words. The paper writes the
    normaliser as 1/W with W = 1/sum(...), i.e. division by the sum of the weights; with no Yes/No
    token the loss is Eq. 1's mean.
    """
    logits, labels, mask = logits[:, :-1], labels[:, 1:], yes_no_mask[:, 1:]
    valid = labels != -100
    ce = F.cross_entropy(logits.float().transpose(1, 2), labels.clamp(min=0), reduction="none")
    weights = torch.where(mask, torch.as_tensor(w, dtype=ce.dtype), torch.ones_like(ce)) * valid
    per_sequence = (weights * ce).sum(1) / weights.sum(1).clamp(min=1e-8)
    has_answer = valid.any(1)
    return per_sequence[has_answer].mean()
