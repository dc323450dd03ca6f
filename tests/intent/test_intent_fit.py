"""Memory fitting: adjustments before refusal, and a refusal that says what would fit."""

from __future__ import annotations

import dataclasses

import pytest
from intent_cases import DATASETS, GIB, H100, HARDWARE, MODELS, RTX_4090, plan_kwargs, stats

from easytune.intent import IntentRequest, PlanDoesNotFit, resolve_plan

LONG_CHAT = stats(20000, 1000)  # p99 = 3000 tokens
CHAT_1500 = stats(20000, 500)  # p99 = 1500 tokens
# Logits only where answers are, one chunk at a time, leave an 8B model's 3008-token rows
# fitting a 22 GB card with checkpointing; a 21 GB card needs the rows shortened.
RTX_21GB = dataclasses.replace(RTX_4090, gpu_memory_bytes=21 * GIB, gpu_name="a 21 GB card")


def test_8b_on_a_24gb_gpu_fits_with_checkpointing() -> None:
    plan = resolve_plan(
        IntentRequest(level="L2"),
        CHAT_1500,
        MODELS["llama-3-8b"],
        RTX_4090,
        **plan_kwargs(),
    )
    spec, est = plan.spec, plan.estimate
    assert spec.train.gradient_checkpointing is True
    assert spec.lora.quantization == "none" and spec.train.precision == "bf16"
    assert est.peak_memory_bytes <= est.memory_budget_bytes == int(24 * GIB * 0.9)
    assert "without it batch 1 needs" in plan.reasons["train.gradient_checkpointing"]
    assert "GiB budget" in plan.reasons["train.gradient_checkpointing"]
    effective = spec.train.batch_size * spec.train.gradient_accumulation
    assert effective == 16


def test_long_sequences_are_shortened_when_nothing_else_helps() -> None:
    plan = resolve_plan(
        IntentRequest(level="L3"), LONG_CHAT, MODELS["llama-3-8b"], RTX_21GB, **plan_kwargs()
    )
    assert plan.spec.data.max_length < 3008
    assert plan.reasons["data.max_length"].startswith("shortened from 3008")
    assert any("shortened" in w and "truncated" in w for w in plan.warnings)


def test_qlora_comes_before_truncation_when_bitsandbytes_is_there() -> None:
    gpu = dataclasses.replace(RTX_21GB, bitsandbytes=True)
    plan = resolve_plan(
        IntentRequest(level="L3"), LONG_CHAT, MODELS["llama-3-8b"], gpu, **plan_kwargs()
    )
    assert plan.spec.lora.quantization == "4bit"
    assert plan.spec.data.max_length == 3008
    assert plan.reasons["lora.quantization"].startswith("4-bit QLoRA")


def test_an_8b_model_on_cpu_is_refused_with_what_would_fit() -> None:
    with pytest.raises(PlanDoesNotFit) as info:
        resolve_plan(
            IntentRequest(level="L2"),
            DATASETS["medium-chat"],
            MODELS["llama-3-8b"],
            HARDWARE["cpu-2core"],
            **plan_kwargs(),
        )
    err = info.value
    assert isinstance(err, ValueError) and err.peak_memory_bytes > err.budget_bytes
    assert "14.4 GiB (60% of 24.0 GiB host memory)" in str(err)
    assert any("CUDA GPU worker with at least" in s for s in err.suggestions)


def test_a_pinned_setting_that_breaks_the_fit_is_named() -> None:
    with pytest.raises(PlanDoesNotFit) as info:
        resolve_plan(
            IntentRequest(level="L2"),
            DATASETS["medium-chat"],
            MODELS["mistral-7b"],
            RTX_4090,
            **plan_kwargs(overrides={"train.gradient_checkpointing": False, "train.batch_size": 4}),
        )
    text = " ".join(info.value.suggestions)
    assert "remove your override train.gradient_checkpointing=false" in text
    assert "remove your override train.batch_size=4" in text


def test_gpu_throughput_follows_the_h100_anchor() -> None:
    plan = resolve_plan(
        IntentRequest(level="L1"),
        DATASETS["medium-chat"],
        MODELS["llama-3-8b"],
        H100,
        **plan_kwargs(),
    )
    # 400 TFLOP/s x 40% MFU / (6 x 8.03B FLOPs per token)
    # (3320), a little more as the output projection runs only where answers carry loss
    assert plan.estimate.tokens_per_second == pytest.approx(3430, rel=0.01)
