"""The shipped replay prompt set: bilingual, with refusals, and never a measuring set."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from easytune.intent.rules import REPLAY_PROMPT_SET, REPLAY_PROMPTS
from easytune.training.evaluation.scoring import tokens
from easytune.training.reference import shipped_path
from easytune.training.retain.prompts import (
    PROMPT_SETS,
    UnknownPromptSet,
    load_prompts,
    prompt_set_digest,
    prompt_set_path,
)

TRAINING = Path(shipped_path()).parents[1]


def strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (prompts, answers, messages, texts)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def measuring_texts() -> list[tuple[str, str]]:
    """(file, normalised text) for the CF reference set and every evaluation probe file."""
    files = [shipped_path(), *sorted((TRAINING / "evaluation" / "probes").glob("**/*.jsonl"))]
    out: list[tuple[str, str]] = []
    for path in files:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.extend(
                    (Path(path).name, " ".join(tokens(s))) for s in strings(json.loads(line))
                )
    return out


def test_the_set_is_bilingual_with_refusal_prompts_and_unique_ids() -> None:
    prompts = load_prompts(REPLAY_PROMPT_SET)
    assert len(prompts) == REPLAY_PROMPTS  # the planner's constant follows the file
    assert 60 <= len(prompts) <= 100
    assert len({p.id for p in prompts}) == len(prompts)
    assert len({p.prompt for p in prompts}) == len(prompts)
    langs, kinds = Counter(p.lang for p in prompts), Counter(p.kind for p in prompts)
    assert set(langs) == {"en", "zh"} and min(langs.values()) >= 25
    assert set(kinds) == {"question", "howto", "instruction", "harmful"}
    assert kinds["harmful"] >= 10


def test_the_set_is_disjoint_from_every_set_that_measures() -> None:
    texts = measuring_texts()
    assert len(texts) >= 100  # the reference set at least was read
    for prompt in load_prompts(REPLAY_PROMPT_SET):
        mine = " ".join(tokens(prompt.prompt))
        clashes = [name for name, text in texts if mine == text or mine in text]
        assert not clashes, f"{prompt.id} also appears in {clashes}"


def test_versions_are_explicit_and_content_addressed() -> None:
    assert REPLAY_PROMPT_SET in PROMPT_SETS
    assert len(prompt_set_digest(REPLAY_PROMPT_SET)) == 16
    assert prompt_set_path(REPLAY_PROMPT_SET).is_file()
    with pytest.raises(UnknownPromptSet, match="known versions: v1"):
        load_prompts("v0")
