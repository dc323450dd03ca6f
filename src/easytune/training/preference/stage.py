"""The preference part of a run, as small builders the recipe composes (see recipe.py)."""

from __future__ import annotations

from typing import Any

from easytune.training.pipeline import PreparedData
from easytune.training.preference.losses import DEFAULT_BETA, PreferenceLoss
from easytune.training.spec import TrainSpec


def is_preference(spec: TrainSpec) -> bool:
    """True when the run trains a preference method rather than next-token SFT."""
    return spec.train.method != "sft"


def build_loss(spec: TrainSpec) -> PreferenceLoss:
    """The method's loss with its beta (the method's usual one unless the spec sets it)."""
    method = spec.train.method
    beta = spec.preference.beta if spec.preference.beta is not None else DEFAULT_BETA[method]
    return PreferenceLoss(method, beta, spec.preference.gamma)


def build_data(spec: TrainSpec, tokenizer: Any) -> PreparedData:
    from easytune.training.preference.data import prepare_preference_data

    return prepare_preference_data(spec.data, spec.train.method, tokenizer, spec.train.batch_size)


def eval_row(loss: PreferenceLoss, model: Any, data: PreparedData) -> dict[str, float]:
    """The held-out preference loss (as eval_loss) and reward numbers for one evaluation."""
    if data.eval is None:
        return {}
    metrics = loss.evaluate(model, data.eval.epoch(0))
    row = {"eval_loss": metrics["loss"]}
    for key in ("reward_margin", "reward_accuracy"):
        if key in metrics:
            row[f"eval_{key}"] = metrics[key]
    return row
