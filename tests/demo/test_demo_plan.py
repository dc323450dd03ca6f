"""The demo's own plan settings: brought by the shipped dataset, explained, overridable."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "intent"))

from intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs

from easytune.demo import demo_dataset_path
from easytune.demo.plan import demo_dataset_sha256, demo_presets, file_sha256
from easytune.intent import IntentRequest, Plan, resolve_plan


def demo_plan(overrides: dict[str, object] | None = None, sha: str | None = None) -> Plan:
    return resolve_plan(
        IntentRequest(level="L1"),
        DATASETS["tiny-style"],
        MODELS["smollm2-135m"],
        HARDWARE["cpu-2core"],
        **plan_kwargs(overrides=overrides or {}),
        presets=demo_presets(sha or demo_dataset_sha256()),
    )


def test_only_the_shipped_demo_file_brings_presets(tmp_path: Path) -> None:
    assert file_sha256(str(demo_dataset_path())) == demo_dataset_sha256()
    assert set(demo_presets(demo_dataset_sha256())) == {
        "retain.replay_ratio",
        "train.gradient_accumulation",
        "train.epochs",
        "cf.max_items",
        "retain.best_checkpoint",
    }
    edited = tmp_path / "pirate.jsonl"
    edited.write_bytes(demo_dataset_path().read_bytes() + b"\n")
    assert demo_presets(file_sha256(str(edited))) == {}


def test_presets_win_over_the_rules_and_say_what_the_rule_would_choose() -> None:
    general = demo_plan(sha="0" * 64)
    demo = demo_plan()
    assert general.spec.train.epochs > 1 and general.spec.retain.replay_ratio > 0
    assert (demo.spec.train.epochs, demo.spec.retain.replay_ratio) == (1.0, 0.0)
    assert (demo.spec.train.gradient_accumulation, demo.spec.cf.max_items) == (1, 8)
    assert demo.spec.retain.best_checkpoint is False  # the last step, which has the style
    why = demo.reasons["train.epochs"]
    assert why.startswith("the shipped demo:")
    assert f"the general rule: {general.spec.train.epochs:g}, because" in why
    assert demo.reason_messages["retain.replay_ratio"].code == "intent.preset.changed"
    # fewer, smaller steps: the demo is planned faster than the general plan of the same data
    assert demo.estimate.seconds < general.estimate.seconds / 2


def test_an_override_still_wins_over_a_preset() -> None:
    result = demo_plan({"train.epochs": 2.0})
    assert result.spec.train.epochs == 2.0
    why = result.reasons["train.epochs"]
    assert why.startswith("set by you (was 1 because the shipped demo:")
    assert result.spec.train.gradient_accumulation == 1  # the other presets stand


def test_a_bigger_batch_on_the_demo_keeps_its_accumulation_reason_true() -> None:
    result = demo_plan({"train.batch_size": 8})
    assert (result.spec.train.batch_size, result.spec.train.gradient_accumulation) == (8, 1)
    why = result.reasons["train.gradient_accumulation"]
    assert why.startswith("8 per step x 1 = 8 sequences per optimizer step")
    assert "4 sequences" not in why
