"""GGUF loading on a tiny Llama written with `gguf`: same logits, cached conversion, training."""

from __future__ import annotations

import os

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from easytune.testing.gguf import write_llama_gguf
from easytune.training.model import gguf_cache_key, load_model
from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe
from easytune.training.spec import ModelRef


@pytest.fixture(scope="module")
def tiny_gguf(tiny_llama_dir, tmp_path_factory):
    return write_llama_gguf(tiny_llama_dir, tmp_path_factory.mktemp("gguf") / "tiny.gguf")


def test_gguf_loads_with_the_original_weights_and_tokenizer(tiny_gguf, tiny_llama_dir, tmp_path):
    model, tokenizer = load_model(ModelRef(path=str(tiny_gguf)), cache_dir=tmp_path)
    assert getattr(model, "hf_quantizer", None) is None
    assert not hasattr(model.config, "quantization_config")
    original = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    reference = AutoTokenizer.from_pretrained(tiny_llama_dir)
    text = "add 3 and 4 请<|im_end|>"
    assert tokenizer(text).input_ids == reference(text).input_ids
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.chat_template
    ids = reference(text, return_tensors="pt").input_ids
    with torch.no_grad():
        torch.testing.assert_close(model(ids).logits, original(ids).logits)


def test_gguf_conversion_is_cached_by_path_size_and_mtime(tiny_gguf, tmp_path):
    ref = ModelRef(path=str(tiny_gguf.parent), gguf_file=tiny_gguf.name)
    load_model(ref, cache_dir=tmp_path)
    (converted,) = list(tmp_path.iterdir())
    assert converted.name.endswith(gguf_cache_key(tiny_gguf))
    written = (converted / "model.safetensors").stat().st_mtime_ns
    load_model(ref, cache_dir=tmp_path)
    assert (converted / "model.safetensors").stat().st_mtime_ns == written  # reused
    stat = tiny_gguf.stat()
    os.utime(tiny_gguf, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    load_model(ref, cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 2  # a changed file gets a fresh conversion


def test_training_from_a_gguf_file(tiny_gguf, make_spec, tmp_path):
    spec = make_spec(base_model={"path": str(tiny_gguf)}, train={"max_steps": 2})
    progress = ProgressWriter(spec.output_dir, stream=None)
    result = TrainRecipe(spec, progress, cache_dir=tmp_path / "cache").run()
    progress.close()
    assert result["steps"] == 2
