"""Errors of the intent engine: one base class, each a ValueError so callers may catch either."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from easytune.errors import EasyTuneError


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one user-supplied setting, named by its dotted spec path."""

    param: str
    message: str

    def __str__(self) -> str:
        return f"{self.param}: {self.message}"


class PlanError(EasyTuneError, ValueError):
    """The intent engine cannot produce a plan as asked (422); the message says what to change."""

    status_code = 422
    code = "plan_error"

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message, param=param)


class OverrideError(PlanError):
    """One or more expert overrides are invalid; `problems` lists every one of them."""

    code = "invalid_override"

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the overrides: "
        first = self.problems[0].param if self.problems else None
        super().__init__(head + "; ".join(str(p) for p in self.problems), param=first)


class PlanDoesNotFit(PlanError):
    """The plan's peak memory exceeds the budget even after every allowed adjustment."""

    code = "plan_does_not_fit"

    def __init__(
        self, message: str, peak_memory_bytes: int, budget_bytes: int, suggestions: list[str]
    ) -> None:
        super().__init__(message)
        self.peak_memory_bytes = peak_memory_bytes
        self.budget_bytes = budget_bytes
        self.suggestions = list(suggestions)

    def to_dict(self) -> dict[str, Any]:
        """The API body: the message followed by the ways to make the plan fit."""
        hint = "; ".join(self.suggestions)
        return {
            **super().to_dict(),
            "message": f"{self.message}; try: {hint}" if hint else self.message,
        }
