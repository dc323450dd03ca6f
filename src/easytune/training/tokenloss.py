"""Cross-entropy computed only where a label is: the vocabulary projection skips the rest.

Chat data with the loss on the assistant's tokens leaves about half the positions without a
label, and the full-vocabulary logits are the largest activation of a small model (8 rows of
256 tokens times 49,152 entries is 400 MB in fp32, twice with its gradient). Running the
decoder, keeping the hidden states of the labelled positions and projecting only those gives
the model's own loss (the mean over labelled, shifted positions) at a fraction of the cost.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from easytune.training.loop import Batch, model_inputs, model_loss

IGNORE_INDEX = -100
# Config fields that change the logits after the projection: those models keep their own loss.
_LOGIT_TRANSFORMS = ("final_logit_softcapping", "logit_scale", "logits_scaling")


def _transforms_logits(config: Any) -> bool:
    values = (getattr(config, name, None) for name in _LOGIT_TRANSFORMS)
    changed = any(v is not None and v != 1 for v in values)
    return changed or bool(getattr(config, "output_router_logits", False))


def decoder_and_head(model: nn.Module) -> tuple[nn.Module, nn.Module] | None:
    """(decoder, lm_head) of a causal LM, through a PEFT wrapper; None where unsafe to split.

    A DistributedDataParallel wrapper must see the forward call to synchronise gradients,
    and some architectures transform logits or add an auxiliary loss: those return None.
    """
    if isinstance(model, nn.parallel.DistributedDataParallel):
        return None
    get_base = getattr(model, "get_base_model", None)
    base = get_base() if callable(get_base) else model
    get_decoder = getattr(base, "get_decoder", None)
    get_head = getattr(base, "get_output_embeddings", None)
    if not callable(get_decoder) or not callable(get_head):
        return None
    decoder, head = get_decoder(), get_head()
    if decoder is None or head is None or _transforms_logits(getattr(base, "config", None)):
        return None
    return decoder, head


def label_only_loss(model: nn.Module, batch: Batch) -> torch.Tensor:
    """The model's causal-LM loss, with logits computed only at labelled positions."""
    parts = decoder_and_head(model)
    inputs = model_inputs(batch)
    labels = inputs.pop("labels", None)
    if parts is None or labels is None:
        return model_loss(model, batch)
    decoder, head = parts
    hidden = decoder(**inputs).last_hidden_state  # use_cache as configured, like forward()
    return loss_from_hidden(head, hidden, labels)


def loss_from_hidden(head: nn.Module, hidden: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the labelled, shifted positions, projecting only their hidden states."""
    targets = labels[:, 1:]
    keep = targets != IGNORE_INDEX
    logits = head(hidden[:, :-1][keep]).float()
    return F.cross_entropy(logits, targets[keep])
