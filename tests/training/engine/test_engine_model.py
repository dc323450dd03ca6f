"""Module discovery on tiny random configs of eight families; facts; hardware; loading."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoConfig, AutoModelForCausalLM

from easytune.training.errors import ModelLoadError
from easytune.training.hardware import detect_hardware
from easytune.training.model import discover_modules, load_model, model_facts
from easytune.training.spec import ModelRef

_COMMON = dict(
    vocab_size=64,
    hidden_size=16,
    intermediate_size=32,
    num_hidden_layers=2,
    num_attention_heads=2,
    num_key_value_heads=1,
    max_position_embeddings=32,
    pad_token_id=0,
    bos_token_id=1,
    eos_token_id=2,
)
_IDS = dict(pad_token_id=0, bos_token_id=1, eos_token_id=2)

FAMILIES = {
    "llama": (
        _COMMON,
        ("q_proj", "k_proj", "v_proj"),
        ("o_proj",),
        ("gate_proj", "up_proj", "down_proj"),
    ),
    "mistral": (
        _COMMON,
        ("q_proj", "k_proj", "v_proj"),
        ("o_proj",),
        ("gate_proj", "up_proj", "down_proj"),
    ),
    "qwen2": (
        _COMMON,
        ("q_proj", "k_proj", "v_proj"),
        ("o_proj",),
        ("gate_proj", "up_proj", "down_proj"),
    ),
    "gemma": (
        {**_COMMON, "head_dim": 8},
        ("q_proj", "k_proj", "v_proj"),
        ("o_proj",),
        ("gate_proj", "up_proj", "down_proj"),
    ),
    "phi3": (_COMMON, ("qkv_proj",), ("o_proj",), ("gate_up_proj", "down_proj")),
    "phi": (_COMMON, ("q_proj", "k_proj", "v_proj"), ("dense",), ("fc1", "fc2")),
    "gpt2": (
        dict(vocab_size=64, n_embd=16, n_layer=2, n_head=2, n_positions=32, **_IDS),
        ("c_attn",),
        ("attn.c_proj",),
        ("c_fc", "mlp.c_proj"),
    ),
    "gpt_neox": (
        dict(
            vocab_size=64,
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=32,
            **_IDS,
        ),
        ("query_key_value",),
        ("dense",),
        ("dense_h_to_4h", "dense_4h_to_h"),
    ),
    "falcon": (
        dict(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, **_IDS),
        ("query_key_value",),
        ("dense",),
        ("dense_h_to_4h", "dense_4h_to_h"),
    ),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_discovery_groups_linear_modules_by_role(family: str) -> None:
    cfg, qkv, out, mlp = FAMILIES[family]
    model = AutoModelForCausalLM.from_config(AutoConfig.for_model(family, **cfg))
    groups = discover_modules(model)
    assert set(groups.attention_qkv) == set(qkv)
    assert set(groups.attention_out) == set(out)
    assert set(groups.mlp) == set(mlp)
    # Every suffix names real modules, and lm_head is never a target.
    names = [n for n, _ in model.named_modules()]
    for suffix in groups.all():
        assert any(n.endswith("." + suffix) for n in names), suffix
    assert "lm_head" not in groups.all()


def test_model_facts_from_tiny_llama(tiny_llama_dir) -> None:
    model, tokenizer = load_model(ModelRef(path=str(tiny_llama_dir)))
    facts = model_facts(model, tokenizer)
    assert facts.model_type == "llama"
    assert facts.num_layers == 2 and facts.hidden_size == 32
    assert facts.param_count == sum(p.numel() for p in model.parameters())
    assert facts.has_chat_template and facts.weight_bytes_per_param == 4
    assert facts.attention_qkv == ("q_proj", "k_proj", "v_proj")


def test_model_facts_from_tiny_gpt2(tiny_gpt2_dir) -> None:
    model, tokenizer = load_model(ModelRef(path=str(tiny_gpt2_dir)))
    facts = model_facts(model, tokenizer)
    assert facts.model_type == "gpt2" and facts.max_position_embeddings == 512
    assert facts.attention_out == ("attn.c_proj",)


def test_load_failures_name_the_problem(tmp_path) -> None:
    with pytest.raises(ModelLoadError, match=r"config\.json"):
        load_model(ModelRef(path=str(tmp_path)))
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_model(ModelRef(path=str(tmp_path / "missing.gguf")))
    (tmp_path / "config.json").write_text('{"model_type": "llama"}')
    with pytest.raises(ModelLoadError, match="could not load"):
        load_model(ModelRef(path=str(tmp_path)))


def test_detect_hardware_on_this_machine() -> None:
    hw = detect_hardware()
    assert hw.device == ("cuda" if torch.cuda.is_available() else "cpu")
    assert hw.host_memory_bytes > 100 * 1024**2
    assert hw.cpu_count >= 1
