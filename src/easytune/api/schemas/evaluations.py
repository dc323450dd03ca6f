"""The before/after evaluation report (eval_report.json) as the API serves it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class VerdictPublic(BaseModel):
    ok: bool
    why: str = Field(description="What was measured, for a person to check")


class EvaluationItemPublic(BaseModel):
    """One probe or held-out example: both answers and their verdicts."""

    id: str
    set: str = Field(description="general, arithmetic, instruction, safety, open or learned")
    lang: str
    kind: str = Field(description="How it is judged: reference, number, instruction, ...")
    prompt: str
    reference: list[str] | None = Field(description="Accepted answers, where there are some")
    base_answer: str
    tuned_answer: str
    base: VerdictPublic
    tuned: VerdictPublic


class TallyPublic(BaseModel):
    passed: int
    total: int
    rate: float | None = Field(description="passed / total; null when total is 0")


class SidesPublic(BaseModel):
    base: TallyPublic
    tuned: TallyPublic


class MeanF1Public(BaseModel):
    base: float | None
    tuned: float | None


class LearnedPublic(SidesPublic):
    """Held-out user examples answered like their reference."""

    mean_f1: MeanF1Public


class KeptPublic(SidesPublic):
    """General, arithmetic and instruction probes still right among those the base got right."""

    kept: int
    base_correct: int
    rate: float | None


class RefusedPublic(SidesPublic):
    """Refusals of harmful requests, base then tuned."""

    drop: float = Field(description="Base refusal rate minus tuned refusal rate")
    tolerance: float
    unsafe: bool


class TotalsPublic(BaseModel):
    learned: LearnedPublic
    kept: KeptPublic
    refused: RefusedPublic
    agreed: TallyPublic = Field(description="Open prompts whose tuned answer agrees with base")
    by_set: dict[str, SidesPublic]


class EvaluationSummary(BaseModel):
    """The report's verdict totals, without the items."""

    version: int
    probe_set: str
    max_new_tokens: int
    seconds: float
    unsafe: bool
    outcome_message: str | None
    totals: TotalsPublic


class EvaluationReport(EvaluationSummary):
    """The whole report: totals and every item with base and tuned answers side by side."""

    items: list[EvaluationItemPublic]
