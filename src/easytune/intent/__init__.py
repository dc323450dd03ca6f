"""The intent engine: intent + dataset stats + model facts + hardware -> TrainSpec with reasons.

Pure and deterministic: no I/O and no torch. `resolve_plan` is the entry point.
"""

from __future__ import annotations

from .errors import FieldProblem, OverrideError, PlanDoesNotFit, PlanError
from .infer import infer_level
from .plan import Estimate, IntentRequest, Plan, resolve_plan
from .rules import LEVELS, LevelRule

__all__ = [
    "LEVELS",
    "Estimate",
    "FieldProblem",
    "IntentRequest",
    "LevelRule",
    "OverrideError",
    "Plan",
    "PlanDoesNotFit",
    "PlanError",
    "infer_level",
    "resolve_plan",
]
