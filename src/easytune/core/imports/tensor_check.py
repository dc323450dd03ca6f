"""adapter_model.safetensors: every tensor is a LoRA A/B pair of a targeted base module (or a
declared modules_to_save replacement), shaped for that module, finite, and its update
||B A|| * alpha / r small next to the base weight it changes."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from easytune.core.imports.base_index import BaseIndex
from easytune.core.imports.config_check import LoraBounds, LoraSettings
from easytune.core.imports.findings import Findings

PREFIX = "base_model.model."
_LORA = re.compile(r"^(?P<module>.+)\.lora_(?P<part>[AB])\.weight$")


def check_tensors(
    path: Path, base: BaseIndex, lora: LoraSettings, bounds: LoraBounds, findings: Findings
) -> None:
    """Add a reason for each tensor that does not belong, and record per-module norms."""
    from safetensors import SafetensorError, safe_open

    pairs: dict[str, dict[str, Any]] = defaultdict(dict)
    replaced: dict[str, Any] = {}
    try:
        with safe_open(str(path), framework="pt") as handle:
            for key in handle.keys():  # noqa: SIM118 (safe_open is not a mapping)
                _sort(key, handle.get_tensor(key), lora, base, pairs, replaced, findings)
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        findings.add("bad_weights", f"adapter_model.safetensors cannot be read ({exc})")
        return
    if not pairs:
        findings.add("bad_weights", "adapter_model.safetensors holds no LoRA tensors")
    norms = {m: _pair_norm(m, p, base, lora, bounds, findings) for m, p in sorted(pairs.items())}
    norms |= {k: _replacement_norm(k, t, base, bounds, findings) for k, t in replaced.items()}
    findings.facts["relative_update"] = {k: round(v, 6) for k, v in norms.items() if v is not None}


def _sort(
    key: str,
    tensor: Any,
    lora: LoraSettings,
    base: BaseIndex,
    pairs: dict[str, dict[str, Any]],
    replaced: dict[str, Any],
    findings: Findings,
) -> None:
    import torch

    if not tensor.is_floating_point():
        findings.add("bad_dtype", f"{key} is {tensor.dtype}; LoRA weights are floating point", key)
        return
    if not bool(torch.isfinite(tensor).all()):
        findings.add("non_finite", f"{key} holds NaN or infinite values", key)
        return
    name = key.removeprefix(PREFIX)
    match = _LORA.match(name) if key.startswith(PREFIX) else None
    if match:
        _lora_tensor(key, match["module"], match["part"], tensor, lora, base, pairs, findings)
    elif key.startswith(PREFIX) and _declared(name, lora.modules_to_save):
        _replacement(key, name, tensor, base, replaced, findings)
    else:
        findings.add(
            "outside_lora",
            f"{key} changes base weights outside the LoRA layers; "
            "only lora_A/lora_B of the target modules (and modules declared in "
            "modules_to_save) are accepted",
            key,
        )


def _lora_tensor(
    key: str,
    module: str,
    part: str,
    tensor: Any,
    lora: LoraSettings,
    base: BaseIndex,
    pairs: dict[str, dict[str, Any]],
    findings: Findings,
) -> None:
    shape = base.shapes.get(f"{module}.weight")
    if shape is None or module.rsplit(".", 1)[-1] not in lora.targets:
        findings.add(
            "unknown_module",
            f"{key}: {module} is not a target module of the base "
            "model named in adapter_config.json",
            key,
        )
        return
    out_dim, in_dim = (shape[1], shape[0]) if lora.fan_in_fan_out else (shape[0], shape[1])
    expected = (lora.rank, in_dim) if part == "A" else (out_dim, lora.rank)
    if tuple(tensor.shape) != expected:
        findings.add(
            "shape_mismatch",
            f"{key} has shape {tuple(tensor.shape)}; {module} with r={lora.rank} needs {expected}",
            key,
        )
        return
    pairs[module][part] = tensor


def _declared(name: str, modules_to_save: frozenset[str]) -> bool:
    parts = name.split(".")
    return any(part in modules_to_save for part in parts[:-1])


def _replacement(
    key: str, name: str, tensor: Any, base: BaseIndex, replaced: dict[str, Any], findings: Findings
) -> None:
    base_key = name.replace(".modules_to_save.default", "")
    if base.shapes.get(base_key) != tuple(tensor.shape):
        findings.add(
            "shape_mismatch",
            f"{key} replaces {base_key}, which the base has with shape {base.shapes.get(base_key)}",
            key,
        )
        return
    replaced[base_key] = tensor


def _pair_norm(
    module: str,
    pair: dict[str, Any],
    base: BaseIndex,
    lora: LoraSettings,
    bounds: LoraBounds,
    findings: Findings,
) -> float | None:
    import torch

    if set(pair) != {"A", "B"}:
        missing = "lora_B" if "A" in pair else "lora_A"
        findings.add("incomplete_module", f"{module} has no {missing} tensor", module)
        return None
    a, b = pair["A"].double(), pair["B"].double()
    # ||B A||_F^2 = trace((B^T B)(A A^T)): r x r products, never the full out x in update.
    update = float(torch.trace((b.T @ b) @ (a @ a.T)).clamp(min=0).sqrt()) * lora.scale
    return _relative(module, update, base.tensor(f"{module}.weight"), bounds, findings)


def _replacement_norm(
    key: str, tensor: Any, base: BaseIndex, bounds: LoraBounds, findings: Findings
) -> float | None:
    original = base.tensor(key)
    change = float((tensor.double() - original.double()).norm())
    return _relative(key, change, original, bounds, findings)


def _relative(
    where: str, update: float, weight: Any, bounds: LoraBounds, findings: Findings
) -> float:
    weight_norm = float(weight.double().norm())
    ratio = update / weight_norm if weight_norm > 0 else float("inf")
    if ratio > bounds.max_relative_update:
        findings.add(
            "update_too_large",
            f"{where}: the update is {ratio:.3g} times the base "
            f"weight's norm (limit {bounds.max_relative_update:g}); a fine-tune "
            "changes weights a little, this overwrites them",
            where,
        )
    return ratio
