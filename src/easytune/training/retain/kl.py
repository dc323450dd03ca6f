"""The KL anchor: KL(base || adapted) on the replayed answers' tokens, added to the loss.

The base's distribution comes from the same weights with the adapter disabled (peft's
`disable_adapter()`), so no second copy of the model is ever loaded. Like the label-only loss
(training/tokenloss.py), the vocabulary projection runs only where it is needed: the adapted
model's hidden states are shared with the cross-entropy, and the base pass runs only on the
rows that carry replayed tokens, cut after the last of them (causal attention: later tokens do
not change earlier logits), projecting only the replayed positions.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from easytune.training.loop import REPLAY_MASK, Batch, model_inputs
from easytune.training.tokenloss import decoder_and_head, loss_from_hidden


def _scored(logits: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    # logits at position t predict token t + 1, as the labels are shifted inside the model.
    return F.log_softmax(logits[:, :-1][positions].float(), dim=-1)


def _positions(batch: Batch) -> torch.Tensor | None:
    """Which shifted positions are replayed tokens (None when the batch has none)."""
    mask = batch.get(REPLAY_MASK)
    if mask is None or not bool(mask[:, 1:].any()):
        return None
    return mask[:, 1:].bool()


def _base_rows(inputs: Batch, positions: torch.Tensor) -> tuple[Batch, torch.Tensor]:
    """The inputs of the rows with replayed tokens, up to the last one, and their positions."""
    rows = positions.any(dim=1)
    width = int(positions.any(dim=0).nonzero().max()) + 2  # shifted index + 1, plus its token
    cut = {k: v[rows, :width] for k, v in inputs.items()}
    return cut, positions[rows, : width - 1]


def _full_logits_kl(
    model: Any, inputs: Batch, positions: torch.Tensor, logits: torch.Tensor | None
) -> torch.Tensor:
    """The anchor through the model's own forward (models whose head cannot be split off)."""
    if logits is None:
        logits = model(**inputs).logits
    with torch.no_grad(), model.disable_adapter():
        base = _scored(model(**inputs).logits, positions)
    return F.kl_div(_scored(logits, positions), base, log_target=True, reduction="batchmean")


def replay_kl(model: Any, batch: Batch, hidden: torch.Tensor | None = None) -> torch.Tensor:
    """Mean per-token KL(base || adapted) over the replayed tokens (0 when the batch has none).

    `hidden`: the adapted decoder's last hidden states for this batch, when the caller has them.
    """
    positions = _positions(batch)
    if positions is None:
        return torch.zeros((), device=batch["input_ids"].device)
    inputs = {k: v for k, v in model_inputs(batch).items() if k != "labels"}
    parts = decoder_and_head(model)
    if parts is None:
        return _full_logits_kl(model, inputs, positions, None)
    decoder, head = parts
    if hidden is None:
        hidden = decoder(**inputs).last_hidden_state
    adapted = F.log_softmax(head(hidden[:, :-1][positions]).float(), dim=-1)
    rows, row_positions = _base_rows(inputs, positions)
    with torch.no_grad(), model.disable_adapter():
        base_hidden = decoder(**rows).last_hidden_state
        base = F.log_softmax(head(base_hidden[:, :-1][row_positions]).float(), dim=-1)
    return F.kl_div(adapted, base, log_target=True, reduction="batchmean")


class KLAnchoredLoss:
    """The label-only cross-entropy plus `weight` x the KL anchor on replayed tokens, from one
    pass of the adapted decoder."""

    def __init__(self, weight: float) -> None:
        self.weight = weight

    def __call__(self, model: nn.Module, batch: Batch) -> torch.Tensor:
        parts = decoder_and_head(model)
        inputs = model_inputs(batch)
        labels = inputs.pop("labels", None)
        if parts is None or labels is None:
            out = model(**model_inputs(batch))
            loss: torch.Tensor = out.loss
            positions = _positions(batch)
            if positions is None:
                return loss
            plain = {k: v for k, v in inputs.items()}
            return loss + self.weight * _full_logits_kl(model, plain, positions, out.logits)
        decoder, head = parts
        hidden = decoder(**inputs).last_hidden_state
        loss = loss_from_hidden(head, hidden, labels)
        if _positions(batch) is None:
            return loss
        return loss + self.weight * replay_kl(model, batch, hidden)
