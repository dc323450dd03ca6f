"""Model registry schemas: ModelCreate / ModelPublic / ModelsPublic."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from easytune.api.schemas.common import PublicSchema, Schema
from easytune.db.models import ModelKind, Visibility


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
    created_at: datetime


class ModelsPublic(PublicSchema):
    """A page of models."""

    data: list[ModelPublic]
    count: int
