"""Value types of the data layer: normalised examples and validation errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as dc_field
from typing import Literal

from easytune.i18n import Language, Msg
from easytune.training.data import error_messages as em

Role = Literal["system", "user", "assistant", "tool"]
SourceFormat = Literal["json", "jsonl", "csv", "parquet", "txt", "md", "zip"]
TEXT_SOURCES = frozenset({"txt", "md", "zip"})  # always plain text: documents of a corpus

# How many errors the exception's message lists; `.errors` always holds all collected ones.
_MESSAGE_ERRORS = 20


@dataclass(frozen=True)
class ToolCall:
    """One function call an assistant turn makes; ``arguments`` is a JSON object as text."""

    name: str
    arguments: str


@dataclass(frozen=True)
class Message:
    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()  # assistant turns only


@dataclass(frozen=True)
class Example:
    """One training example: a chat (``messages``) or a plain document (``text``)."""

    line: int  # where it came from: line (JSONL/txt), record (JSON/Parquet) or row (CSV)
    messages: tuple[Message, ...] | None = None
    text: str | None = None
    tools: str | None = None  # the tools offered, as a JSON list in OpenAI's shape
    # Preference data: the last assistant turn is the chosen answer, this the rejected one.
    rejected: str | None = None
    # KTO data: the last assistant turn is labelled good (True) or bad (False).
    label: bool | None = None

    @property
    def uses_tools(self) -> bool:
        """A tool-calling chat: tools offered, a call made or a tool result given."""
        turns = self.messages or ()
        return bool(self.tools) or any(m.tool_calls or m.role == "tool" for m in turns)

    @property
    def is_chat(self) -> bool:
        return self.messages is not None

    def content_key(self) -> tuple[object, ...]:
        """Identity of the content, ignoring where it came from (for duplicates and leakage)."""
        if self.messages is not None:
            turns = tuple((m.role, m.content, m.tool_calls) for m in self.messages)
            extra = tuple(
                x for x in (self.tools or None, self.rejected, self.label) if x is not None
            )
            return (*turns, *extra)
        return ("text", self.text)


@dataclass(frozen=True)
class LineError:
    """One problem in a dataset file; ``message`` is complete: where, what, and the fix.

    ``detail`` is the same message coded (data/error_messages.py), for the reader's language.
    """

    line: int  # 1-based line/record/row; 0 means the file as a whole
    field: str  # the offending field ("" when it is about the record or file)
    message: str
    unit: str = "line"  # "line", "record" or "row": what ``line`` counts
    detail: Msg | None = dc_field(default=None, compare=False)

    @classmethod
    def coded(cls, line: int, field: str, detail: Msg, unit: str = "line") -> LineError:
        """The error whose English ``message`` is ``detail`` rendered."""
        return cls(line, field, detail.render("en"), unit, detail)

    def __str__(self) -> str:
        return self.message

    def render(self, language: Language = "en") -> str:
        return self.detail.render(language) if self.detail else self.message

    def to_dict(self) -> dict[str, object]:
        return {
            "line": self.line, "unit": self.unit, "field": self.field, "message": self.message,
            "detail": self.detail.to_dict() if self.detail else None,
        }  # fmt: skip


class DataValidationError(ValueError):
    """A dataset failed validation; ``errors`` lists every bad line found (up to max_errors)."""

    def __init__(self, errors: list[LineError], truncated: bool = False) -> None:
        self.errors = errors
        self.truncated = truncated
        super().__init__(self.render("en"))

    def render(self, language: Language = "en") -> str:
        """The head and the first problems (20 at most) as lines in ``language``."""
        more = em.SUMMARY_MORE() if self.truncated else ""
        head = em.SUMMARY(count=len(self.errors), more=more).render(language)
        lines = [head, *(f"  {e.render(language)}" for e in self.errors[:_MESSAGE_ERRORS])]
        if len(self.errors) > _MESSAGE_ERRORS:
            rest = em.SUMMARY_REST(count=len(self.errors) - _MESSAGE_ERRORS)
            lines.append(f"  {rest.render(language)}")
        return "\n".join(lines)


@dataclass
class LoadedDataset:
    """The result of ``load_dataset``: normalised examples plus how the file was read."""

    format: str  # a key of FORMATS: alpaca | sharegpt | openai | text
    examples: list[Example]
    source_format: SourceFormat
    detected: bool  # True when the format was detected rather than given
    # How the file was read, and what training will ignore (media, unknown fields), shown
    # before launch: coded messages (str() is the English text).
    notes: list[Msg] = field(default_factory=list)
    warnings: list[Msg] = field(default_factory=list)
    # chat | corpus | tool_calling | preference | kto: what training does with it
    kind: str = "chat"

    def __len__(self) -> int:
        return len(self.examples)


class ErrorSink:
    """Collects LineErrors up to a limit, so readers can report every bad line at once."""

    def __init__(self, max_errors: int) -> None:
        if max_errors < 1:
            raise ValueError("max_errors must be at least 1")
        self.max_errors = max_errors
        self.errors: list[LineError] = []
        self.truncated = False

    @property
    def full(self) -> bool:
        return len(self.errors) >= self.max_errors

    def add(self, unit: str, line: int, field: str, problem: Msg, fix: Msg | None = None) -> None:
        """Record ``problem`` (what is wrong) and its ``fix``, prefixed with where it is."""
        if self.full:
            self.truncated = True
            return
        self.errors.append(LineError.coded(line, field, em.located(unit, line, problem, fix), unit))

    def raise_if_any(self) -> None:
        if self.errors:
            ordered = sorted(self.errors, key=lambda e: e.line)  # stable: file order per line
            raise DataValidationError(ordered, self.truncated)
