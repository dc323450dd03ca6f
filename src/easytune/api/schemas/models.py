"""Model registry schemas: ModelCreate / ModelPublic / ModelsPublic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from easytune.api.schemas.common import (
    OUTCOME_DETAIL_HELP,
    OUTCOME_HELP,
    MessageDetail,
    Outcome,
    PublicSchema,
    Schema,
    outcome_of,
)
from easytune.api.schemas.evaluations import EvaluationSummary
from easytune.db.models import ImportStatus, ModelKind, Visibility


class ModelCreate(Schema):
    """POST /models: register a base model from a path on the server."""

    path: str = Field(
        min_length=1, max_length=1024,
        description="A Hugging Face folder (config.json, tokenizer), a .gguf file, or a folder "
        "holding exactly one .gguf file",
        examples=["/srv/models/Qwen2.5-0.5B-Instruct"],
    )  # fmt: skip
    name: str | None = Field(
        None, min_length=1, max_length=200, description="Default: the folder or file name"
    )
    visibility: Visibility = Visibility.SHARED


class ModelPublic(PublicSchema):
    """A base model or an adapter with its lineage."""

    id: str
    kind: ModelKind
    name: str
    version: int = Field(description="v1, v2, ... per name")
    gguf_file: str | None
    owner_id: int | None
    visibility: Visibility
    facts: dict[str, Any] | None = Field(description="ModelFacts of a base model")
    base_model_id: str | None = Field(description="Adapters: the model it was trained on")
    dataset_id: str | None = Field(description="Adapters: the dataset (null once deleted)")
    dataset_sha256: str | None = Field(description="Adapters: checksum of the training file")
    job_id: int | None
    spec: dict[str, Any] | None = Field(description="Adapters: the TrainSpec that made it")
    metrics: dict[str, Any] | None
    cf_report: dict[str, Any] | None
    evaluation: EvaluationSummary | None = Field(
        default=None,
        validation_alias="eval_report",
        description="Adapters: the totals of the before/after evaluation report (the items are "
        "at GET /jobs/{job_id}/evaluation)",
    )
    outcome: Outcome | None = Field(None, description="Adapters: " + OUTCOME_HELP)
    outcome_message: str | None = Field(
        None, description="Adapters: what was learned, what was kept or lost, what to try"
    )
    outcome_detail: MessageDetail | None = Field(None, description=OUTCOME_DETAIL_HELP)
    import_status: ImportStatus | None = Field(
        None, description="Imported adapters: probing, then usable, flagged or probe_failed; "
        "null for base models and trained adapters",
    )  # fmt: skip
    import_report: dict[str, Any] | None = Field(
        None, description="Imported adapters: the scan's verdict and the probes' totals"
    )
    created_at: datetime

    @model_validator(mode="after")
    def _outcome(self) -> ModelPublic:
        self.outcome, self.outcome_message, self.outcome_detail = outcome_of(self.metrics)
        return self


class ModelsPublic(PublicSchema):
    """A page of models."""

    data: list[ModelPublic]
    count: int


class ServingPublic(PublicSchema):
    """GET /models/{id}/serving: commands to serve an adapter with vLLM or Ollama (not run by
    EasyTune)."""

    model_id: str
    openai_model: str = Field(description="The model name clients send (also in EasyTune's /v1)")
    vllm_command: str
    ollama_modelfile: str
    ollama_commands: list[str]
    notes: list[str]
