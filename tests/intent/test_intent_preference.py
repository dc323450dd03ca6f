"""The preference intent: chosen for pairs, DPO by default with ORPO/SimPO/KTO as options, pairs
counted as two sequences, refused on data without pairs, and never a method override on L1-L3."""

from __future__ import annotations

from typing import Any

import pytest
from intent_cases import HARDWARE, MODELS, plan_kwargs

from easytune.intent import IntentRequest, Plan, PlanError, resolve_plan
from easytune.training.facts import DatasetStats

PAIRS = DatasetStats("openai", 2000, 600_000, 250, 450, 500, 600, 900, kind="preference")
LABELLED = DatasetStats("openai", 2000, 600_000, 250, 450, 500, 600, 900, kind="kto")
CHATS = DatasetStats("openai", 2000, 600_000, 250, 450, 500, 600, 900)


def _plan(stats: DatasetStats, level: Any = "preference", **overrides: object) -> Plan:
    return resolve_plan(
        IntentRequest(level=level),
        stats,
        MODELS["llama-3.2-1b"],
        HARDWARE["a100-80g"],
        **plan_kwargs(overrides=overrides),
    )


def test_auto_chooses_preference_for_pairs_with_a_reason() -> None:
    plan = _plan(PAIRS, "auto")
    assert plan.level == "preference" and "preference pairs" in plan.level_reason
    assert plan.spec.train.method == "dpo" and "adapter disabled" in plan.reasons["train.method"]
    assert plan.spec.preference.beta == 0.1


def test_a_preference_plan_trains_gently_without_packing_or_replay() -> None:
    pref, chat = _plan(PAIRS), _plan(CHATS, "L2")
    assert pref.spec.train.learning_rate < chat.spec.train.learning_rate
    assert "a tenth of the SFT rate" in pref.reasons["train.learning_rate"]
    assert pref.spec.data.packing is False and pref.spec.retain.replay_ratio == 0
    assert pref.spec.train.epochs <= 2
    assert "every linear layer" in pref.reasons["lora.target_modules"]


def test_the_estimate_counts_two_sequences_per_pair() -> None:
    dpo, orpo = _plan(PAIRS), _plan(PAIRS, **{"train.method": "orpo"})
    kto = _plan(LABELLED)
    assert kto.spec.train.method == "kto"
    same = {"train.batch_size": 4, "train.gradient_accumulation": 4, "data.max_length": 512}
    pairs, answers = _plan(PAIRS, **same), _plan(LABELLED, **same)
    assert pairs.estimate.tokens_per_step == 2 * answers.estimate.tokens_per_step
    assert pairs.estimate.peak_memory_bytes > answers.estimate.peak_memory_bytes
    # ORPO has no reference pass: cheaper than DPO on the same pairs.
    assert orpo.estimate.seconds < dpo.estimate.seconds
    assert "set by you" in orpo.reasons["train.method"]


@pytest.mark.parametrize("method", ["orpo", "simpo"])
def test_orpo_and_simpo_are_plan_options(method: str) -> None:
    plan = _plan(PAIRS, **{"train.method": method})
    assert plan.spec.train.method == method
    assert plan.spec.preference.beta == (2.0 if method == "simpo" else 0.1)


def test_pair_methods_are_refused_on_labelled_answers() -> None:
    with pytest.raises(PlanError, match=r"use train\.method=kto") as info:
        _plan(LABELLED, **{"train.method": "dpo"})
    assert info.value.param == "overrides.train.method"


def test_preference_is_refused_on_plain_chats() -> None:
    with pytest.raises(PlanError, match="preference intent needs preference pairs") as info:
        _plan(CHATS)
    assert info.value.param == "intent.level"


def test_a_method_override_needs_the_preference_intent() -> None:
    with pytest.raises(PlanError, match="choose intent level 'preference'"):
        _plan(PAIRS, "L2", **{"train.method": "dpo"})


def test_l2_on_pairs_warns_that_only_chosen_answers_train() -> None:
    plan = _plan(PAIRS, "L2")
    assert plan.spec.train.method == "sft"
    assert any("chosen answers only" in w for w in plan.warnings)
