"""`easytune plan` and `easytune train` on the tiny Llama, through the click group."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from easytune.cli import main
from easytune.cli.training import parse_overrides


def test_set_values_are_typed():
    assert parse_overrides(
        (
            "lora.r=16",
            "lora.use_dora=true",
            "lora.target_modules=q_proj,v_proj",
            "train.lr_scheduler=linear",
        )
    ) == {
        "lora.r": 16,
        "lora.use_dora": True,
        "lora.target_modules": ["q_proj", "v_proj"],
        "train.lr_scheduler": "linear",
    }


def test_plan_json_carries_reasons_and_estimate(tiny_llama_dir, chat_file, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--model",
            str(tiny_llama_dir),
            "--data",
            str(chat_file),
            "--level",
            "L1",
            "--output",
            str(tmp_path / "run"),
            "--set",
            "lora.r=4",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["level"] == "L1" and plan["spec"]["lora"]["r"] == 4
    assert set(plan["spec"]["lora"]["target_modules"]) <= {"q_proj", "k_proj", "v_proj"}
    assert plan["reasons"]["lora.r"] and plan["estimate"]["total_steps"] > 0


def test_plan_refuses_bad_overrides_all_at_once(tiny_llama_dir, chat_file, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--model",
            str(tiny_llama_dir),
            "--data",
            str(chat_file),
            "--level",
            "L2",
            "--set",
            "lora.r=0",
            "--set",
            "train.learnig_rate=1",
        ],
    )
    assert result.exit_code == 2
    assert "lora.r" in result.output and "train.learnig_rate" in result.output


@pytest.mark.slow
def test_train_runs_and_prints_a_summary(tiny_llama_dir, chat_file, tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main,
        [
            "train",
            "--model",
            str(tiny_llama_dir),
            "--data",
            str(chat_file),
            "--level",
            "L1",
            "--output",
            str(out),
            "--set",
            "train.max_steps=4",
            "--set",
            "cf.max_items=4",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Summary" in result.output and "adapter" in result.output
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    spec = json.loads((out / "train_spec.json").read_text())
    assert spec["level"] == "L1" and spec["train"]["max_steps"] == 4
