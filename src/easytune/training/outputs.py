"""Writing what a run leaves behind: checkpoints' contents, the final adapter, JSON reports.

User-facing files are safetensors and JSON only; the engine's own resume state
(engine_state.pt inside a checkpoint) is the one torch.save file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from easytune.training.checkpoint import (
    CheckpointManager,
    TrainState,
    load_engine_state,
    restore_rng,
    save_engine_state,
)
from easytune.training.errors import NonFiniteWeightsError

ADAPTER_WEIGHTS = "adapter_model.safetensors"


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary name, then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(
        json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=str),
        encoding="utf-8",
    )
    os.replace(tmp, path)


def non_finite_adapter_tensors(model: Any) -> list[str]:
    """Names of trainable (adapter) tensors holding NaN or inf."""
    return [
        name
        for name, param in model.named_parameters()
        if param.requires_grad and not bool(torch.isfinite(param).all())
    ]


def save_adapter(model: Any, folder: Path) -> None:
    """peft's own layout: adapter_model.safetensors + adapter_config.json."""
    model.save_pretrained(folder, safe_serialization=True)


def save_checkpoint(
    manager: CheckpointManager,
    state: TrainState,
    model: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    scaler: torch.amp.GradScaler | None,
) -> Path:
    """One atomic checkpoint: the adapter as peft writes it, plus the resume state."""

    def write(folder: Path) -> None:
        save_adapter(model, folder)
        save_engine_state(
            folder,
            optimizer=optimizer.state_dict(),
            scheduler=scheduler.state_dict(),
            scaler=scaler.state_dict() if scaler is not None else None,
        )

    return manager.save(state.step, write, state)


def load_checkpoint(
    folder: Path,
    model: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    scaler: torch.amp.GradScaler | None,
) -> TrainState:
    """Restore adapter weights, optimizer, scheduler, scaler and RNGs; return the state."""
    from peft import set_peft_model_state_dict

    set_peft_model_state_dict(model, load_file(folder / ADAPTER_WEIGHTS))
    engine = load_engine_state(folder)
    optimizer.load_state_dict(engine["optimizer"])
    scheduler.load_state_dict(engine["scheduler"])
    if scaler is not None and engine.get("scaler") is not None:
        scaler.load_state_dict(engine["scaler"])
    restore_rng(engine["rng"])
    return CheckpointManager.read_state(folder)


def write_final_adapter(model: Any, tokenizer: Any, target: Path) -> Path:
    """Check every adapter weight is finite, then write adapter + tokenizer atomically."""
    bad = non_finite_adapter_tensors(model)
    if bad:
        raise NonFiniteWeightsError(
            f"{len(bad)} adapter tensors hold NaN or inf (first: {bad[0]}); the adapter was not "
            "written: lower train.learning_rate or use fp32/bf16 precision",
            param="train.learning_rate",
        )
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    save_adapter(model, tmp)
    tokenizer.save_pretrained(tmp)
    if target.exists():
        shutil.rmtree(target)
    os.rename(tmp, target)
    return target
