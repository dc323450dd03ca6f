"""Atomic checkpoints: write to checkpoints/tmp-XXXX, fsync, rename to step-000123, then
write a COMPLETE marker. Resume reads only the newest folder that has the marker.

A checkpoint holds the adapter (safetensors + adapter_config.json, loadable by peft as it is),
the engine's resume state (`engine_state.pt`: optimizer, scheduler, grad scaler, RNG states;
read back with `weights_only=True`) and `state.json` (step, data position, counters).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

COMPLETE = "COMPLETE"
ENGINE_STATE = "engine_state.pt"
STATE_JSON = "state.json"
_STEP_DIR = re.compile(r"^step-(\d+)$")


@dataclass
class TrainState:
    """Counters and the data position; everything a resume needs that is not a tensor."""

    step: int = 0  # optimizer steps done
    epoch: int = 0  # epoch of the next micro-batch
    batch_index: int = 0  # micro-batches of that epoch already consumed
    tokens_seen: int = 0
    best_eval_loss: float | None = None
    evals_without_improvement: int = 0
    elapsed_s: float = 0.0
    spec_fingerprint: str = ""  # the spec that wrote the checkpoint (see recipe)
    history: list[dict[str, Any]] = field(default_factory=list)
    cf_history: list[dict[str, Any]] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)  # selection.EvalPoint rows
    best_step: int | None = None  # the step whose adapter is saved under best/ (see best.py)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainState:
        return cls(**data)


def capture_rng() -> dict[str, Any]:
    """Every RNG the run draws from, in a form `torch.load(weights_only=True)` reads back."""
    np_state: Any = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].copy()), *np_state[2:]],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    kind, keys, *rest = state["numpy"]
    np.random.set_state((kind, keys.numpy(), *rest))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


class CheckpointManager:
    """Writes, lists, prunes and reads the checkpoints of one run folder."""

    def __init__(self, root: str | Path, keep: int = 2) -> None:
        self.root = Path(root)
        self.keep = keep

    def _step_dirs(self) -> list[tuple[int, Path]]:
        if not self.root.is_dir():
            return []
        found = [
            (int(m.group(1)), p)
            for p in self.root.iterdir()
            if (m := _STEP_DIR.match(p.name)) and p.is_dir()
        ]
        return sorted(found)

    def complete(self) -> list[Path]:
        """Complete checkpoints, oldest first."""
        return [path for _, path in self._step_dirs() if (path / COMPLETE).is_file()]

    def latest(self) -> Path | None:
        done = self.complete()
        return done[-1] if done else None

    def save(self, step: int, write: Callable[[Path], None], state: TrainState) -> Path:
        """Write one checkpoint atomically; `write(folder)` puts the weights and tensors in."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=self.root))
        write(tmp)
        (tmp / STATE_JSON).write_text(json.dumps(state.to_json()), encoding="utf-8")
        _fsync_tree(tmp)
        final = self.root / f"step-{step:06d}"
        if final.exists():  # an incomplete leftover of a crash at this very step
            shutil.rmtree(final)
        os.rename(tmp, final)
        _write_synced(final / COMPLETE, str(step))
        _fsync_dir(self.root)
        self.prune()
        return final

    def prune(self) -> None:
        """Keep the newest `keep` complete checkpoints; drop older ones and stale temporaries."""
        for path in self.complete()[: -self.keep]:
            shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob("tmp-*"):
            shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def read_state(folder: Path) -> TrainState:
        return TrainState.from_json(json.loads((folder / STATE_JSON).read_text(encoding="utf-8")))


def save_engine_state(folder: Path, **parts: Any) -> None:
    """The resume tensors (optimizer, scheduler, scaler, RNG); not a user-facing artifact."""
    torch.save({**parts, "rng": capture_rng()}, folder / ENGINE_STATE)


def load_engine_state(folder: Path) -> dict[str, Any]:
    state: dict[str, Any] = torch.load(folder / ENGINE_STATE, weights_only=True, map_location="cpu")
    return state
