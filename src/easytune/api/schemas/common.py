"""Shapes shared by every area: the error body and paging."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    """What went wrong, which field (if one), and how to fix it (in the message)."""

    code: str = Field(description="Stable machine-readable code, e.g. validation_error")
    message: str
    param: str | None = Field(None, description="Dotted path of the field at fault")


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
