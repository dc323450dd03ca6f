"""Expert overrides: validated all at once, pinned through the plan, explained."""

from __future__ import annotations

from typing import Any

import pytest
from intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs

from easytune.intent import IntentRequest, OverrideError, Plan, PlanError, resolve_plan


def plan(
    overrides: dict[str, Any], hw: str = "cpu-2core", model: str = "smollm2-135m", level: str = "L1"
) -> Plan:
    return resolve_plan(
        IntentRequest(level=level),
        DATASETS["tiny-style"],
        MODELS[model],
        HARDWARE[hw],
        **plan_kwargs(overrides=overrides),
    )


def problems(overrides: dict[str, Any], **kw: str) -> dict[str, str]:
    with pytest.raises(OverrideError) as info:
        plan(overrides, **kw)
    assert isinstance(info.value, ValueError) and isinstance(info.value, PlanError)
    return {p.param: p.message for p in info.value.problems}


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        {
            "lora.rank": 8,
            "train.lr": 1e-4,
            "train.batch_size": "many",
            "lora.dropout": 1.5,
            "lora.quantization": "4bit",
            "train.precision": "bf16",
            "lora.target_modules": ["c_attn"],
            "data.max_length": 100000,
            "output_dir": "/tmp/x",
        }
    )
    assert found["lora.rank"] == "unknown setting; did you mean lora.r?"
    assert "did you mean train.learning_rate?" in found["train.lr"]
    assert found["train.batch_size"] == "must be a whole number (got 'many')"
    assert found["lora.dropout"] == "must be less than 1.0 (got 1.5)"
    assert found["lora.quantization"] == (
        "QLoRA needs a CUDA GPU and bitsandbytes; remove lora.quantization or run on a GPU worker"
    )
    assert "bf16 is not supported by CPU training" in found["train.precision"]
    assert "c_attn not found" in found["lora.target_modules"]
    assert "q_proj" in found["lora.target_modules"]
    assert "beyond this model's limit of 8192" in found["data.max_length"]
    assert "cannot be overridden" in found["output_dir"]
    assert len(found) == 9


def test_bare_and_foreign_names_get_a_suggestion() -> None:
    found = problems(
        {
            "learning_rate": 1e-4,
            "lora_alpha": 16,
            "cutoff_len": 512,
            "lora.droput": 0.1,
            "colour": "blue",
        }
    )
    assert found["learning_rate"].endswith("did you mean train.learning_rate?")
    assert found["lora_alpha"].endswith("did you mean lora.alpha?")
    assert found["cutoff_len"].endswith("did you mean data.max_length?")
    assert found["lora.droput"].endswith("did you mean lora.dropout?")
    assert "valid keys start with data, lora, train, cf" in found["colour"]


def test_hardware_contradictions_on_a_gpu() -> None:
    found = problems(
        {
            "lora.quantization": "4bit",
            "train.precision": "bf16",
            "cf.warn_threshold": 0.3,
            "cf.stop_threshold": 0.2,
        },
        hw="t4-16g",
    )
    assert (
        "bitsandbytes" in found["lora.quantization"] and "pip install" in found["lora.quantization"]
    )
    assert "use one of fp16, fp32" in found["train.precision"]
    assert "not above the warning threshold" in found["cf.stop_threshold"]
    assert problems({"train.device": "cuda"})["train.device"].startswith("this worker has no")


def test_overrides_are_pinned_and_downstream_choices_follow_them() -> None:
    result = plan({"lora": {"r": 16}, "train.learning_rate": "1e-4", "data.packing": False})
    spec, reasons = result.spec, result.reasons
    assert spec.lora.r == 16 and spec.lora.alpha == 32  # alpha follows the new rank
    assert spec.train.learning_rate == 1e-4 and spec.data.packing is False
    assert reasons["lora.r"].startswith("set by you (was 4 because L1 (style / format) uses")
    assert reasons["train.learning_rate"].startswith("set by you (was 0.001 because")
    assert any("lora.r=16 is outside L1's usual range 4-8" in w for w in result.warnings)


