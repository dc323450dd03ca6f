"""Every failure class ends with its own exit code, a JSON error line, and no adapter."""
# mypy: disable-error-code="attr-defined"
# `expected` is one of the engine error classes, each with exit_code and code.

from __future__ import annotations

import json
from pathlib import Path

import torch

from easytune.training.errors import (
    ERROR_CLASSES,
    EXIT_CODES,
    BadDataError,
    BadSpecError,
    ModelLoadError,
    NonFiniteLossError,
    NoStepsError,
)
from easytune.training.progress import read_progress
from easytune.training.runner import classify, execute


def _fail(spec_path: Path, output_dir: Path, expected: type) -> dict:
    assert execute(spec_path, stream=None) == expected.exit_code
    lines = read_progress(output_dir / "progress.jsonl")
    assert lines[-1]["type"] == "error" and lines[-1]["code"] == expected.code
    assert not any(line["type"] == "result" for line in lines)
    assert not (output_dir / "adapter").exists()
    return lines[-1]


def test_exit_codes_are_distinct_and_non_zero():
    codes = [cls.exit_code for cls in ERROR_CLASSES]
    assert len(set(codes)) == len(codes) and 0 not in codes
    assert EXIT_CODES["nan_loss"] == NonFiniteLossError.exit_code


def test_bad_spec_reports_every_problem_at_once(tmp_path):
    spec = {
        "base_model": {"path": "x"},
        "data": {"train_path": "t.jsonl", "max_length": 4},
        "lora": {"target_modules": []},
        "train": {"learning_rate": -1, "batch_size": 0},
        "output_dir": str(tmp_path / "run"),
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    line = _fail(path, tmp_path / "run", BadSpecError)
    params = {p["param"] for p in line["data"]["problems"]}
    assert params >= {
        "data.max_length",
        "lora.target_modules",
        "train.learning_rate",
        "train.batch_size",
    }


def test_nan_loss_names_the_likely_causes(make_spec, tmp_path):
    # lr at the spec's ceiling (1.0) with a constant schedule overflows the tiny model's
    # attention within a few dozen steps: a real divergence, not an injected value.
    spec = make_spec(
        train={
            "learning_rate": 1.0,
            "max_steps": 60,
            "warmup_ratio": 0.0,
            "lr_scheduler": "constant",
            "eval_every_steps": 100,
        },
        lora={"r": 16, "alpha": 64},
        cf={"enabled": False},
    )
    spec.dump(tmp_path / "spec.json")
    line = _fail(tmp_path / "spec.json", Path(spec.output_dir), NonFiniteLossError)
    assert "learning rate" in line["message"] and "precision" in line["message"]
    assert line["param"] == "train.learning_rate"


def test_zero_steps_when_every_example_is_filtered(make_spec, tmp_path):
    data = tmp_path / "long.jsonl"
    long_prompt = "explain " * 80
    with data.open("w") as handle:
        for _ in range(4):
            messages = [
                {"role": "user", "content": long_prompt},
                {"role": "assistant", "content": "ok"},
            ]
            handle.write(json.dumps({"messages": messages}) + "\n")
    spec = make_spec(data={"train_path": str(data), "max_length": 16, "eval_fraction": 0.0})
    spec.dump(tmp_path / "spec.json")
    _fail(tmp_path / "spec.json", Path(spec.output_dir), NoStepsError)


def test_bad_data_names_the_line(make_spec, tmp_path):
    data = tmp_path / "bad.jsonl"
    good = json.dumps(
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    )
    data.write_text(good + "\n{not json\n" + good + "\n")
    spec = make_spec(data={"train_path": str(data)})
    spec.dump(tmp_path / "spec.json")
    line = _fail(tmp_path / "spec.json", Path(spec.output_dir), BadDataError)
    assert any(error["line"] == 2 for error in line["data"]["errors"])


def test_model_load_failure(make_spec, tmp_path):
    spec = make_spec(base_model={"path": str(tmp_path / "no-such-model")})
    spec.dump(tmp_path / "spec.json")
    line = _fail(tmp_path / "spec.json", Path(spec.output_dir), ModelLoadError)
    assert line["param"] == "base_model.path"


def test_out_of_memory_is_classified():
    cuda = classify(torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"))
    assert cuda.code == "cuda_oom" and "gradient_checkpointing" in cuda.message
    assert "QLoRA" in cuda.message and "batch_size" in cuda.message
    host = classify(MemoryError())
    assert host.code == "host_oom" and host.exit_code != cuda.exit_code
    assert classify(RuntimeError("boom")).code == "internal"


def test_checkpoints_of_another_spec_are_not_resumed(make_spec, tmp_path):
    first = make_spec(train={"max_steps": 2})
    first.dump(tmp_path / "first.json")
    assert execute(tmp_path / "first.json", stream=None) == 0
    changed = make_spec(train={"max_steps": 4, "learning_rate": 1e-3})
    changed.dump(tmp_path / "changed.json")
    assert execute(tmp_path / "changed.json", stream=None) == BadSpecError.exit_code
    line = read_progress(Path(changed.output_dir) / "progress.jsonl")[-1]
    assert line["code"] == "bad_spec" and line["param"] == "output_dir"
    kept = json.loads((Path(changed.output_dir) / "train_spec.json").read_text())
    assert kept["train"]["max_steps"] == 2  # the refused spec did not overwrite the run's own
