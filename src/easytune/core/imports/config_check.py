"""adapter_config.json: a LoRA config whose rank, alpha and target modules make sense for the
named base (target modules exist there and are linear layers, not embeddings or the head)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from easytune.core.imports.base_index import BaseIndex
from easytune.core.imports.findings import Findings

CONFIG = "adapter_config.json"


@dataclass(frozen=True)
class LoraBounds:
    """Sane LoRA settings, and the largest update relative to the base weight it changes."""

    max_rank: int = 256
    max_scale: float = 16.0  # lora_alpha / r (or / sqrt(r) with rsLoRA)
    max_relative_update: float = 1.0


@dataclass(frozen=True)
class LoraSettings:
    """What the tensor checks need from a valid config."""

    rank: int
    scale: float
    targets: frozenset[str]
    modules_to_save: frozenset[str]
    fan_in_fan_out: bool


def check_config(
    path: Path, base: BaseIndex, bounds: LoraBounds, findings: Findings
) -> LoraSettings | None:
    """The config's LoRA settings, or None with the reasons added."""
    config = _load(path, findings)
    if config is None:
        return None
    _check_method(config, findings)
    rank, scale = _rank_and_scale(config, bounds, findings)
    targets = _names(config, "target_modules", findings, required=True)
    to_save = _names(config, "modules_to_save", findings, required=False)
    _check_targets(targets, base, findings)
    if not findings.passed:
        return None
    return LoraSettings(rank, scale, targets, to_save, bool(config.get("fan_in_fan_out")))


def _load(path: Path, findings: Findings) -> dict[str, Any] | None:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        findings.add(
            "bad_config", f"adapter_config.json is not valid JSON ({exc})", "adapter_config.json"
        )
        return None
    if not isinstance(config, dict):
        findings.add(
            "bad_config", "adapter_config.json must hold a JSON object", "adapter_config.json"
        )
        return None
    return config


def _check_method(config: dict[str, Any], findings: Findings) -> None:
    if config.get("peft_type") != "LORA":
        findings.add(
            "bad_config",
            f"peft_type is {config.get('peft_type')!r}; only LoRA "
            'adapters ("LORA") can be imported',
            "peft_type",
        )
    for key in ("use_dora", "rank_pattern", "alpha_pattern", "layers_pattern"):
        if config.get(key):
            findings.add(
                "bad_config",
                f"{key} is set; imports take plain LoRA with one rank and alpha for every module",
                key,
            )
    if config.get("bias", "none") != "none":
        findings.add(
            "outside_lora",
            f"bias is {config.get('bias')!r}: the adapter would "
            'replace base biases; imports take bias "none"',
            "bias",
        )


def _rank_and_scale(
    config: dict[str, Any], bounds: LoraBounds, findings: Findings
) -> tuple[int, float]:
    rank, alpha = config.get("r"), config.get("lora_alpha")
    if not isinstance(rank, int) or isinstance(rank, bool) or not 1 <= rank <= bounds.max_rank:
        findings.add(
            "bad_rank", f"r is {rank!r}; give an integer rank from 1 to {bounds.max_rank}", "r"
        )
        return 0, 0.0
    if not isinstance(alpha, int | float) or isinstance(alpha, bool) or not alpha > 0:
        findings.add("bad_alpha", f"lora_alpha is {alpha!r}; give a positive number", "lora_alpha")
        return rank, 0.0
    scale = alpha / (math.sqrt(rank) if config.get("use_rslora") else rank)
    if not math.isfinite(scale) or scale > bounds.max_scale:
        findings.add(
            "bad_alpha",
            f"lora_alpha / r is {scale:g}, over {bounds.max_scale:g}: "
            "such a scale multiplies the update far beyond normal fine-tunes",
            "lora_alpha",
        )
    return rank, scale


def _names(
    config: dict[str, Any], key: str, findings: Findings, *, required: bool
) -> frozenset[str]:
    value = config.get(key)
    if value is None and not required:
        return frozenset()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        findings.add(
            "bad_config",
            f"{key} must be a list of module names (a regular "
            "expression or 'all-linear' is not accepted for imports)",
            key,
        )
        return frozenset()
    return frozenset(value)


def _check_targets(targets: frozenset[str], base: BaseIndex, findings: Findings) -> None:
    linear = {module.rsplit(".", 1)[-1] for module in base.linear_modules()}
    vocab = {
        key.removesuffix(".weight").rsplit(".", 1)[-1]
        for key, shape in base.shapes.items()
        if base.is_vocab(shape)
    }
    for target in sorted(targets):
        if target in vocab:
            findings.add(
                "outside_lora",
                f"target module {target!r} is an embedding or the "
                "output head; LoRA imports change linear layers only (declare a "
                "full replacement in modules_to_save)",
                "target_modules",
            )
        elif target not in linear:
            known = ", ".join(sorted(linear))
            message = f"target module {target!r} does not exist in the base model; it has {known}"
            findings.add("unknown_module", message, "target_modules")
