"""The before/after evaluation report (eval_report.json) as the API serves it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from easytune.api.schemas.common import OUTCOME_DETAIL_HELP, MessageDetail, Schema
from easytune.training.evaluation.spec import MAX_MODELS


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
    outcome_detail: MessageDetail | None = Field(None, description=OUTCOME_DETAIL_HELP)
    totals: TotalsPublic


class EvaluationReport(EvaluationSummary):
    """The whole report: totals and every item with base and tuned answers side by side."""

    items: list[EvaluationItemPublic]


class EvaluationCreate(Schema):
    """POST /evaluations: the models to compare and what to compare them on."""

    model_ids: list[str] = Field(
        min_length=1, max_length=MAX_MODELS,
        description="Base models and adapters you can see; each adapter answers on its own base",
    )  # fmt: skip
    dataset_id: str | None = Field(
        None, description="A chat dataset: its held-out examples are scored as `learned`"
    )
    probes: Literal["default"] = Field("default", description="The shipped probe set")
    max_per_set: int | None = Field(None, ge=1, le=1000, description="Probes of each set")
    max_held_out: int = Field(32, ge=0, le=1000, description="Held-out examples of the dataset")
    max_new_tokens: int = Field(32, ge=1, le=1024, description="Tokens per answer")
    name: str | None = Field(None, min_length=1, max_length=200, description="Job name")


class ComparedModelPublic(BaseModel):
    """One model's column: who it is and its report against its base model's answers."""

    model_id: str | None
    name: str
    kind: Literal["base", "adapter"]
    base_model_id: str | None
    report: EvaluationReport = Field(
        description="`tuned` is this model; `base` its base model (for a base model: itself)"
    )


class ComparisonPublic(BaseModel):
    """GET /evaluations/{id}: the models of an evaluation job on the same items."""

    job_id: int
    name: str
    version: int
    probe_set: str
    dataset_id: str | None
    held_out: int = Field(description="Held-out examples of the dataset among the items")
    items: int = Field(description="Items every model answered")
    max_new_tokens: int
    seconds: float
    models: list[ComparedModelPublic]
