"""Real runs on the tiny model: a text corpus in blocks (with chats mixed in), a tool chat."""

from __future__ import annotations

import json
from pathlib import Path

from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe


def _run(spec) -> dict:
    progress = ProgressWriter(spec.output_dir, stream=None)
    TrainRecipe(spec, progress).run()
    progress.close()
    out = Path(spec.output_dir)
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    return json.loads((out / "data_report.json").read_text())


def test_a_corpus_with_one_long_document_trains_in_full_blocks(make_spec, chat_file, tmp_path):
    corpus = tmp_path / "wiki.txt"
    corpus.write_text("The quick brown fox jumps over the lazy dog. " * 60 + "\n")
    spec = make_spec(
        data={"train_path": str(corpus), "mix_path": str(chat_file), "eval_fraction": 0.0,
              "assistant_only_loss": False},
        train={"max_steps": 2, "eval_every_steps": 100},
        cf={"enabled": False},
    )  # fmt: skip
    report = _run(spec)
    assert report["kind"] == "corpus" and report["truncated"] == 0
    assert report["blocks"] >= 5 and report["stats"]["examples"] == 1
    assert report["mixed_examples"] == 48


ADD_CALL = {"name": "add", "arguments": '{"a": 2, "b": 3}'}


def test_a_tool_calling_chat_trains(make_spec, tmp_path):
    record = {
        "tools": [{"type": "function", "function": {"name": "add", "parameters": {}}}],
        "messages": [
            {"role": "user", "content": "add 2 and 3"},
            {"role": "assistant", "tool_calls": [{"type": "function", "function": ADD_CALL}]},
            {"role": "tool", "content": "5"},
            {"role": "assistant", "content": "2 + 3 = 5"},
        ],
    }  # fmt: skip
    data = tmp_path / "tools.jsonl"
    data.write_text((json.dumps(record) + "\n") * 8)
    spec = make_spec(
        data={"train_path": str(data), "eval_fraction": 0.0, "max_length": 1024},
        train={"max_steps": 2, "eval_every_steps": 100},
        cf={"enabled": False},
    )
    report = _run(spec)
    assert report["kind"] == "tool_calling" and report["truncated"] == 0
