"""Progress as JSON lines, to stdout and to OUTPUT/progress.jsonl, flushed after each line.

Line types (one JSON object per line, the worker parses them):
- `{"type": "event", "level": "info|warn|error", "message": str, "data": {...}}`
- `{"type": "metric", "step", "epoch", "loss", "eval_loss", "lr", "tokens_per_s",
   "cf_score", "ppl_ratio", "kl"}` (fields not measured at that step are null)
- `{"type": "result", "adapter_dir", "steps", "metrics": {...}, "cf": {...}}` (success only)
- `{"type": "error", "code", "message", "param"}` (failure only; the last line)
Every line also has `"time"` (Unix seconds).
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import IO, Any, Literal

from easytune.i18n import Msg, message_dict

EventLevel = Literal["info", "warn", "error"]

METRIC_FIELDS = (
    "step",
    "epoch",
    "loss",
    "eval_loss",
    "lr",
    "tokens_per_s",
    "cf_score",
    "ppl_ratio",
    "kl",
)
# Written only when measured (preference runs): the reward numbers DPO/ORPO/SimPO/KTO are read by.
PREFERENCE_METRICS = (
    "reward_margin",
    "reward_accuracy",
    "logps_chosen",
    "logps_rejected",
    "eval_reward_margin",
    "eval_reward_accuracy",
)


def _clean(value: Any) -> Any:
    """JSON has no NaN/inf: write them as null so every line parses everywhere."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class ProgressWriter:
    """Writes progress lines; `stream=None` keeps them out of stdout (in-process callers)."""

    def __init__(self, output_dir: str | Path | None, stream: IO[str] | None = sys.stdout) -> None:
        self._stream = stream
        self._file: IO[str] | None = None
        if output_dir is not None:
            Path(output_dir).mkdir(parents=True, exist_ok=True)
            self._file = open(Path(output_dir) / "progress.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        self.listeners: list[Any] = []

    def write(self, line: dict[str, Any]) -> None:
        """Write one line everywhere and flush, so a killed process loses nothing."""
        payload = {**_clean(line), "time": round(time.time(), 3)}
        text = json.dumps(payload, ensure_ascii=False)
        for out in (self._stream, self._file):
            if out is not None:
                out.write(text + "\n")
                out.flush()
        for listener in self.listeners:
            listener(payload)

    def event(self, level: EventLevel, message: str | Msg, **data: Any) -> None:
        """An event line: the English message, and its code and params when it is coded."""
        coded = message_dict(message) if isinstance(message, Msg) else {"message": message}
        self.write({"type": "event", "level": level, **coded, "data": data})

    def metric(self, **values: Any) -> None:
        allowed = (*METRIC_FIELDS, *PREFERENCE_METRICS)
        unknown = set(values) - set(allowed)
        if unknown:
            raise ValueError(f"unknown metric fields {sorted(unknown)}; allowed: {allowed}")
        measured = {k: values[k] for k in PREFERENCE_METRICS if values.get(k) is not None}
        self.write(
            {"type": "metric", **{name: values.get(name) for name in METRIC_FIELDS}, **measured}
        )

    def result(self, **values: Any) -> None:
        self.write({"type": "result", **values})

    def error(self, line: dict[str, Any]) -> None:
        self.write(line)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_progress(path: str | Path) -> list[dict[str, Any]]:
    """Parse a progress.jsonl file (or captured stdout) back into dicts, skipping non-JSON."""
    lines = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines
