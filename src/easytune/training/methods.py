"""Adapter methods, registered by name: LoRA, DoRA, rsLoRA and QLoRA.

A spec switches methods on through `lora.use_dora`, `lora.use_rslora` and
`lora.quantization`; each active method adds its LoraConfig arguments, its model-loading
arguments and its own machine checks. LoRA is the base every run uses.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from easytune.training.errors import BadSpecError, MethodUnavailableError
from easytune.training.facts import HardwareFacts
from easytune.training.model import discover_modules
from easytune.training.spec import LoraSpec


def _no_kwargs(spec: LoraSpec) -> dict[str, Any]:
    return {}


def _no_load_kwargs(spec: LoraSpec, compute_dtype: torch.dtype) -> dict[str, Any]:
    return {}


def _no_problems(spec: LoraSpec, hardware: HardwareFacts) -> list[str]:
    return []


def _no_prepare(model: Any, gradient_checkpointing: bool) -> Any:
    return model


@dataclass(frozen=True)
class AdapterMethod:
    """One method: when it is on, what it adds to LoraConfig and loading, what it needs."""

    name: str
    help: str
    active: Callable[[LoraSpec], bool]
    lora_kwargs: Callable[[LoraSpec], dict[str, Any]] = _no_kwargs
    load_kwargs: Callable[[LoraSpec, torch.dtype], dict[str, Any]] = _no_load_kwargs
    problems: Callable[[LoraSpec, HardwareFacts], list[str]] = _no_problems
    prepare: Callable[[Any, bool], Any] = field(default=_no_prepare)


METHODS: dict[str, AdapterMethod] = {}


def register_method(method: AdapterMethod) -> AdapterMethod:
    """Add a method to the registry; a second method under the same name is refused."""
    if method.name in METHODS:
        raise ValueError(f"adapter method {method.name!r} is already registered")
    METHODS[method.name] = method
    return method


def _qlora_problems(spec: LoraSpec, hardware: HardwareFacts) -> list[str]:
    problems = []
    if hardware.device != "cuda":
        problems.append(
            "QLoRA (lora.quantization=4bit) needs a CUDA GPU and this machine has "
            "none: set lora.quantization=none to train plain LoRA here, or run the "
            "job on a GPU host"
        )
    if not hardware.bitsandbytes:
        problems.append(
            "QLoRA (lora.quantization=4bit) needs the bitsandbytes package: "
            "`pip install bitsandbytes` on the GPU host, or set "
            "lora.quantization=none"
        )
    return problems


def _qlora_load_kwargs(spec: LoraSpec, compute_dtype: torch.dtype) -> dict[str, Any]:
    from transformers import BitsAndBytesConfig

    config = BitsAndBytesConfig(  # type: ignore[no-untyped-call]
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute_dtype,
    )
    return {"quantization_config": config}


def _qlora_prepare(model: Any, gradient_checkpointing: bool) -> Any:
    from peft import prepare_model_for_kbit_training

    return prepare_model_for_kbit_training(  # type: ignore[no-untyped-call]
        model, use_gradient_checkpointing=gradient_checkpointing
    )


register_method(
    AdapterMethod(
        name="lora", help="low-rank adapters on the target linear layers", active=lambda spec: True
    )
)
register_method(
    AdapterMethod(
        name="dora",
        help="weight-decomposed LoRA (magnitude + direction)",
        active=lambda spec: spec.use_dora,
        lora_kwargs=lambda spec: {"use_dora": True},
    )
)
register_method(
    AdapterMethod(
        name="rslora",
        help="rank-stabilised scaling alpha/sqrt(r)",
        active=lambda spec: spec.use_rslora,
        lora_kwargs=lambda spec: {"use_rslora": True},
    )
)
register_method(
    AdapterMethod(
        name="qlora",
        help="LoRA on a 4-bit NF4 base model (bitsandbytes, CUDA)",
        active=lambda spec: spec.quantization == "4bit",
        load_kwargs=_qlora_load_kwargs,
        problems=_qlora_problems,
        prepare=_qlora_prepare,
    )
)


def active_methods(spec: LoraSpec) -> list[AdapterMethod]:
    """The registered methods this spec switches on, LoRA first."""
    return [method for method in METHODS.values() if method.active(spec)]


def check_methods(spec: LoraSpec, hardware: HardwareFacts) -> None:
    """Refuse, with every reason at once, methods this machine cannot run."""
    problems = [p for method in active_methods(spec) for p in method.problems(spec, hardware)]
    if problems:
        raise MethodUnavailableError("; ".join(problems), param="lora.quantization")


def method_load_kwargs(spec: LoraSpec, compute_dtype: torch.dtype) -> dict[str, Any]:
    """Extra `from_pretrained` arguments the active methods need (QLoRA's quantization)."""
    kwargs: dict[str, Any] = {}
    for method in active_methods(spec):
        kwargs.update(method.load_kwargs(spec, compute_dtype))
    return kwargs


def _check_targets(model: nn.Module, targets: list[str]) -> None:
    names = [name for name, _ in model.named_modules()]
    missing = [t for t in targets if not any(n == t or n.endswith("." + t) for n in names)]
    if missing:
        found = ", ".join(discover_modules(model).all())
        raise BadSpecError(
            f"lora.target_modules {missing} match no module of this model; its linear modules "
            f"are: {found}",
            param="lora.target_modules",
        )


def _uses_conv1d(model: nn.Module, targets: list[str]) -> bool:
    from transformers.pytorch_utils import Conv1D

    return any(
        isinstance(module, Conv1D) and any(name.endswith("." + t) for t in targets)
        for name, module in model.named_modules()
    )


def build_lora_config(spec: LoraSpec, model: nn.Module) -> Any:
    """The peft LoraConfig for this spec and model (fan_in_fan_out set for GPT-2's Conv1D)."""
    from peft import LoraConfig, TaskType

    _check_targets(model, spec.target_modules)
    kwargs: dict[str, Any] = {}
    for method in active_methods(spec):
        kwargs.update(method.lora_kwargs(spec))
    return LoraConfig(
        task_type=TaskType.CAUSAL_LM,
        r=spec.r,
        # An integral alpha is written as an int, as other tools write adapter_config.json.
        lora_alpha=int(spec.alpha) if spec.alpha.is_integer() else spec.alpha,  # type: ignore[arg-type]
        lora_dropout=spec.dropout,
        target_modules=list(spec.target_modules),
        fan_in_fan_out=_uses_conv1d(model, spec.target_modules),
        bias="none",
        **kwargs,
    )


def apply_adapter(model: Any, spec: LoraSpec, *, gradient_checkpointing: bool = False) -> Any:
    """Wrap the base model in a trainable peft model for the active methods."""
    from peft import get_peft_model

    for method in active_methods(spec):
        model = method.prepare(model, gradient_checkpointing)
    config = build_lora_config(spec, model)
    with warnings.catch_warnings():
        # peft 0.21 reads a property transformers 5 deprecated; nothing a user can act on.
        warnings.filterwarnings(
            "ignore", message=".*is_gradient_checkpointing", category=FutureWarning
        )
        return get_peft_model(model, config)
