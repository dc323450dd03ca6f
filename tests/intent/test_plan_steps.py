"""The plan's step count is the run's: the same split, batching and rounding as the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from easytune.cli.training import PlanInputs, build_plan
from easytune.training import pipeline
from easytune.training.model import load_tokenizer
from easytune.training.recipe import total_steps
from easytune.training.retain.prompts import load_prompts
from easytune.training.retain.replay import Replay, ReplayAnswer


def write_chat(path: Path, rows: int) -> Path:
    """Chat JSONL of `rows` distinct short exchanges."""
    lines = []
    for i in range(rows):
        messages = [{"role": "user", "content": f"add {i} and {i % 7}"},
                    {"role": "assistant", "content": f"{i} + {i % 7} = {i + i % 7}"}]  # fmt: skip
        lines.append(json.dumps({"messages": messages}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def short_answers(version: str) -> list[ReplayAnswer]:
    """A short finished answer for every shipped replay prompt (the count matters here)."""
    return [
        ReplayAnswer(p.id, p.kind, p.prompt, "a short answer.", True) for p in load_prompts(version)
    ]


@pytest.mark.parametrize("retain", [False, True])
@pytest.mark.parametrize("rows", [179, 40, 333])
def test_planned_steps_equal_the_engines(
    tmp_path: Path, tiny_llama_dir: Path, rows: int, retain: bool
) -> None:
    # 179 rows: the demo's size, where the plan said 55 steps and the run did 52.
    data = write_chat(tmp_path / "train.jsonl", rows)
    overrides = {"data.packing": False, "retain.enabled": retain}
    inputs = PlanInputs(str(tiny_llama_dir), None, str(data), None, "L1", "", str(tmp_path / "o"),
                        overrides)  # fmt: skip
    plan = build_plan(inputs)
    spec = plan.spec
    tokenizer = load_tokenizer(tiny_llama_dir)
    replay = Replay(short_answers(spec.retain.prompt_set), spec, tokenizer) if retain else None
    prepared = pipeline.prepare_data(
        spec.data, tokenizer, spec.train.batch_size, pack=False, replay=replay
    )
    assert (prepared.replayed > 0) == retain
    assert plan.estimate.total_steps == total_steps(spec, len(prepared.train))
