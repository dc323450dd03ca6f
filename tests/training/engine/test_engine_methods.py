"""Each method switch trains for real on the tiny models; the adapter loads in plain peft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from peft import PeftModel
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

from easytune.training.errors import MethodUnavailableError
from easytune.training.facts import HardwareFacts
from easytune.training.methods import (
    METHODS,
    AdapterMethod,
    active_methods,
    check_methods,
    register_method,
)
from easytune.training.progress import ProgressWriter, read_progress
from easytune.training.recipe import TrainRecipe
from easytune.training.runner import execute
from easytune.training.spec import LoraSpec

GPT2_TARGETS = ["c_attn", "attn.c_proj"]


def _train(spec) -> Path:
    progress = ProgressWriter(spec.output_dir, stream=None)
    TrainRecipe(spec, progress).run()
    progress.close()
    return Path(spec.output_dir)


def _logits_change(model_dir: Path, adapter_dir: Path) -> float:
    tokenizer = AutoTokenizer.from_pretrained(adapter_dir)
    ids = tokenizer("add 3 and 4", return_tensors="pt").input_ids
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    with torch.no_grad():
        before = base(ids).logits
        adapted = PeftModel.from_pretrained(base, adapter_dir)
        after = adapted(ids).logits
    return float((after - before).abs().max())


@pytest.mark.parametrize(
    ("switch", "config_key"),
    [({}, None), ({"use_dora": True}, "use_dora"), ({"use_rslora": True}, "use_rslora")],
    ids=["lora", "dora", "rslora"],
)
def test_method_trains_and_adapter_loads_in_peft(make_spec, tiny_llama_dir, switch, config_key):
    out = _train(make_spec(lora=switch))
    adapter = out / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["r"] == 4 and config["peft_type"] == "LORA"
    if config_key:
        assert config[config_key] is True
    weights = load_file(adapter / "adapter_model.safetensors")
    assert weights and all(torch.isfinite(t).all() for t in weights.values())
    assert _logits_change(tiny_llama_dir, adapter) > 1e-4
    tokenizer_config = json.loads((adapter / "tokenizer_config.json").read_text())
    assert tokenizer_config["eos_token"] == "<|im_end|>"
    lines = read_progress(out / "progress.jsonl")
    assert lines[-1]["type"] == "result" and lines[-1]["steps"] == 6
    for name in ("train_spec.json", "metrics.json", "cf_report.json", "data_report.json"):
        assert json.loads((out / name).read_text())
    assert not list(out.rglob("*.bin")) and not list(out.rglob("*.pkl"))


def test_gpt2_conv1d_trains(make_spec, tiny_gpt2_dir):
    spec = make_spec(model_dir=tiny_gpt2_dir, lora={"target_modules": GPT2_TARGETS})
    adapter = _train(spec) / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["fan_in_fan_out"] is True
    assert _logits_change(tiny_gpt2_dir, adapter) > 1e-4


def test_qlora_is_refused_on_cpu_with_the_fix(make_spec, tmp_path):
    hardware = HardwareFacts(device="cpu")
    spec = LoraSpec(target_modules=["q_proj"], quantization="4bit")
    assert [m.name for m in active_methods(spec)] == ["lora", "qlora"]
    with pytest.raises(MethodUnavailableError, match=r"lora\.quantization=none") as info:
        check_methods(spec, hardware)
    assert "bitsandbytes" in info.value.message and "CUDA" in info.value.message
    if not torch.cuda.is_available():
        path = tmp_path / "spec.json"
        make_spec(lora={"quantization": "4bit"}).dump(path)
        assert execute(path, stream=None) == MethodUnavailableError.exit_code


def test_duplicate_method_registration_is_refused():
    assert set(METHODS) >= {"lora", "dora", "rslora", "qlora"}
    with pytest.raises(ValueError, match="already registered"):
        register_method(AdapterMethod(name="dora", help="again", active=lambda spec: False))


def test_unknown_target_module_names_the_real_ones(make_spec):
    from easytune.training.errors import BadSpecError

    with pytest.raises(BadSpecError, match="q_proj") as info:
        _train(make_spec(lora={"target_modules": ["c_attn"]}))
    assert info.value.param == "lora.target_modules"


def test_packed_run_trains_without_padding(make_spec):
    out = _train(make_spec(data={"packing": True}))
    ready = [
        line
        for line in read_progress(out / "progress.jsonl")
        if line.get("message") == "data ready"
    ]
    assert ready[0]["data"]["packed"] is True
    assert (out / "adapter" / "adapter_model.safetensors").is_file()


def test_gradient_checkpointing_run(make_spec):
    out = _train(make_spec(train={"gradient_checkpointing": True, "max_steps": 3}))
    assert read_progress(out / "progress.jsonl")[-1]["steps"] == 3
