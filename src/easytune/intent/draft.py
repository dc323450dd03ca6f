"""The plan being built: chosen values, their reasons, and the user's overrides that win."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from easytune.i18n import Msg
from easytune.training.facts import DatasetStats, HardwareFacts, ModelFacts

from .reasons import OVERRIDE_CHANGED, OVERRIDE_SAME, PRESET_CHANGED
from .rules import LevelRule


def show(value: Any) -> str:
    """A setting's value as the user would type it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value)
    return str(value)


@dataclass
class Draft:
    """Values by dotted spec path; an override always wins and its reason says what it replaced.

    Presets are settings a known dataset brings with its own reason (the shipped demo): they
    win over the engine's choice and, like overrides, are never revised by the memory fitter;
    a user's override still wins over them.
    """

    overrides: dict[str, Any]
    presets: dict[str, tuple[Any, Msg]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, Msg] = field(default_factory=dict)
    warnings: list[Msg] = field(default_factory=list)

    def choose(self, path: str, value: Any, reason: Msg) -> Any:
        """Record the engine's choice, unless the user pinned this path; returns what stands."""
        if path in self.presets:
            preset, why = self.presets[path]
            if preset != value:
                reason = PRESET_CHANGED(why=why, value=show(value), reason=reason)
            value = preset
        if path in self.overrides:
            self.values[path] = self.overrides[path]
            self.reasons[path] = (
                OVERRIDE_CHANGED(value=show(value), reason=reason)
                if self.overrides[path] != value
                else OVERRIDE_SAME(reason=reason)
            )
        else:
            self.values[path] = value
            self.reasons[path] = reason
        return self.values[path]

    def revise(self, path: str, value: Any, reason: Msg) -> None:
        """Change an earlier choice (the memory fitter); never touches a pinned path."""
        if not self.pinned(path):
            self.values[path] = value
            self.reasons[path] = reason

    def pinned(self, path: str) -> bool:
        return path in self.overrides or path in self.presets

    def __getitem__(self, path: str) -> Any:
        return self.values[path]

    def nested(self) -> dict[str, dict[str, Any]]:
        """The values as {section: {field: value}} for building the TrainSpec."""
        out: dict[str, dict[str, Any]] = {}
        for path, value in self.values.items():
            section, name = path.split(".", 1)
            out.setdefault(section, {})[name] = value
        return out


@dataclass(frozen=True)
class Context:
    """Everything a chooser reads besides the draft."""

    rule: LevelRule
    dataset: DatasetStats
    model: ModelFacts
    hardware: HardwareFacts
    has_eval_file: bool

    def train_share(self, draft: Draft) -> float:
        """The fraction of the dataset used for training (the rest is held out for eval)."""
        return 1.0 if self.has_eval_file else 1.0 - float(draft["data.eval_fraction"])

    def train_tokens(self, draft: Draft) -> int:
        return max(1, int(self.dataset.total_tokens * self.train_share(draft)))

    def train_examples(self, draft: Draft) -> int:
        """Examples left for training after the engine's split (report.split_examples)."""
        if self.has_eval_file:
            return max(1, self.dataset.examples)
        n, fraction = self.dataset.examples, float(draft["data.eval_fraction"])
        cap = int(draft["data.max_eval_examples"])
        held = min(cap, round(n * fraction))
        if fraction > 0 and cap > 0 and n >= 2:
            held = max(held, 1)
        return max(1, n - held)
