"""The demo's own plan settings, brought by the shipped pirate dataset (matched by content).

The general rules plan the demo like any 179-chat style dataset: 5 epochs of 16-sequence steps
with replayed base answers, which takes many minutes on a 2-core CPU. The first run a new user
launches should show its effect within 3 minutes, so the demo's data carries these settings,
each with its reason in the plan; any of them can still be overridden like any setting.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from easytune.i18n import Msg
from easytune.intent import reasons as rs

from . import demo_dataset_path

DEMO_CF_ITEMS = 8


@cache
def demo_dataset_sha256() -> str:
    """The shipped demo dataset's content hash (what the registry stores as `sha256`)."""
    return hashlib.sha256(demo_dataset_path().read_bytes()).hexdigest()


def demo_presets(dataset_sha256: str) -> dict[str, tuple[Any, Msg]]:
    """The demo's settings with their reasons, for the shipped demo dataset only (else none)."""
    if dataset_sha256 != demo_dataset_sha256():
        return {}
    return {
        "retain.replay_ratio": (0.0, rs.DEMO_REPLAY()),
        "train.gradient_accumulation": (1, rs.DEMO_ACCUMULATION()),
        "train.epochs": (1.0, rs.DEMO_EPOCHS()),
        "cf.max_items": (DEMO_CF_ITEMS, rs.DEMO_CF_ITEMS(items=DEMO_CF_ITEMS)),
        "retain.best_checkpoint": (False, rs.DEMO_LAST_STEP()),
    }


def file_sha256(path: str) -> str:
    """A file's content hash, to match it against the demo dataset."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
