"""The KL anchor: KL(base || adapted) on the replayed answers' tokens, added to the loss.

The base's distribution comes from the same weights with the adapter disabled (peft's
`disable_adapter()`), so no second copy of the model is ever loaded.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from easytune.training.loop import REPLAY_MASK, Batch, model_inputs


def _scored(logits: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    # logits at position t predict token t + 1, as the labels are shifted inside the model.
    return F.log_softmax(logits[:, :-1][positions].float(), dim=-1)


def replay_kl(model: Any, batch: Batch, logits: torch.Tensor | None = None) -> torch.Tensor:
    """Mean per-token KL(base || adapted) over the replayed tokens (0 when the batch has none)."""
    mask = batch.get(REPLAY_MASK)
    inputs = {k: v for k, v in model_inputs(batch).items() if k != "labels"}
    if mask is None or not bool(mask[:, 1:].any()):
        return torch.zeros((), device=batch["input_ids"].device)
    positions = mask[:, 1:].bool()
    if logits is None:
        logits = model(**inputs).logits
    with torch.no_grad(), model.disable_adapter():
        base = _scored(model(**inputs).logits, positions)
    return F.kl_div(_scored(logits, positions), base, log_target=True, reduction="batchmean")


class KLAnchoredLoss:
    """The model's loss plus `weight` x the KL anchor on replayed tokens."""

    def __init__(self, weight: float) -> None:
        self.weight = weight

    def __call__(self, model: Any, batch: Batch) -> torch.Tensor:
        out = model(**model_inputs(batch))
        loss: torch.Tensor = out.loss
        if REPLAY_MASK not in batch:
            return loss
        return loss + self.weight * replay_kl(model, batch, out.logits)
