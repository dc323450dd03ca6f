"""Request bodies of /v1/chat/completions and /v1/completions, as OpenAI's clients send them.

Unknown fields are ignored (clients send many optional ones), but a field that would change
the answer in a way this server cannot honour (n > 1, legacy functions, logprobs, ...) is refused
with a
400 naming it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TOKENS = 4096


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ContentPart(_Request):
    """A part of a message's content; only text parts are understood."""

    type: Literal["text"]
    text: str = Field(max_length=64000)


class ToolCallIn(_Request):
    """An assistant's earlier call, sent back with the tool's result."""

    id: str | None = Field(None, max_length=200)
    type: Literal["function"] = "function"
    function: dict[str, Any]


class ChatMessageIn(_Request):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None
    tool_calls: list[ToolCallIn] | None = Field(None, max_length=32)
    tool_call_id: str | None = Field(None, max_length=200)

    def as_chat(self) -> dict[str, Any]:
        """The message as chat templates take it (developer speaks as system), tool calls and
        the id of the call a tool message answers included."""
        content = self.content or ""
        text = content if isinstance(content, str) else "".join(p.text for p in content)
        chat: dict[str, Any] = {
            "role": "system" if self.role == "developer" else self.role,
            "content": text,
        }
        if self.tool_calls:
            chat["tool_calls"] = [c.model_dump(exclude_none=True) for c in self.tool_calls]
        if self.tool_call_id:
            chat["tool_call_id"] = self.tool_call_id
        return chat


class ToolIn(_Request):
    """A function the model may call (OpenAI's `tools` entry)."""

    type: Literal["function"]
    function: dict[str, Any]

    @field_validator("function")
    @classmethod
    def _named(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(value.get("name"), str) or not value["name"]:
            raise ValueError("each function needs a name")
        return value


class StreamOptions(_Request):
    include_usage: bool = False


class SamplingRequest(_Request):
    model: str = Field(min_length=1, max_length=300)
    temperature: float = Field(1.0, ge=0.0, le=2.0, description="0: greedy")
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    n: int = Field(1, ge=1, description="Only 1 is supported")
    max_tokens: int | None = Field(None, ge=1, le=MAX_TOKENS)
    stop: str | list[str] | None = Field(None, description="Up to 4 strings")
    seed: int | None = Field(None, ge=0, le=2**63 - 1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    logprobs: Any = None
    top_logprobs: Any = None

    @field_validator("n")
    @classmethod
    def _one(cls, value: int) -> int:
        if value != 1:
            raise ValueError("only n=1 is supported; send one request per answer")
        return value

    @field_validator("stop")
    @classmethod
    def _stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 4:
            raise ValueError("at most 4 stop strings are supported")
        return value

    @field_validator("logprobs", "top_logprobs")
    @classmethod
    def _no_logprobs(cls, value: Any) -> Any:
        if value:
            raise ValueError("log probabilities are not supported by this server; leave it out")
        return value

    def stops(self) -> list[str]:
        """The stop strings as a list."""
        return [self.stop] if isinstance(self.stop, str) else list(self.stop or [])

    def include_usage(self) -> bool:
        """Whether a streamed answer ends with a usage chunk."""
        return bool(self.stream_options and self.stream_options.include_usage)


class ChatCompletionRequest(SamplingRequest):
    """POST /v1/chat/completions."""

    messages: list[ChatMessageIn] = Field(min_length=1, max_length=256)
    max_completion_tokens: int | None = Field(None, ge=1, le=MAX_TOKENS)
    tools: list[ToolIn] | None = Field(None, max_length=64)
    tool_choice: Any = None
    functions: Any = None

    @field_validator("functions")
    @classmethod
    def _no_functions(cls, value: Any) -> Any:
        if value:
            raise ValueError("the legacy `functions` field is not supported; send `tools`")
        return value

    @field_validator("tool_choice")
    @classmethod
    def _auto_or_none(cls, value: Any) -> Any:
        if value not in (None, "auto", "none"):
            raise ValueError('only "auto" and "none" are supported; leave it out for auto')
        return value

    def offered_tools(self) -> list[dict[str, Any]] | None:
        """The tools the model is offered (none when tool_choice is "none")."""
        if not self.tools or self.tool_choice == "none":
            return None
        return [tool.model_dump() for tool in self.tools]

    def token_limit(self, default: int) -> int:
        """max_completion_tokens, else max_tokens, else `default`."""
        return self.max_completion_tokens or self.max_tokens or default


class CompletionRequest(SamplingRequest):
    """POST /v1/completions."""

    prompt: str | list[str]
    echo: bool = False
    best_of: int | None = None
    suffix: str | None = None

    @field_validator("prompt")
    @classmethod
    def _one_prompt(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list) and len(value) != 1:
            raise ValueError("send exactly one prompt per request")
        return value

    @field_validator("echo", "best_of", "suffix")
    @classmethod
    def _unsupported(cls, value: Any) -> Any:
        if value and value != 1:
            raise ValueError("not supported by this server; leave it out")
        return value

    def text(self) -> str:
        """The prompt as one string."""
        return self.prompt if isinstance(self.prompt, str) else self.prompt[0]

    def token_limit(self, default: int) -> int:
        """max_tokens, else `default` (OpenAI's default for completions is 16)."""
        return self.max_tokens or default
