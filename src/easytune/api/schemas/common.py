"""Shapes shared by every area: the error body and paging."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    """One problem of a request that broke several rules."""

    param: str | None = Field(description="Dotted path of the field at fault")
    message: str


class ErrorDetail(BaseModel):
    """What went wrong, which field (if one), and how to fix it (in the message)."""

    code: str = Field(description="Stable machine-readable code, e.g. validation_error")
    message: str
    param: str | None = Field(None, description="Dotted path of the (first) field at fault")
    # Documented because validation errors send it (see api/errors.py); forms mark every field.
    errors: list[FieldError] | None = Field(
        None, description="validation_error only: every problem, one per field"
    )


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body."""

    error: ErrorDetail


class Schema(BaseModel):
    """Base of request schemas: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PublicSchema(BaseModel):
    """Base of response schemas, built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 409, 422, 429)
}
