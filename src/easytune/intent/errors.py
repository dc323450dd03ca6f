"""Errors of the intent engine: one base class, each a ValueError so callers may catch either."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from easytune.errors import EasyTuneError
from easytune.i18n import Joined, Msg

from . import error_messages as em


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one user-supplied setting, named by its dotted spec path."""

    param: str
    detail: Msg  # coded; `message` is its English text

    @property
    def message(self) -> str:
        return str(self.detail)

    def __str__(self) -> str:
        return f"{self.param}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"param": self.param, "message": self.message, "detail": self.detail.to_dict()}


class PlanError(EasyTuneError, ValueError):
    """The intent engine cannot produce a plan as asked (422); the message says what to change.

    Raised with a coded message (`detail`), the API sends it beside the English text so the UI
    and the CLI word it in the reader's language.
    """

    status_code = 422
    code = "plan_error"

    def __init__(self, message: Msg | str, param: str | None = None) -> None:
        detail = message.to_dict() if isinstance(message, Msg) else None
        super().__init__(str(message), param=param, detail=detail)


class OverrideError(PlanError):
    """One or more expert overrides are invalid; `problems` lists every one of them."""

    code = "invalid_override"

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = list(problems)
        listed = Joined(tuple(em.PROBLEM(param=p.param, problem=p.detail) for p in problems))
        if len(self.problems) == 1:
            detail = em.OVERRIDES_ONE(problems=listed)
        else:
            detail = em.OVERRIDES_MANY(count=len(self.problems), problems=listed)
        super().__init__(detail, param=self.problems[0].param if self.problems else None)


class PlanDoesNotFit(PlanError):
    """The plan's peak memory exceeds the budget even after every allowed adjustment."""

    code = "plan_does_not_fit"

    def __init__(
        self,
        message: Msg | str,
        peak_memory_bytes: int,
        budget_bytes: int,
        suggestions: list[Msg] | list[str],
    ) -> None:
        super().__init__(message)
        self.peak_memory_bytes = peak_memory_bytes
        self.budget_bytes = budget_bytes
        self.suggestion_details = list(suggestions)
        self.suggestions = [str(s) for s in suggestions]  # English

    def to_dict(self) -> dict[str, Any]:
        """The API body: the message followed by the ways to make the plan fit."""
        hint = "; ".join(self.suggestions)
        return {
            **super().to_dict(),
            "message": f"{self.message}; try: {hint}" if hint else self.message,
        }
