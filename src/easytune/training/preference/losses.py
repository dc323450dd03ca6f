"""Preference losses on a LoRA adapter, registered by method name: DPO, ORPO, SimPO and KTO.

Each takes the model and a batch and returns the loss and the metrics preference runs are read
by: reward margin, reward accuracy, chosen and rejected log-probabilities. DPO and KTO compare
with the reference model, which is the same weights with the adapter disabled (no second
copy); ORPO and SimPO need no reference. Pair batches hold the chosen rows, then the rejected
(PairCollator); KTO batches hold one answer per row and a `kto_label` column.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from easytune.training.data.template import IGNORE_INDEX
from easytune.training.spec import DEFAULT_BETA, DEFAULT_GAMMA, PAIR_METHODS

__all__ = ["DEFAULT_BETA", "PAIR_METHODS", "PreferenceLoss"]

Batch = dict[str, torch.Tensor]
Metrics = dict[str, float]
KTO_LABEL = "kto_label"  # not a model input: 1 = desirable answer, 0 = undesirable


def answer_logps(model: Any, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's summed log-probability of its labelled tokens, and how many there are."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels = batch["labels"][:, 1:]
    mask = labels != IGNORE_INDEX
    logps = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    picked = torch.gather(logps, 2, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (picked * mask).sum(-1), mask.sum(-1).clamp(min=1)


def reference_logps(model: Any, batch: Batch) -> torch.Tensor:
    """The base model's answer log-probabilities: the adapter disabled, no gradient."""
    inner = getattr(model, "module", model)  # under DDP: the wrapped PeftModel
    with warnings.catch_warnings():  # peft reads a property transformers deprecated
        warnings.filterwarnings("ignore", ".*is_gradient_checkpointing", FutureWarning)
        with torch.no_grad(), inner.disable_adapter():
            return answer_logps(inner, batch)[0]


def _pair_metrics(
    chosen_reward: torch.Tensor, rejected_reward: torch.Tensor, logps: torch.Tensor
) -> Metrics:
    margin = (chosen_reward - rejected_reward).detach()
    chosen, rejected = logps.detach().chunk(2)
    return {
        "reward_margin": float(margin.mean()),
        "reward_accuracy": float((margin > 0).float().mean()),
        "logps_chosen": float(chosen.mean()),
        "logps_rejected": float(rejected.mean()),
    }


def dpo(model: Any, batch: Batch, beta: float, gamma: float) -> tuple[torch.Tensor, Metrics]:
    """DPO (Rafailov et al. 2023): -log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r)))."""
    policy, _ = answer_logps(model, batch)
    reward = beta * (policy - reference_logps(model, batch))
    chosen, rejected = reward.chunk(2)
    loss = -F.logsigmoid(chosen - rejected).mean()
    return loss, _pair_metrics(chosen, rejected, policy)


def simpo(model: Any, batch: Batch, beta: float, gamma: float) -> tuple[torch.Tensor, Metrics]:
    """SimPO (Meng et al. 2024): length-normalised log-probs as rewards, a margin gamma, no
    reference model."""
    policy, counts = answer_logps(model, batch)
    reward = beta * policy / counts
    chosen, rejected = reward.chunk(2)
    loss = -F.logsigmoid(chosen - rejected - gamma).mean()
    return loss, _pair_metrics(chosen, rejected, policy)


def orpo(model: Any, batch: Batch, beta: float, gamma: float) -> tuple[torch.Tensor, Metrics]:
    """ORPO (Hong et al. 2024): the chosen answers' NLL plus beta times the odds-ratio loss;
    no reference model. The reward is beta times the mean token log-prob."""
    policy, counts = answer_logps(model, batch)
    mean = policy / counts
    log_odds = mean - torch.log1p(-torch.exp(mean).clamp(max=1 - 1e-6))
    odds_c, odds_r = log_odds.chunk(2)
    nll = -mean.chunk(2)[0].mean()
    loss = nll - beta * F.logsigmoid(odds_c - odds_r).mean()
    chosen, rejected = (beta * mean).chunk(2)
    return loss, _pair_metrics(chosen, rejected, policy)


def kto(model: Any, batch: Batch, beta: float, gamma: float) -> tuple[torch.Tensor, Metrics]:
    """KTO (Ethayarajh et al. 2024): desirable answers' rewards pushed above the reference
    point z, undesirable ones below it; z is the batch's mean reward (a KL estimate, >= 0)."""
    policy, _ = answer_logps(model, batch)
    reward = beta * (policy - reference_logps(model, batch))
    good = batch[KTO_LABEL].bool()
    z = reward.detach().mean().clamp(min=0)
    losses = torch.where(good, 1 - F.sigmoid(reward - z), 1 - F.sigmoid(z - reward))
    return losses.mean(), _kto_metrics(reward.detach(), policy.detach(), good)


def _kto_metrics(reward: torch.Tensor, logps: torch.Tensor, good: torch.Tensor) -> Metrics:
    def mean(values: torch.Tensor) -> float | None:
        return float(values.mean()) if values.numel() else None

    out: dict[str, float | None] = {
        "reward_accuracy": float(((reward > 0) == good).float().mean()),
        "logps_chosen": mean(logps[good]),
        "logps_rejected": mean(logps[~good]),
    }
    high, low = mean(reward[good]), mean(reward[~good])
    out["reward_margin"] = (high or 0.0) - (low or 0.0)
    return {key: value for key, value in out.items() if value is not None}


PreferenceLossFn = Callable[[Any, Batch, float, float], tuple[torch.Tensor, Metrics]]
METHODS: dict[str, PreferenceLossFn] = {"dpo": dpo, "orpo": orpo, "simpo": simpo, "kto": kto}


class PreferenceLoss:
    """The training loss of a preference run; keeps the step's metrics for the progress line."""

    def __init__(self, method: str, beta: float, gamma: float = DEFAULT_GAMMA) -> None:
        self.fn, self.beta, self.gamma = METHODS[method], beta, gamma
        self._seen: list[Metrics] = []

    def __call__(self, model: Any, batch: Batch) -> torch.Tensor:
        loss, metrics = self.fn(model, batch, self.beta, self.gamma)
        self._seen.append(metrics)
        return loss

    def take_metrics(self) -> Metrics:
        """The mean of each metric over the micro-batches since the last call."""
        seen, self._seen = self._seen, []
        keys = {key for m in seen for key in m}
        return {k: sum(m[k] for m in seen if k in m) / sum(k in m for m in seen) for k in keys}

    @torch.no_grad()
    def evaluate(self, model: Any, batches: Any) -> Metrics:
        """The loss and metrics over held-out batches (model left in train mode after)."""
        was_training = model.training
        model.eval()
        losses = [float(self(model, batch)) for batch in batches]
        model.train(was_training)
        metrics = self.take_metrics()
        return {"loss": sum(losses) / len(losses), **metrics} if losses else {}
