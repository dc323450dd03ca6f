"""Best checkpoint, not last: record every evaluation, keep the chosen one's adapter on disk.

The chosen evaluation's adapter is written to OUTPUT/best/step-N (atomically) as soon as it is
chosen, and the step goes into the resume state, so the choice survives a crash and resume.
Folders are only removed once the final adapter is written: an older checkpoint may still
point at an older best.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from safetensors.torch import load_file

from easytune.training.checkpoint import TrainState
from easytune.training.outputs import ADAPTER_WEIGHTS, save_adapter
from easytune.training.selection import Choice, EvalPoint, select, select_last


class BestKeeper:
    def __init__(self, root: Path, threshold: float, select_best: bool) -> None:
        self.root, self.threshold, self.select_best = root, threshold, select_best

    @staticmethod
    def points(state: TrainState) -> list[EvalPoint]:
        return [EvalPoint(**row) for row in state.evaluations]

    def choose(self, state: TrainState) -> Choice | None:
        rule = select if self.select_best else select_last
        return rule(self.points(state), self.threshold)

    def record(self, state: TrainState, point: EvalPoint, model: Any) -> None:
        """Add an evaluation; when it is the new choice, save its adapter under best/."""
        state.evaluations.append(point.to_dict())
        choice = self.choose(state) if self.select_best else None
        if choice is not None and choice.point.step == point.step != state.best_step:
            self._save(model, point.step)
            state.best_step = point.step

    def _folder(self, step: int) -> Path:
        return self.root / f"step-{step:06d}"

    def _save(self, model: Any, step: int) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=self.root))
        save_adapter(model, tmp)
        target = self._folder(step)
        if target.exists():
            shutil.rmtree(target)
        os.rename(tmp, target)

    def restore(self, state: TrainState, model: Any) -> Choice | None:
        """Load the chosen evaluation's adapter into `model` (unless it is the last step)."""
        from peft import set_peft_model_state_dict

        choice = self.choose(state)
        if choice is None or choice.point.step == state.step or not self.select_best:
            return choice
        weights = self._folder(choice.point.step) / ADAPTER_WEIGHTS
        set_peft_model_state_dict(model, load_file(weights))
        return choice

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
