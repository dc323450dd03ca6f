"""Answers saved per model as an evaluation job makes them, so a killed attempt resumes.

A file holds the ids of the items it answers: answers to another item list are never reused.
Files are written atomically; a half-written one is never read as whole.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from easytune.training.evaluation.probes import Probe
from easytune.training.outputs import write_json


class AnswerCache:
    """answers/<key>.json: {"ids": [...], "answers": [...], "seconds": float}."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str, items: Sequence[Probe]) -> tuple[list[str], float] | None:
        """The saved answers to exactly these items, with the seconds they took; else None."""
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("ids") != [item.id for item in items]:
            return None
        return [str(a) for a in data["answers"]], float(data.get("seconds", 0.0))

    def has(self, key: str, items: Sequence[Probe]) -> bool:
        return self.get(key, items) is not None

    def put(self, key: str, items: Sequence[Probe], answers: list[str], seconds: float) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"ids": [item.id for item in items], "answers": answers, "seconds": seconds}
        write_json(self.folder / f"{key}.json", data)
