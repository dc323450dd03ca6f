"""Playground schemas: GenerateRequest / GenerateResponse."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from easytune.api.schemas.common import PublicSchema, Schema


class ToolCallIn(Schema):
    """An assistant's earlier call (OpenAI shape), sent back with the tool's result."""

    id: str | None = Field(None, max_length=200)
    type: Literal["function"] = "function"
    function: dict[str, Any] = Field(description='{"name": ..., "arguments": JSON text}')


class ChatMessage(Schema):
    role: Literal["system", "user", "assistant", "tool"]
    content: str = Field("", max_length=32000)
    tool_calls: list[ToolCallIn] | None = Field(None, max_length=32)
    tool_call_id: str | None = Field(None, max_length=200)


class GenerateRequest(Schema):
    """POST /playground/generate."""

    model_id: str = Field(min_length=1, max_length=64, description="A base model or adapter")
    messages: list[ChatMessage] = Field(min_length=1, max_length=64)
    max_new_tokens: int = Field(128, ge=1, le=2048)
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="0: greedy (deterministic)")
    stream: bool = Field(False, description="Server-Sent Events of token pieces")
    compare_base: bool = Field(False, description="Adapters: also answer with the base model")
    tools: list[dict[str, Any]] | None = Field(
        None,
        max_length=64,
        description="OpenAI function tools; calls the model makes come back in tool_calls",
    )


class GenerateResponse(PublicSchema):
    model_id: str
    answer: str
    base_answer: str | None
    tool_calls: list[dict[str, Any]] | None = Field(
        None, description="With tools: the calls the model made, cut out of the answer"
    )
    base_tool_calls: list[dict[str, Any]] | None = None
    finish_reason: Literal["stop", "length"] | None = Field(
        None, description='"length": the answer was cut at max_new_tokens; "stop": it ended'
    )
    base_finish_reason: Literal["stop", "length"] | None = None
