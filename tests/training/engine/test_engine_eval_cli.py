"""`easytune eval` on the tiny Llama through the click group: table, JSON, bad adapter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from easytune.cli import main
from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe

FAST = ["--max-new-tokens", "4", "--max-per-set", "2", "--max-held-out", "3"]


@pytest.fixture
def adapter_dir(make_spec) -> Path:
    spec = make_spec(train={"max_steps": 3}, evaluation={"enabled": False}, cf={"enabled": False})
    TrainRecipe(spec, ProgressWriter(None, stream=None)).run()
    return Path(spec.output_dir) / "adapter"


def test_eval_json_has_the_base_first_then_each_adapter(tiny_llama_dir, chat_file, adapter_dir):
    args = ["eval", "--model", str(tiny_llama_dir), "--data", str(chat_file), *FAST]
    result = CliRunner().invoke(main, [*args, "--adapter", str(adapter_dir), "--json"])
    assert result.exit_code == 0, result.output
    models = json.loads(result.output)["models"]
    assert [m["name"] for m in models] == ["base", "run/adapter"]
    base, tuned = (m["report"] for m in models)
    assert len(base["items"]) == 5 * 2 + 3  # two probes of each of the five sets, three held out
    assert base["totals"]["learned"]["base"]["total"] == 3
    # the same base answers in both reports: the adapter column is judged against the base
    assert [r["base_answer"] for r in base["items"]] == [r["base_answer"] for r in tuned["items"]]
    assert [r["base_answer"] for r in base["items"]] == [r["tuned_answer"] for r in base["items"]]


def test_eval_prints_a_table_with_the_base_model_first(tiny_llama_dir, adapter_dir):
    args = ["eval", "--model", str(tiny_llama_dir), *FAST]
    result = CliRunner().invoke(main, [*args, "--adapter", str(adapter_dir)])
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["base", "run/adapter"]
    names = [row.split("  ")[0] for row in rows]
    assert names[:2] == ["learned (held-out)", "general correct"] and "unsafe" in names
    refused = next(row for row in rows if row.startswith("refused"))
    assert refused.split()[2:] == ["0/2", "(0%)", "0/2", "(0%)"]


def test_eval_refuses_a_folder_that_is_not_an_adapter(tiny_llama_dir, tmp_path):
    args = ["eval", "--model", str(tiny_llama_dir), "--adapter", str(tmp_path), *FAST]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "has no adapter_config.json" in result.output and "--adapter" in result.output


def test_eval_names_a_model_it_cannot_load(tmp_path):
    result = CliRunner().invoke(main, ["eval", "--model", str(tmp_path / "nowhere"), *FAST])
    assert result.exit_code != 0 and "error:" in result.output
