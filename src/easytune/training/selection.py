"""Which evaluation's adapter a run keeps, and whether the run forgot: a small pure function.

Candidates are the trained evaluations (step > 0) whose CF score is under the warning
threshold; among them the better learned score wins (exact match, then token F1), then the
lower eval loss, then the later step. With no candidate the least-forgetting evaluation is
kept and the outcome is "forgot".
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from easytune.i18n import Msg
from easytune.training import messages as msg

Outcome = Literal["ok", "forgot"]


@dataclass(frozen=True)
class EvalPoint:
    step: int
    cf_score: float | None = None  # None: the CF monitor is off
    exact: float | None = None  # learned score: share of exact matches
    f1: float | None = None  # learned score: mean token F1
    eval_loss: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Choice:
    point: EvalPoint
    outcome: Outcome
    why: Msg  # coded, for the job's event in the reader's language

    @property
    def reason(self) -> str:
        """The English reason, as the run's result records it."""
        return str(self.why)


def _num(value: float | None, missing: float) -> float:
    return missing if value is None or not math.isfinite(value) else value


def under(point: EvalPoint, threshold: float) -> bool:
    return point.cf_score is None or _num(point.cf_score, math.inf) <= threshold


def rank_key(point: EvalPoint) -> tuple[float, float, float, int]:
    """Larger is better: exact match, token F1, minus eval loss, step."""
    loss = _num(point.eval_loss, math.inf)
    return (_num(point.exact, -1.0), _num(point.f1, -1.0), -loss, point.step)


def select(points: list[EvalPoint], threshold: float) -> Choice | None:
    """The evaluation to keep; None when the run had no trained evaluation."""
    trained = [p for p in points if p.step > 0]
    if not trained:
        return None
    kept = [p for p in trained if under(p, threshold)]
    if kept:
        best = max(kept, key=rank_key)
        why = msg.KEPT_BEST(kept=len(kept), trained=len(trained), threshold=f"{threshold:g}")
        return Choice(best, "ok", why)
    least = min(trained, key=lambda p: (_num(p.cf_score, math.inf), -p.step))
    return Choice(least, "forgot", msg.KEPT_LEAST(threshold=f"{threshold:g}"))


def select_last(points: list[EvalPoint], threshold: float) -> Choice | None:
    """Today's rule (retention off): the last evaluation, flagged when it forgot."""
    trained = [p for p in points if p.step > 0]
    if not trained:
        return None
    last = trained[-1]
    if under(last, threshold):
        return Choice(last, "ok", msg.KEPT_LAST())
    return Choice(last, "forgot", msg.KEPT_LAST_FORGOT(threshold=f"{threshold:g}"))


def _learned(point: EvalPoint) -> Msg:
    if point.exact is None or point.f1 is None:
        if point.eval_loss is None:
            return msg.SCORE_NONE()
        return msg.SCORE_LOSS(loss=f"{point.eval_loss:.3f}")
    return msg.SCORE_EXACT(exact=f"{point.exact:.0%}", f1=f"{point.f1:.2f}")


def outcome_sentence(choice: Choice, base: EvalPoint | None, threshold: float) -> Msg:
    """One plain paragraph, coded: what was learned, what was kept or lost, and what to try."""
    p = choice.point
    if base is None:
        learned = msg.OUTCOME_LEARNED(score=_learned(p), step=p.step)
    else:
        learned = msg.OUTCOME_LEARNED_BASE(score=_learned(p), base=_learned(base), step=p.step)
    limit = f"{threshold:g}"
    if choice.outcome == "ok":
        cf = f"{p.cf_score:.3f}" if p.cf_score is not None else msg.CF_NOT_MEASURED()
        return msg.OUTCOME_KEPT(learned=learned, cf=cf, threshold=limit)
    return msg.OUTCOME_LOST(learned=learned, cf=f"{p.cf_score:.3f}", threshold=limit)
