"""Dataset schemas: DatasetPublic / DatasetsPublic / DatasetPreview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from easytune.api.schemas.common import PublicSchema
from easytune.db.models import Visibility


class DatasetPublic(PublicSchema):
    """A stored, validated dataset and its statistics (never its server path)."""

    id: str
    name: str
    owner_id: int
    visibility: Visibility
    format: str = Field(description="alpaca | sharegpt | openai | text")
    source_format: str = Field(description="json | jsonl | csv | parquet | txt")
    filename: str
    size_bytes: int
    sha256: str
    examples: int
    report: dict[str, Any] = Field(
        description="Token statistics (stats), truncation, duplicates, notes, and the tokenizer"
    )
    created_at: datetime


class DatasetsPublic(PublicSchema):
    """A page of datasets."""

    data: list[DatasetPublic]
    count: int = Field(description="Total matching the filters")


class MessagePublic(PublicSchema):
    role: str
    content: str


class ExamplePublic(PublicSchema):
    """One normalised example: chat messages, or plain text."""

    line: int = Field(description="Line, record or row of the file it came from")
    messages: list[MessagePublic] | None
    text: str | None
    rejected: str | None = Field(
        None, description="Preference pairs: the rejected answer (the last message is the chosen)"
    )
    label: bool | None = Field(
        None, description="KTO data: whether the last message is a good (true) or bad answer"
    )


class DatasetPreview(PublicSchema):
    """A page of normalised examples."""

    data: list[ExamplePublic]
    count: int = Field(description="Examples in the dataset")
    offset: int
