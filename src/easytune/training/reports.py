"""The JSON reports a run leaves beside its adapter: metrics.json and cf_report.json."""

from __future__ import annotations

from typing import Any

from easytune.training import messages as msg
from easytune.training.checkpoint import TrainState
from easytune.training.progress import ProgressWriter
from easytune.training.spec import CFSpec


def metrics_summary(state: TrainState, total: int) -> dict[str, Any]:
    """Steps, losses, tokens and time of the run, with its full metric history."""
    history = state.history
    losses = [row["loss"] for row in history[-10:]]
    evals = [row["eval_loss"] for row in history if row.get("eval_loss") is not None]
    return {
        "steps": state.step,
        "total_steps": total,
        "epochs": history[-1]["epoch"] if history else 0.0,
        "train_loss": sum(losses) / len(losses) if losses else None,
        "eval_loss": evals[-1] if evals else None,
        "best_eval_loss": state.best_eval_loss,
        "tokens_seen": state.tokens_seen,
        "train_seconds": round(state.elapsed_s, 3),
        "history": history,
    }


def cf_report(cf: CFSpec, tokens: int, history: list[dict[str, Any]]) -> dict[str, Any]:
    """The forgetting monitor's settings and every measurement."""
    return {
        "enabled": cf.enabled,
        "formula": "max(ppl_ratio - 1, 0) + kl",
        "reference": cf.retain_path or "builtin",
        "warn_threshold": cf.warn_threshold,
        "stop_threshold": cf.stop_threshold,
        "tokens": tokens,
        "history": history,
    }


def announce_choice(progress: ProgressWriter, chosen: dict[str, Any]) -> None:
    """An event naming the kept step and why; a warning when the run forgot."""
    if chosen["chosen_step"] is None:
        return
    progress.event(
        "warn" if chosen["outcome"] != "ok" else "info",
        msg.KEPT(step=chosen["chosen_step"], reason=_reason(chosen["selection"])),
        outcome=chosen["outcome"],
        step=chosen["chosen_step"],
    )


def _reason(selection: dict[str, Any]) -> Any:
    """The kept step's reason: coded when the selection has it (older results: English)."""
    return selection.get("reason_detail") or selection["reason"]
