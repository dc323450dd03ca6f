"""Export schemas: ExportCreate / ExportPublic / ExportsPublic."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from easytune.api.schemas.common import PublicSchema, Schema


class ExportCreate(Schema):
    """POST /models/{id}/exports: what to make of the adapter."""

    format: Literal["merged", "gguf", "gguf_lora"] = Field(
        description="merged: Hugging Face folder (zip); gguf: the merged model as one GGUF file; "
        "gguf_lora: the adapter alone as a GGUF LoRA for llama.cpp --lora / Ollama ADAPTER"
    )
    quantization: Literal["f16", "q8_0", "q4_k_m"] | None = Field(
        None,
        description="gguf: f16, q8_0 (default) or q4_k_m; gguf_lora: f16 (default) or q8_0; "
        "merged: f16, or null for the base model's own precision",
    )


class ExportFile(PublicSchema):
    name: str
    size: int
    sha256: str


class ExportPublic(PublicSchema):
    """A registered export with its lineage, files and how it did in llama.cpp."""

    id: str
    model_id: str = Field(description="The adapter exported")
    base_model_id: str | None
    job_id: int | None = Field(description="The export job that made it")
    owner_id: int
    format: str
    quantization: str | None
    primary_file: str = Field(description="What /exports/{id}/download serves by default")
    size_bytes: int
    sha256: str
    files: list[ExportFile]
    verification: dict[str, Any] | None = Field(
        description="llama.cpp's greedy tokens against transformers' on a prompt (GGUF formats)"
    )
    created_at: datetime


class ExportsPublic(PublicSchema):
    data: list[ExportPublic]
    count: int
