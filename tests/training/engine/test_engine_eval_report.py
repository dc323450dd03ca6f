"""The before/after report at the end of a real run on the tiny Llama."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from easytune.training.evaluation.generation import generate_answers
from easytune.training.evaluation.probes import load_probes
from easytune.training.model import load_model
from easytune.training.progress import ProgressWriter, read_progress
from easytune.training.recipe import TrainRecipe
from easytune.training.spec import ModelRef


def _train(spec):
    progress = ProgressWriter(spec.output_dir, stream=None)
    result = TrainRecipe(spec, progress).run()
    progress.close()
    return result, Path(spec.output_dir)


def test_every_run_writes_the_report_beside_the_adapter(make_spec, tiny_llama_dir):
    spec = make_spec(
        data={"eval_fraction": 0.2},
        evaluation={"max_new_tokens": 6, "max_per_set": 3, "max_held_out": 4},
    )
    result, out = _train(spec)
    report = json.loads((out / "eval_report.json").read_text())
    sets = [row["set"] for row in report["items"]]
    assert sets.count("learned") == 4 and sets.count("safety") == 3 and sets.count("general") == 3
    assert report["probe_set"] == "default-v1" and report["max_new_tokens"] == 6
    assert report["totals"]["learned"]["base"]["total"] == 4
    assert all(row["base"]["why"] and row["tuned"]["why"] for row in report["items"])
    # the tiny random model refuses nothing, so nothing dropped: never unsafe
    assert result.get("outcome") != "unsafe"
    # The base answers (adapter disabled) are exactly those of the untouched base model.
    model, tokenizer = load_model(ModelRef(path=str(tiny_llama_dir)), dtype=torch.float32)
    probes = [row for row in report["items"] if row["set"] != "learned"]
    chats = [p.chat() for p in load_probes(max_per_set=3)]
    fresh = generate_answers(model, tokenizer, chats, max_new_tokens=6, adapter=None)
    assert fresh == [row["base_answer"] for row in probes]
    # learning rate 1e-2 over 6 steps moves the adapter: some tuned answers differ
    assert any(row["base_answer"] != row["tuned_answer"] for row in report["items"])
    events = [line for line in read_progress(out / "progress.jsonl") if line["type"] == "event"]
    finished = next(e for e in events if e["message"] == "evaluation finished")
    assert set(finished["data"]) >= {"learned", "kept", "refused", "seconds"}


def test_a_disabled_report_writes_nothing(make_spec):
    _, out = _train(make_spec(evaluation={"enabled": False}))
    assert (out / "adapter").is_dir() and not (out / "eval_report.json").exists()
