"""Cross-entropy computed only where a label is: the vocabulary projection skips the rest.

Chat data with the loss on the assistant's tokens leaves about half the positions without a
label, and the full-vocabulary logits are the largest activation of a small model (8 rows of
256 tokens times 49,152 entries is 400 MB in fp32, twice with its gradient). Running the
decoder, keeping the hidden states of the labelled positions and projecting only those gives
the model's own loss (the mean over labelled, shifted positions) at a fraction of the cost.

Even those logits are large (about 800 labelled positions x 49,152 is 157 MB, with the fp32
softmax and its gradient three times that). When the head is a plain linear layer, the
projection and the cross-entropy are fused and chunked (`FusedHeadLoss`): each chunk of
positions is projected, its loss and its gradients (towards the hidden states and, when the head
trains, its weight) are computed at once, and the chunk's logits are freed before the next, so
no more than `CHUNK_VALUES` logits exist at any time and the backward pass has nothing to
recompute.
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
    kept, wanted = hidden[:, :-1][keep], targets[keep]
    if type(head) is nn.Linear and kept.shape[0] > 0:  # not a LoRA- or quantised-wrapped head
        loss: torch.Tensor = FusedHeadLoss.apply(kept, head.weight, head.bias, wanted)  # type: ignore[no-untyped-call]
        return loss
    return F.cross_entropy(head(kept).float(), wanted)


CHUNK_VALUES = 2**24  # logits alive at once in the fused loss: 64 MiB in fp32


class FusedHeadLoss(torch.autograd.Function):
    """mean cross-entropy(hidden @ weight.T + bias, targets), chunk by chunk over positions.

    The forward pass computes the gradients as it goes (softmax minus one-hot, divided by the
    count, times the weight or the hidden states) and keeps only those: the same numbers as
    autograd through the full logits, to rounding, with a fraction of the memory.
    """

    @staticmethod
    def forward(
        ctx: Any,
        hidden: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        targets: torch.Tensor,
    ) -> torch.Tensor:
        count = hidden.shape[0]
        step = max(1, CHUNK_VALUES // weight.shape[0])
        grads = _Grads.for_inputs(ctx.needs_input_grad, hidden, weight, bias)
        total = torch.zeros((), dtype=torch.float32, device=hidden.device)
        for start in range(0, count, step):
            part, wanted = hidden[start : start + step], targets[start : start + step]
            logits = F.linear(part, weight, bias).float()
            norm = torch.logsumexp(logits, dim=-1)
            rows = torch.arange(len(wanted), device=logits.device)
            total += (norm - logits[rows, wanted]).sum()
            if grads.any:
                probs = logits.sub_(norm.unsqueeze(-1)).exp_()  # softmax, in the logits' storage
                probs[rows, wanted] -= 1.0
                grads.add(slice(start, start + step), probs.div_(count), part, weight)
        ctx.grads = grads
        return total / count

    @staticmethod
    def backward(ctx: Any, grad_output: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        grads: _Grads = ctx.grads
        ctx.grads = None
        return (*grads.scaled(grad_output), None)


class _Grads:
    """The fused loss's gradients, accumulated chunk by chunk (None where none is needed)."""

    def __init__(
        self,
        hidden: torch.Tensor | None,
        weight: torch.Tensor | None,
        bias: torch.Tensor | None,
        dtypes: tuple[torch.dtype, torch.dtype],
    ) -> None:
        self.hidden, self.weight, self.bias, self.dtypes = hidden, weight, bias, dtypes
        self.any = any(g is not None for g in (hidden, weight, bias))

    @classmethod
    def for_inputs(
        cls,
        needs: tuple[bool, ...],
        hidden: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
    ) -> _Grads:
        def zeros(like: torch.Tensor) -> torch.Tensor:
            return torch.zeros_like(like, dtype=torch.float32)

        return cls(
            torch.empty_like(hidden) if needs[0] else None,
            zeros(weight) if needs[1] else None,
            zeros(bias) if bias is not None and needs[2] else None,
            (hidden.dtype, weight.dtype),
        )

    def add(
        self, rows: slice, probs: torch.Tensor, part: torch.Tensor, weight: torch.Tensor
    ) -> None:
        """One chunk: `probs` is d(loss)/d(logits) of the chunk's positions `rows`."""
        if self.hidden is not None:
            self.hidden[rows] = (probs.to(weight.dtype) @ weight).to(self.hidden.dtype)
        if self.weight is not None:
            self.weight += probs.t() @ part.float()
        if self.bias is not None:
            self.bias += probs.sum(0)

    def scaled(self, by: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        hidden_dtype, weight_dtype = self.dtypes
        dtypes = (hidden_dtype, weight_dtype, weight_dtype)
        return tuple(
            None if g is None else (g * by).to(dtype)
            for g, dtype in zip((self.hidden, self.weight, self.bias), dtypes, strict=True)
        )