def test_fit_never_changes_a_pinned_setting() -> None:
    result = plan({"train.batch_size": 2, "train.gradient_accumulation": 3})
    assert (result.spec.train.batch_size, result.spec.train.gradient_accumulation) == (2, 3)


def test_unusual_but_allowed_values_warn() -> None:
    result = plan(
        {"lora.r": 512, "train.learning_rate": 5e-3, "train.max_steps": 10, "train.epochs": 2}
    )
    text = " ".join(result.warnings)
    assert "ranks above 256 rarely help" in text and "diverge" in text
    assert "train.epochs is ignored" in text and result.estimate.total_steps == 10


def test_the_accumulation_reason_follows_an_overridden_batch_size() -> None:
    chosen = plan({})
    target = chosen.spec.train.batch_size * chosen.spec.train.gradient_accumulation
    assert f"effective batch of {target} sequences" in chosen.reasons["train.gradient_accumulation"]
    bigger = target * 2
    result = plan({"train.batch_size": bigger})
    why = result.reasons["train.gradient_accumulation"]
    assert result.spec.train.gradient_accumulation == 1
    assert why.startswith(f"{bigger} per step x 1 = {bigger} sequences per optimizer step")
    assert "effective batch of" not in why and f"train.batch_size={bigger}, set by you" in why
    half = plan({"train.batch_size": max(1, target // 2)})
    assert half.spec.train.gradient_accumulation == 2
    assert f"effective batch of {target} sequences" in half.reasons["train.gradient_accumulation"]


def test_override_problems_are_coded_and_read_in_chinese() -> None:
    from easytune.i18n import render

    with pytest.raises(OverrideError) as info:
        plan({"lora.rank": 8, "train.device": "cuda"})
    error = info.value
    assert error.detail is not None and error.detail["code"] == "override.problems"
    assert render(error.detail, "en") == error.message
    zh = render(error.detail, "zh")
    assert zh.startswith("覆盖设置中有 2 个问题：") and "你是指 lora.r 吗" in zh
    assert "lora.rank：未知设置；你是指 lora.r 吗？；train.device：此工作节点没有 CUDA GPU" in zh
    assert "unknown setting" not in zh


def test_the_cli_words_a_refused_override_in_the_locales_language(tmp_path, tiny_llama_dir) -> None:
    import json

    from click.testing import CliRunner

    from easytune.cli.training import plan_command

    data = tmp_path / "train.jsonl"
    row = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    data.write_text(json.dumps(row) + "\n", encoding="utf-8")
    args = ["--model", str(tiny_llama_dir), "--data", str(data), "--set", "lora.rank=4"]
    env = {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
    result = CliRunner().invoke(plan_command, args, env=env)
    assert result.exit_code == 2
    assert "错误：覆盖设置中有 1 个问题：lora.rank：未知设置；你是指 lora.r 吗？" in result.output
    assert "  - lora.rank: 未知设置；你是指 lora.r 吗？" in result.output
    english = CliRunner().invoke(plan_command, [*args, "--lang", "en"], env=env)
    assert "error: 1 problem in the overrides: lora.rank: unknown setting" in english.output


def test_out_of_range_and_wrong_type_values_read_in_chinese_too() -> None:
    with pytest.raises(OverrideError) as info:
        plan({"train.learning_rate": 5, "lora.r": 0, "train.precision": "fp8", "lora.dropout": "x"})
    said = {p.param: (p.message, p.detail.render("zh")) for p in info.value.problems}
    assert said["train.learning_rate"] == ("must be at most 1.0 (got 5)", "不能大于 1.0（收到 5）")
    assert said["lora.r"] == ("must be at least 1 (got 0)", "不能小于 1（收到 0）")
    assert said["train.precision"][0] == "must be one of 'fp32', 'bf16', 'fp16' (got 'fp8')"
    assert said["train.precision"][1] == "必须是 'fp32'、'bf16'、'fp16' 之一（收到 'fp8'）"
    assert said["lora.dropout"] == ("must be a number (got 'x')", "必须是数字（收到 'x'）")
