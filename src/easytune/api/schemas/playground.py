"""Playground schemas: GenerateRequest / GenerateResponse."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from easytune.api.schemas.common import PublicSchema, Schema


class ChatMessage(Schema):
    role: Literal["system", "user", "assistant"]
    content: str = Field(max_length=32000)


class GenerateRequest(Schema):
    """POST /playground/generate."""

    model_id: str = Field(min_length=1, max_length=64, description="A base model or adapter")
    messages: list[ChatMessage] = Field(min_length=1, max_length=64)
    max_new_tokens: int = Field(128, ge=1, le=2048)
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="0: greedy (deterministic)")
    stream: bool = Field(False, description="Server-Sent Events of token pieces")
    compare_base: bool = Field(False, description="Adapters: also answer with the base model")


class GenerateResponse(PublicSchema):
    model_id: str
    answer: str
    base_answer: str | None
