"""Small pure builders for the optimizer, the learning-rate schedule and mixed precision."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from easytune.training.errors import BadSpecError

ScheduleFn = Callable[[float], float]  # progress after warm-up in [0, 1] -> factor

SCHEDULES: dict[str, ScheduleFn] = {
    "cosine": lambda progress: 0.5 * (1.0 + math.cos(math.pi * progress)),
    "linear": lambda progress: 1.0 - progress,
    "constant": lambda progress: 1.0,
}


def build_optimizer(
    model: nn.Module, learning_rate: float, weight_decay: float, paged: bool = False
) -> torch.optim.Optimizer:
    """AdamW over the trainable parameters only (the adapter); `paged` (QLoRA) keeps its
    states in paged memory that spills to the host instead of failing on a memory spike."""
    params = [p for p in model.parameters() if p.requires_grad]
    if paged:
        import bitsandbytes as bnb  # QLoRA's check_methods made sure it is installed

        optimizer: torch.optim.Optimizer = bnb.optim.PagedAdamW32bit(
            params, lr=learning_rate, weight_decay=weight_decay
        )
        return optimizer
    fused = bool(params) and all(p.is_cuda for p in params)
    return torch.optim.AdamW(params, lr=learning_rate, weight_decay=weight_decay, fused=fused)


def lr_factor(step: int, total_steps: int, warmup_steps: int, kind: str) -> float:
    """Linear warm-up from 0, then the named schedule down to 0 at `total_steps`."""
    if step < warmup_steps:
        return (step + 1) / (warmup_steps + 1)
    span = max(total_steps - warmup_steps, 1)
    return SCHEDULES[kind](min((step - warmup_steps) / span, 1.0))


def build_scheduler(
    optimizer: torch.optim.Optimizer, kind: str, total_steps: int, warmup_ratio: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """A LambdaLR over `lr_factor`; its state (the step count) is saved in checkpoints."""
    warmup = math.floor(total_steps * warmup_ratio)
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(step, total_steps, warmup, kind)
    )


def resolve_device(requested: str) -> str:
    """`auto` picks CUDA when present; an explicit `cuda` without a GPU is refused."""
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise BadSpecError(
            "train.device is cuda but no CUDA device is available: set train.device to auto or cpu",
            param="train.device",
        )
    return requested


def check_precision(precision: str, device: str) -> None:
    """fp16 needs CUDA; bf16 needs a GPU that supports it (or the CPU's bf16 autocast)."""
    if precision == "fp16" and device != "cuda":
        raise BadSpecError(
            "train.precision fp16 needs a CUDA GPU: use fp32 (or bf16) on CPU",
            param="train.precision",
        )
    if precision == "bf16" and device == "cuda" and not torch.cuda.is_bf16_supported():
        raise BadSpecError(
            "this GPU does not support bf16: use fp16 or fp32", param="train.precision"
        )


def base_dtype(precision: str, device: str) -> torch.dtype:
    """Base weights in half precision on GPU (the adapter stays fp32); fp32 on CPU."""
    if device == "cuda" and precision in ("bf16", "fp16"):
        return torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.float32


def build_scaler(precision: str, device: str) -> torch.amp.GradScaler | None:
    """Loss scaling only where fp16 gradients could underflow."""
    return torch.amp.GradScaler("cuda") if precision == "fp16" and device == "cuda" else None
