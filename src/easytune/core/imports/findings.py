"""What a scan found: each refusal reason with a stable code, the file or tensor it concerns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One reason to refuse an adapter ("pickle_file", "update_too_large", ...)."""

    code: str
    message: str
    where: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Findings:
    """The reasons collected so far, and facts the later stages need (files, modules)."""

    items: list[Finding] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, code: str, message: str, where: str | None = None) -> None:
        self.items.append(Finding(code, message, where))

    @property
    def passed(self) -> bool:
        return not self.items

    def to_list(self) -> list[dict[str, Any]]:
        return [item.to_dict() for item in self.items]
