"""Progress of an export: numbered stages, written as events the worker turns into progress.

Each stage event carries `{"stage", "step", "total_steps"}`; the worker keeps the newest in
`job.progress`, so a list shows "convert (2/4)" like it shows a training step.
"""

from __future__ import annotations

from easytune.i18n import Msg
from easytune.training.progress import ProgressWriter

# The stages each format goes through, in order (a skipped one is simply not reported).
STAGES: dict[str, tuple[str, ...]] = {
    "merged": ("merge", "archive"),
    "gguf": ("merge", "convert", "quantize", "verify"),
    "gguf_lora": ("convert", "convert_base", "verify"),
}


class Stages:
    """Announces each stage as it starts: an info event with the step it stands for."""

    def __init__(self, progress: ProgressWriter, format: str) -> None:
        self.progress = progress
        self.names = STAGES[format]

    def start(self, name: str, message: Msg) -> None:
        step = self.names.index(name)
        self.progress.event("info", message, stage=name, step=step, total_steps=len(self.names))

    def done(self, message: Msg, **data: object) -> None:
        total = len(self.names)
        self.progress.event("info", message, stage="done", step=total, total_steps=total, **data)
