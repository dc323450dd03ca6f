"""Contract over every level x architecture x hardware: a valid, explained, fitting plan."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs

import easytune
from easytune.intent import LEVELS, IntentRequest, Plan, PlanDoesNotFit, resolve_plan
from easytune.training.facts import HardwareFacts, ModelFacts
from easytune.training.spec import TrainSpec

NOT_CHOSEN = {
    "spec_version",
    "level",
    "base_model",
    "data.train_path",
    "data.eval_path",
    "output_dir",
}


def leaf_paths(spec: TrainSpec) -> set[str]:
    out: set[str] = set()
    for key, value in spec.model_dump().items():
        if isinstance(value, dict) and key != "base_model":
            out.update(f"{key}.{name}" for name in value)
        else:
            out.add(key)
    return out - NOT_CHOSEN


def must_fit(model: ModelFacts, hw: HardwareFacts) -> bool:
    """Models whose fp32 weights take under a third of the CPU budget, and anything on 80 GB."""
    if hw.device == "cuda":
        return hw.gpu_memory_bytes >= 80 * 1024**3 or model.param_count < 3e9
    return model.param_count * 4 < hw.host_memory_bytes * 0.6 / 3


def check_plan(plan: Plan, level: str, model: ModelFacts, hw: HardwareFacts) -> None:
    spec, rule = plan.spec, LEVELS[level]  # type: ignore[index]
    assert TrainSpec.model_validate_json(spec.model_dump_json()) == spec
    assert spec.level == level
    modules = {*model.attention_qkv, *model.attention_out, *model.mlp}
    assert set(spec.lora.target_modules) <= modules
    wanted = {n for group in rule.targets for n in getattr(model, group)}
    assert set(spec.lora.target_modules) == wanted
    assert rule.rank_min <= spec.lora.r <= rule.rank_max
    assert spec.lora.alpha == 2 * spec.lora.r
    missing = leaf_paths(spec) - set(plan.reasons)
    assert not missing, f"settings without a reason: {missing}"
    assert all(reason.strip() for reason in plan.reasons.values())
    est = plan.estimate
    assert 0 < est.peak_memory_bytes <= est.memory_budget_bytes
    assert est.peak_memory_bytes == sum(est.breakdown.values())
    assert est.total_steps >= 1 and est.seconds > 0 and est.tokens_per_step > 0
    assert spec.data.max_length <= model.max_position_embeddings
    assert 0.03 <= spec.train.warmup_ratio <= 0.1
    expected = "fp32" if hw.device == "cpu" else "bf16" if hw.bf16_supported else "fp16"
    assert spec.train.precision == expected
    assert spec.train.eval_every_steps and spec.train.eval_every_steps <= est.total_steps
    retain = spec.retain  # retention is in every plan, each setting explained
    assert retain.enabled and retain.best_checkpoint
    assert {f"retain.{name}" for name in retain.model_dump()} <= set(plan.reasons)
    if level == "preference":  # pairs are not chats: the reference term anchors instead
        assert retain.replay_ratio == 0 and est.replay_seconds == 0
        assert spec.train.method in ("dpo", "kto")
    else:
        assert retain.replay_ratio > 0 and 0 < est.replay_seconds < est.seconds
    json.dumps(plan.to_dict())


@pytest.mark.parametrize("hw_name", sorted(HARDWARE))
@pytest.mark.parametrize("model_name", sorted(MODELS))
@pytest.mark.parametrize("level", sorted(LEVELS))
def test_every_level_model_and_hardware_gives_a_valid_explained_plan(
    level: str, model_name: str, hw_name: str
) -> None:
    model, hw = MODELS[model_name], HARDWARE[hw_name]
    for data_name, data in DATASETS.items():
        if level == "preference":  # the same sizes, as preference pairs
            data = dataclasses.replace(data, kind="preference")
        try:
            plan = resolve_plan(
                IntentRequest(level=level),
                data,
                model,
                hw,
                **plan_kwargs(),
            )
        except PlanDoesNotFit as exc:
            assert not must_fit(model, hw), f"{model_name} on {hw_name} ({data_name}): {exc}"
            assert exc.suggestions and "budget" in str(exc)
            continue
        check_plan(plan, level, model, hw)


def test_level_targets_grow_from_attention_to_all_linear_layers() -> None:
    model, hw, data = MODELS["phi-3-mini"], HARDWARE["a100-80g"], DATASETS["medium-chat"]
    targets = {
        lv: resolve_plan(IntentRequest(level=lv), data, model, hw, **plan_kwargs()).spec.lora
        for lv in ("L1", "L2", "L3")
    }
    assert targets["L1"].target_modules == ["qkv_proj"]
    assert targets["L2"].target_modules == ["qkv_proj", "gate_up_proj", "down_proj"]
    assert targets["L3"].target_modules == ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]
    assert targets["L1"].r < targets["L2"].r < targets["L3"].r


def test_rank_grows_with_data_within_the_level() -> None:
    model, hw = MODELS["llama-3.2-1b"], HARDWARE["a100-80g"]
    small = resolve_plan(
        IntentRequest(level="L2"), DATASETS["tiny-style"], model, hw, **plan_kwargs()
    )
    large = resolve_plan(
        IntentRequest(level="L2"), DATASETS["big-text"], model, hw, **plan_kwargs()
    )
    assert (small.spec.lora.r, large.spec.lora.r) == (8, 16)
    assert small.spec.lora.dropout > large.spec.lora.dropout
    assert small.spec.train.epochs > large.spec.train.epochs
    assert large.spec.data.assistant_only_loss is False  # plain text: every token is learnt


def test_max_length_follows_p99_and_warns_when_capped() -> None:
    data = DATASETS["medium-chat"]  # p99 = 900 tokens
    plan = resolve_plan(
        IntentRequest(level="L1"),
        data,
        MODELS["llama-3.2-1b"],
        HARDWARE["a100-80g"],
        **plan_kwargs(),
    )
    assert plan.spec.data.max_length == 960
    long_chats = dataclasses.replace(DATASETS["big-text"], format="openai", is_chat=True)
    gpt2 = resolve_plan(
        IntentRequest(level="L1"),
        long_chats,
        MODELS["gpt2"],
        HARDWARE["a100-80g"],
        **plan_kwargs(),
    )
    assert gpt2.spec.data.max_length == 1024
    assert any(
        "capped at the model's limit of 1024" in w and "examples" in w for w in gpt2.warnings
    )


def test_smollm2_on_two_cpu_cores_trains_at_about_250_tokens_per_second() -> None:
    plan = resolve_plan(
        IntentRequest(level="L1"),
        DATASETS["tiny-style"],
        MODELS["smollm2-135m"],
        HARDWARE["cpu-2core"],
        **plan_kwargs(),
    )
    assert 225 <= plan.estimate.tokens_per_second <= 275
    assert plan.spec.train.gradient_checkpointing is False
    assert plan.estimate.seconds < 15 * 60  # the demo must finish in minutes


def test_plans_are_deterministic() -> None:
    args = (
        IntentRequest(level="auto", description="医疗领域的术语"),
        DATASETS["medium-chat"],
        MODELS["llama-3.2-1b"],
        HARDWARE["t4-16g"],
    )
    overrides = {"lora.dropout": 0.2, "train": {"epochs": 2}}
    first = resolve_plan(*args, **plan_kwargs(overrides=overrides)).to_dict()
    second = resolve_plan(*args, **plan_kwargs(overrides=dict(reversed(overrides.items()))))
    assert json.dumps(first, sort_keys=True) == json.dumps(second.to_dict(), sort_keys=True)


def test_the_engine_imports_no_torch() -> None:
    src = str(Path(easytune.__file__).parents[1])  # this checkout, not the installed copy
    code = "import sys, easytune.intent; print(sorted(m for m in sys.modules if 'torch' in m))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": src},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"
