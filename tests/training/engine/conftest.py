"""Engine test fixtures: small chat data files and a spec factory on the tiny models."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from easytune.training.spec import TrainSpec

LLAMA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]
GPT2_TARGETS = ["c_attn", "attn.c_proj"]


def write_chat(path: Path, rows: int, seed: int = 0, topic: str = "add") -> Path:
    """OpenAI-style chat JSONL: short arithmetic or word answers."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(rows):
            a, b = rng.randint(0, 99), rng.randint(0, 99)
            if topic == "add":
                user, answer = f"add {a} and {b}", f"{a} + {b} = {a + b}"
            else:
                user, answer = f"say {topic}", " ".join([topic] * rng.randint(3, 8))
            messages = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
            handle.write(json.dumps({"messages": messages}) + "\n")
    return path


@pytest.fixture(autouse=True, scope="session")
def _one_thread() -> None:
    # The test machine is shared by several jobs on 2 cores: extra torch threads only spin.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def chat_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chat(tmp_path_factory.mktemp("data") / "train.jsonl", 48)


SpecFactory = Callable[..., TrainSpec]


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and key in out else value
    return out


@pytest.fixture
def make_spec(tmp_path: Path, tiny_llama_dir: Path, chat_file: Path) -> SpecFactory:
    """A fast spec on the tiny Llama; keyword sections (train=..., lora=...) are merged in."""

    def factory(model_dir: Path | None = None, **sections: Any) -> TrainSpec:
        base: dict[str, Any] = {
            "base_model": {"path": str(model_dir or tiny_llama_dir)},
            "data": {"train_path": str(chat_file), "max_length": 64, "packing": False},
            "lora": {"target_modules": LLAMA_TARGETS, "r": 4, "alpha": 8, "dropout": 0.0},
            "train": {
                "max_steps": 6,
                "batch_size": 4,
                "learning_rate": 1e-2,
                "save_every_steps": 100,
                "eval_every_steps": 3,
            },
            "cf": {"max_items": 4},
            # the report runs at the end of every run: a small one keeps the suite quick
            "evaluation": {"max_per_set": 2, "max_held_out": 4, "max_new_tokens": 4},
            "output_dir": str(tmp_path / "run"),
        }
        return TrainSpec.model_validate(_merge(base, sections))

    return factory
