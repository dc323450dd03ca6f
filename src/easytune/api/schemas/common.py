"""Shapes shared by every area: the error body and paging."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field


class MessageDetail(BaseModel):
    """A message as a stable code and the parameters its template reads (easytune.i18n);
    a parameter may itself be a message."""

    code: str
    params: dict[str, Any] = Field(default_factory=dict)


class FieldError(BaseModel):
    """One problem of a request that broke several rules, or one bad line of a refused dataset
    file (`line`, `unit`, `field`; `message` then reads "line 17: what is wrong; the fix")."""

    param: str | None = Field(None, description="Dotted path of the field at fault")
    message: str
    detail: MessageDetail | None = Field(
        None, description="The message as {code, params}, for the reader's language"
    )
    line: int | None = Field(
        None, description="Dataset files: the 1-based line, record or row; 0 is the whole file"
    )
    unit: Literal["line", "record", "row"] | None = Field(
        None, description="Dataset files: what `line` counts"
    )
    field: str | None = Field(
        None, description='Dataset files: the offending field ("" for the whole record)'
    )


class ErrorDetail(BaseModel):
    """What went wrong, which field (if one), and how to fix it (in the message)."""

    code: str = Field(description="Stable machine-readable code, e.g. validation_error")
    message: str
    param: str | None = Field(None, description="Dotted path of the (first) field at fault")
    # Documented because validation errors send it (see api/errors.py); forms mark every field.
    errors: list[FieldError] | None = Field(
        None, description="validation_error only: every problem, one per field"
    )
    detail: MessageDetail | None = Field(
        None,
        description="The message as {code, params} (intent engine errors), for the UI and the "
        "CLI to word in the reader's language; `message` stays the English text",
    )


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body."""

    error: ErrorDetail


class Schema(BaseModel):
    """Base of request schemas: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


Outcome = Literal["ok", "forgot", "unsafe"]
OUTCOME_HELP = (
    "How the fine-tune ended: ok; forgot (it learned, but no evaluation kept the base model's "
    "general ability under the forgetting threshold); unsafe (it stopped refusing harmful "
    "requests). Null before success or for runs that predate it"
)


OUTCOME_DETAIL_HELP = "The outcome sentence as {code, params}, for the reader's language"


def outcome_of(
    record: dict[str, Any] | None,
) -> tuple[Outcome | None, str | None, MessageDetail | None]:
    """(outcome, its sentence, the sentence coded) from a job result or an adapter's metrics."""
    record = record or {}
    outcome = record.get("outcome")
    message = record.get("outcome_message")
    detail = record.get("outcome_detail")
    valid = outcome if outcome in ("ok", "forgot", "unsafe") else None
    coded = MessageDetail.model_validate(detail) if isinstance(detail, dict) else None
    return valid, message if isinstance(message, str) else None, coded


class PublicSchema(BaseModel):
    """Base of response schemas, built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 409, 422, 429)
}

# Ids and offsets reach the database as 64-bit integers: larger ones are a 422, not a crash.
MAX_INT64 = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_INT64, description="A row id")]
Offset = Annotated[int, Query(ge=0, le=MAX_INT64, description="Rows to skip")]
After = Annotated[int, Query(ge=0, le=MAX_INT64)]
