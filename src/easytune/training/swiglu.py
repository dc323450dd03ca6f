"""SwiGLU feed-forward blocks that keep two activations for the backward pass instead of three.

Llama-style blocks compute `down(silu(gate(x)) * up(x))`. Autograd keeps `gate(x)` for the
SiLU, and `silu(gate(x))` and `up(x)` for the product: three values per intermediate unit per
token per layer, the largest activations of a small model (SmolLM2-135M: 1,536 of them against
576 hidden units). `SwiGLU` keeps `gate(x)` and `up(x)` and recomputes the SiLU (one sigmoid)
when the gradient comes: on SmolLM2-135M, batch 8 x 123 tokens, the step's peak resident
memory fell from 1,919 to 1,747 MiB at the same speed. The numbers are the same to float
rounding; only blocks of the known Llama-family classes with a SiLU are changed.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

# MLP classes whose forward is exactly down_proj(act_fn(gate_proj(x)) * up_proj(x)).
SWIGLU_BLOCKS = frozenset({"LlamaMLP", "MistralMLP", "Qwen2MLP", "Qwen3MLP"})


class SwiGLU(torch.autograd.Function):
    """silu(gate) * up, saving the inputs only."""

    @staticmethod
    def forward(ctx: Any, gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(gate, up)
        return F.silu(gate) * up

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        gate, up = ctx.saved_tensors
        sigmoid = torch.sigmoid(gate)
        grad_up = grad * gate * sigmoid
        grad_gate = grad * up * sigmoid * (1 + gate * (1 - sigmoid))
        return grad_gate, grad_up


def _forward(self: Any, x: torch.Tensor) -> torch.Tensor:
    gate, up = self.gate_proj(x), self.up_proj(x)
    product: torch.Tensor = SwiGLU.apply(gate, up)  # type: ignore[no-untyped-call]
    out: torch.Tensor = self.down_proj(product)
    return out


_LEAN: dict[type[nn.Module], type[nn.Module]] = {}


def _lean(cls: type[nn.Module]) -> type[nn.Module]:
    """`cls` with the lean forward, under the same name. A subclass rather than a bound method
    on each instance: a method stored on the module would make a reference cycle, so the model
    (and a DistributedDataParallel wrapper's reducer) would be freed only by the cyclic garbage
    collector, after the process group is gone, which aborts a torchrun rank at exit."""
    if cls not in _LEAN:
        _LEAN[cls] = type(cls.__name__, (cls,), {"forward": _forward, "__module__": cls.__module__})
    return _LEAN[cls]


def use_swiglu(model: nn.Module) -> int:
    """Give the model's SiLU-gated MLP blocks the lean forward; how many were changed."""
    changed = 0
    for module in model.modules():
        act = getattr(module, "act_fn", None)
        silu = isinstance(act, nn.SiLU) or type(act).__name__ == "SiLUActivation"
        if type(module).__name__ in SWIGLU_BLOCKS and silu:
            module.__class__ = _lean(type(module))
            changed += 1
    return changed
