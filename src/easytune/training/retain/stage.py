"""Retention's part of a run, as small builders the recipe composes (see recipe.py)."""

from __future__ import annotations

from typing import Any

from easytune.training import messages as msg
from easytune.training.loop import LossFn
from easytune.training.progress import ProgressWriter
from easytune.training.retain.kl import KLAnchoredLoss
from easytune.training.retain.learned import LearnedScorer
from easytune.training.retain.replay import GenerationContext, Replay, load_or_generate
from easytune.training.selection import Choice, EvalPoint, outcome_sentence
from easytune.training.spec import TrainSpec
from easytune.training.tokenloss import label_only_loss


def build_replay(
    spec: TrainSpec, gen: GenerationContext, progress: ProgressWriter
) -> Replay | None:
    """The replay source for the data stage, or None when replay is off."""
    if not spec.retain.enabled or spec.retain.replay_ratio == 0:
        return None
    return Replay(load_or_generate(spec, gen, progress), spec, gen.tokenizer)


def loss_for(spec: TrainSpec) -> LossFn:
    """The training loss: the model's own (logits only where labels are), plus the KL anchor
    when the plan weights it."""
    retain = spec.retain
    if retain.enabled and retain.replay_ratio > 0 and retain.kl_weight > 0:
        return KLAnchoredLoss(retain.kl_weight)
    return label_only_loss


def build_scorer(spec: TrainSpec, eval_examples: list[Any], tokenizer: Any) -> LearnedScorer | None:
    """The learned-score helper on the eval split's first examples, or None."""
    retain = spec.retain
    if not retain.enabled or retain.score_examples == 0 or not eval_examples:
        return None
    scorer = LearnedScorer(eval_examples, tokenizer, retain.score_examples, retain.max_new_tokens)
    return scorer if scorer else None


def evaluation_point(
    step: int,
    cf: float | None,
    loss: float | None,
    scorer: LearnedScorer | None,
    gen: GenerationContext,
    progress: ProgressWriter,
) -> EvalPoint:
    """This evaluation's numbers, with the learned score answered now (reported as an event)."""
    learned = scorer.score(gen.model, gen.end_of_turn, gen.device) if scorer else None
    exact, f1 = (learned.exact, learned.f1) if learned else (None, None)
    point = EvalPoint(step, cf_score=cf, exact=exact, f1=f1, eval_loss=loss)
    if learned is not None:
        progress.event(
            "info",
            msg.LEARNED_SCORE(
                step=step, exact=f"{learned.exact:.0%}", f1=f"{learned.f1:.2f}", n=learned.n
            ),
            **point.to_dict(),
        )
    return point


def _measured(point: EvalPoint) -> bool:
    """Whether the run measured anything to report (no eval split and no CF monitor: nothing)."""
    scores = (point.cf_score, point.exact, point.f1, point.eval_loss)
    return any(value is not None for value in scores)


def summary(choice: Choice | None, points: list[EvalPoint], threshold: float) -> dict[str, Any]:
    """The result's `selection` block and outcome: which step was kept, why, and what it means."""
    if choice is None:
        return {
            "outcome": "ok", "outcome_message": None, "outcome_detail": None,
            "chosen_step": None, "selection": None,
        }  # fmt: skip
    base = next((p for p in points if p.step == 0), None)
    sentence = outcome_sentence(choice, base, threshold) if _measured(choice.point) else None
    return {
        "outcome": choice.outcome,
        "outcome_message": None if sentence is None else str(sentence),
        "outcome_detail": None if sentence is None else sentence.to_dict(),
        "chosen_step": choice.point.step,
        "selection": {
            "step": choice.point.step,
            "reason": choice.reason,
            "reason_detail": choice.why.to_dict(),
            "threshold": threshold,
            "chosen": choice.point.to_dict(),
            "evaluations": [p.to_dict() for p in points],
        },
    }
