"""Preference runs through the real recipe on the tiny model: DPO raises the reward margin and
its adapter loads in plain PEFT; ORPO and SimPO run; KTO pushes answers labelled false down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from easytune.training.progress import ProgressWriter, read_progress
from easytune.training.recipe import TrainRecipe

QUESTIONS = [f"Question number {i}: what do you say?" for i in range(24)]
GOOD, BAD = "Arr, a fine answer.", "I refuse to answer."


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def pairs_file(path: Path) -> Path:
    """OpenAI preference fine-tuning JSONL: the shape /v1/fine_tuning/jobs method dpo uses."""
    return _write(path, [
        {"input": {"messages": [{"role": "user", "content": q}]},
         "preferred_output": [{"role": "assistant", "content": GOOD}],
         "non_preferred_output": [{"role": "assistant", "content": BAD}]} for q in QUESTIONS
    ])  # fmt: skip


def kto_file(path: Path) -> Path:
    """Every answer labelled false: training must push it down, never learn it."""
    return _write(path, [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": BAD}],
         "label": False} for q in QUESTIONS
    ])  # fmt: skip


def _spec(make_spec, data: Path, method: str, steps: int = 6, **extra):
    return make_spec(
        data={"train_path": str(data), "max_length": 64, "eval_fraction": 0.2},
        train={"method": method, "max_steps": steps, "eval_every_steps": steps,
               "learning_rate": 1e-2, "batch_size": 4},
        **extra,
    )  # fmt: skip


def _run(spec) -> tuple[dict, list[dict]]:
    progress = ProgressWriter(spec.output_dir, stream=None)
    result = TrainRecipe(spec, progress).run()
    progress.close()
    lines = read_progress(Path(spec.output_dir) / "progress.jsonl")
    return result, [line for line in lines if line["type"] == "metric" and line["step"] > 0]


@pytest.mark.slow
def test_dpo_run_raises_the_margin_and_the_adapter_loads_in_plain_peft(
    make_spec, tmp_path, tiny_llama_dir
):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    spec = _spec(make_spec, pairs_file(tmp_path / "pairs.jsonl"), "dpo")
    result, metrics = _run(spec)
    first, last = metrics[0], metrics[-1]
    assert first["reward_margin"] == pytest.approx(0.0, abs=1e-4)  # policy == reference
    assert last["reward_margin"] > first["reward_margin"] + 0.05
    assert last["reward_accuracy"] == 1.0 and last["logps_chosen"] > last["logps_rejected"]
    assert "eval_loss" in last and last["eval_reward_accuracy"] == 1.0
    assert result["cf"] is not None  # the CF monitor ran unchanged
    report = json.loads((Path(spec.output_dir) / "eval_report.json").read_text())
    held_out = [row for row in report["items"] if row["id"].startswith("held-out-")]
    assert held_out and held_out[0]["reference"] == [GOOD]  # the chosen answer is the key
    adapter = Path(result["adapter_dir"])
    base = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    plain = PeftModel.from_pretrained(base, adapter)
    ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad(), plain.disable_adapter():
        before = plain(input_ids=ids).logits
    with torch.no_grad():
        assert not torch.allclose(plain(input_ids=ids).logits, before)  # the adapter is live


@pytest.mark.slow
@pytest.mark.parametrize("method", ["orpo", "simpo"])
def test_orpo_and_simpo_runs_prefer_the_chosen_answer(make_spec, tmp_path, method):
    spec = _spec(make_spec, pairs_file(tmp_path / "pairs.jsonl"), method, cf={"enabled": False})
    _, metrics = _run(spec)
    assert metrics[-1]["reward_margin"] > metrics[0]["reward_margin"]
    assert metrics[-1]["logps_chosen"] > metrics[-1]["logps_rejected"]


def _answer_logp(model, tokenizer, question: str, answer: str) -> float:
    from easytune.training.data.types import Message
    from easytune.training.preference.dpo import tokenize_answer
    from easytune.training.preference.losses import answer_logps

    item = tokenize_answer([Message("user", question)], answer, tokenizer, 64)
    batch = {"input_ids": torch.tensor([item.input_ids]), "labels": torch.tensor([item.labels]),
             "attention_mask": torch.ones(1, len(item.input_ids), dtype=torch.long)}  # fmt: skip
    with torch.no_grad():
        return float(answer_logps(model, batch)[0])


@pytest.mark.slow
def test_kto_with_false_labels_pushes_those_answers_down(make_spec, tmp_path, tiny_llama_dir):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    data = kto_file(tmp_path / "kto.jsonl")
    spec = _spec(make_spec, data, "kto", cf={"enabled": False})
    result, metrics = _run(spec)
    # Only undesirable answers: their reward falls, so the margin (good minus bad) rises.
    assert metrics[-1]["reward_margin"] > metrics[0]["reward_margin"] + 0.05
    assert metrics[-1]["logps_rejected"] < metrics[0]["logps_rejected"]
    tokenizer = AutoTokenizer.from_pretrained(result["adapter_dir"])
    model = PeftModel.from_pretrained(
        AutoModelForCausalLM.from_pretrained(tiny_llama_dir), result["adapter_dir"]
    )
    question = QUESTIONS[0]
    tuned = _answer_logp(model, tokenizer, question, BAD)
    with model.disable_adapter():
        base = _answer_logp(model, tokenizer, question, BAD)
    assert tuned < base - 0.5  # SFT on the same file would raise it (see the next test)


@pytest.mark.slow
def test_sft_on_a_kto_file_never_trains_the_false_answers(make_spec, tmp_path):
    data = kto_file(tmp_path / "kto.jsonl")
    records = [json.loads(line) for line in data.read_text().splitlines()]
    records[0]["label"] = True  # one good answer: the only one next-token training may learn
    _write(data, records)
    spec = _spec(make_spec, data, "sft", steps=1, cf={"enabled": False})
    spec.data.eval_fraction = 0.0
    _run(spec)
    report = json.loads((Path(spec.output_dir) / "data_report.json").read_text())
    assert report["stats"]["examples"] == 1 and report["kind"] == "kto"
