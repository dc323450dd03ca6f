"""Tiny models and adapters for the export tests: a llama.cpp-ready tokenizer, non-zero LoRA."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from easytune.testing.tiny import save_tiny_model
from easytune.training.spec import ModelRef

PROMPTS = [
    "The quick brown fox",
    "Paris is the capital of",
    "def add(a, b):",
]


@pytest.fixture(scope="session")
def spm_llama_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama with a Llama-2 style tokenizer (what llama.cpp's converter accepts).

    A wide initialiser makes next-token scores far apart, so float16 rounding in llama.cpp
    does not flip a greedy choice between near-equal tokens.
    """
    return save_tiny_model(
        tmp_path_factory.mktemp("spm-llama"), "llama", tokenizer_kind="llama",
        initializer_range=0.3,
    )  # fmt: skip


def write_adapter(base_dir: Path, target: Path, seed: int = 1, scale: float = 0.3) -> Path:
    """A LoRA adapter on all linear layers with random (non-zero) A and B, plus the tokenizer."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    model = AutoModelForCausalLM.from_pretrained(base_dir)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, config)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:  # peft starts B at zero: the adapter would change nothing
                param.copy_(torch.randn(param.shape, generator=generator) * scale)
    peft_model.save_pretrained(str(target), safe_serialization=True)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(target)
    return target


@pytest.fixture(scope="session")
def spm_adapter_dir(spm_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_adapter(spm_llama_dir, tmp_path_factory.mktemp("spm-adapter"))


@pytest.fixture(scope="session")
def spm_base_ref(spm_llama_dir: Path) -> ModelRef:
    return ModelRef(path=str(spm_llama_dir))


def greedy(model: object, tokenizer: object, prompt: str, new_tokens: int = 8) -> list[int]:
    """The greedy continuation's token ids."""
    ids = tokenizer(prompt, return_tensors="pt").input_ids  # type: ignore[operator]
    with torch.no_grad():
        out = model.generate(  # type: ignore[attr-defined]
            ids, max_new_tokens=new_tokens, do_sample=False, eos_token_id=None, pad_token_id=0
        )
    return [int(t) for t in out[0, ids.shape[1] :]]
