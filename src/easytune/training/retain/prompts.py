"""The shipped self-replay prompt set: general questions, how-tos, instructions and harmful
requests in English and Chinese, whose base-model answers are replayed during training.

It is written for replay only and never measures anything: the CF reference set and the
evaluation probes are kept disjoint from it by a test.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# Version -> file. A new version is a new file; an old version stays so cached sets stay valid.
PROMPT_SETS = {"v1": "replay_prompts.jsonl"}


@dataclass(frozen=True)
class ReplayPrompt:
    id: str
    lang: str
    kind: str  # question | howto | instruction | harmful
    prompt: str


class UnknownPromptSet(ValueError):
    def __init__(self, version: str) -> None:
        known = ", ".join(sorted(PROMPT_SETS))
        super().__init__(f"unknown replay prompt set {version!r}; known versions: {known}")


def prompt_set_path(version: str) -> Path:
    if version not in PROMPT_SETS:
        raise UnknownPromptSet(version)
    return Path(str(resources.files(__name__.rsplit(".", 1)[0]).joinpath(PROMPT_SETS[version])))


def load_prompts(version: str) -> list[ReplayPrompt]:
    """The prompts of one shipped version, in file order."""
    lines = prompt_set_path(version).read_text(encoding="utf-8").splitlines()
    return [ReplayPrompt(**json.loads(line)) for line in lines if line.strip()]


def prompt_set_digest(version: str) -> str:
    """A hash of the set's content: an edited file never reuses a stale cached set."""
    return hashlib.sha256(prompt_set_path(version).read_bytes()).hexdigest()[:16]


# A job repeats the replay set at most this often per epoch: more copies of the same few
# answers would stop being replay and start being a dataset of their own.
REPLAY_MAX_PASSES = 4
