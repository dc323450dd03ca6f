"""The retain section: planned in every plan, explained, overridable, and in the estimate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs

from easytune.intent import IntentRequest, OverrideError, Plan, resolve_plan
from easytune.intent.rules import REPLAY_PROMPT_SET, REPLAY_PROMPTS
from easytune.training.retain.prompts import load_prompts


def plan(
    level: str = "L2",
    data: str = "tiny-style",
    model: str = "smollm2-135m",
    hw: str = "cpu-2core",
    overrides: dict[str, Any] | None = None,
) -> Plan:
    return resolve_plan(
        IntentRequest(level=level),
        DATASETS[data],
        MODELS[model],
        HARDWARE[hw],
        **plan_kwargs(overrides=overrides or {}),
    )


@pytest.mark.parametrize("level", ["L1", "L2", "L3"])
def test_every_plan_retains_with_a_reason_per_setting(level: str) -> None:
    p = plan(level)
    retain = p.spec.retain
    assert retain.enabled and retain.best_checkpoint and retain.replay_ratio > 0
    assert retain.prompt_set == REPLAY_PROMPT_SET and retain.cache_dir is None
    for name in retain.model_dump():
        assert p.reasons[f"retain.{name}"].strip()
    assert p.estimate.replay_seconds > 0
    assert retain.max_new_tokens <= p.spec.data.max_length - 64


def test_the_anchor_and_replay_follow_level_model_size_and_data_size() -> None:
    l1, l2 = plan("L1").spec.retain, plan("L2").spec.retain
    # L2 holds general answers with the anchor; its replay is L1's (a replayed row costs a step)
    assert l1.kl_weight == 0 and l2.kl_weight > 0 and l1.replay_ratio == l2.replay_ratio
    big_model = plan("L2", model="llama-3-8b", hw="a100-80g").spec.retain
    assert 0 < big_model.kl_weight < l2.kl_weight  # small models drift fastest
    big_data = plan("L2", data="big-text", model="llama-3-8b", hw="a100-80g")
    assert big_data.spec.retain.replay_ratio < l2.replay_ratio
    assert big_data.spec.retain.score_examples == 0  # plain text: nothing to score
    assert plan("L2", hw="a100-80g").spec.retain.max_new_tokens > l2.max_new_tokens


def test_retain_disabled_gives_the_old_plan() -> None:
    off = plan("L2", overrides={"retain.enabled": False})
    on = plan("L2")
    assert off.spec.retain.enabled is False
    assert off.reasons["retain.enabled"].startswith("set by you (was true")
    assert off.estimate.replay_seconds == 0
    assert off.estimate.seconds < on.estimate.seconds
    # Replayed answers add rows per epoch; without them the run is today's.
    tokens = [p.estimate.total_steps * p.estimate.tokens_per_step for p in (on, off)]
    assert tokens[0] > tokens[1]
    assert "replayed answers" not in off.reasons["train.epochs"]


def test_retain_overrides_are_validated_with_the_others_at_once() -> None:
    with pytest.raises(OverrideError) as info:
        plan(
            overrides={
                "retain.replay_ratio": 0,
                "retain.kl_weight": 0.5,
                "retain.max_new_tokens": 1,
                "retain.cache_dir": "/tmp/x",
                "retain.enable": True,
                "lora.r": "big",
            }
        )
    found = {p.param: p.message for p in info.value.problems}
    assert "replay_ratio=0 replays none" in found["retain.kl_weight"]
    assert found["retain.max_new_tokens"] == "must be at least 8 (got 1)"
    assert "chosen by the platform" in found["retain.cache_dir"]
    assert "did you mean retain.enabled?" in found["retain.enable"]
    assert "lora.r" in found and len(found) == 5


def test_pinned_retain_values_stand_and_odd_combinations_warn() -> None:
    p = plan(overrides={"retain": {"replay_ratio": 2.0, "kl_weight": 0.0}})
    assert (p.spec.retain.replay_ratio, p.spec.retain.kl_weight) == (2.0, 0.0)
    warned = plan(overrides={"retain.enabled": False, "retain.kl_weight": 1.0})
    assert any("retain.* settings are ignored" in w for w in warned.warnings)
    json.dumps(p.to_dict())


def test_the_planner_knows_the_shipped_replay_set() -> None:
    prompts = load_prompts(REPLAY_PROMPT_SET)
    assert len(prompts) == REPLAY_PROMPTS
