"""Merge: the merged folder loads offline and answers exactly like the adapter on the base."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from easytune.export.errors import ExportSpecError
from easytune.export.merge import save_merged
from easytune.training.spec import ModelRef

from .conftest import PROMPTS, greedy


def _peft(base_dir: Path, adapter_dir: Path) -> object:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    return PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_dir), adapter_dir)


def test_merged_folder_answers_like_the_adapter(
    spm_llama_dir: Path, spm_adapter_dir: Path, spm_base_ref: ModelRef, tmp_path: Path
) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    target = save_merged(spm_adapter_dir, spm_base_ref, tmp_path / "merged", max_shard_size="100KB")
    merged = AutoModelForCausalLM.from_pretrained(target, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(target, local_files_only=True)
    peft_model, base = (
        _peft(spm_llama_dir, spm_adapter_dir),
        AutoModelForCausalLM.from_pretrained(spm_llama_dir),
    )
    answers = [greedy(merged, tokenizer, p) for p in PROMPTS]
    assert answers == [greedy(peft_model, tokenizer, p) for p in PROMPTS]
    # The adapter really changes the model: a merge that wrote the base back would fail here.
    assert answers != [greedy(base, tokenizer, p) for p in PROMPTS]


def test_merged_folder_layout(
    spm_adapter_dir: Path, spm_base_ref: ModelRef, tmp_path: Path
) -> None:
    target = save_merged(spm_adapter_dir, spm_base_ref, tmp_path / "merged", max_shard_size="100KB")
    names = {p.name for p in target.iterdir()}
    assert "model.safetensors.index.json" in names  # sharded above the size
    assert len([n for n in names if n.endswith(".safetensors")]) > 1
    assert {"config.json", "tokenizer.json", "tokenizer_config.json"} <= names
    generation = json.loads((target / "generation_config.json").read_text())
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(target)
    eos = generation["eos_token_id"]
    eos_ids = eos if isinstance(eos, list) else [eos]
    assert tokenizer.convert_tokens_to_ids("<|im_end|>") in eos_ids
    assert "<|im_start|>" in (tokenizer.chat_template or "")
    assert not any(n.startswith(".") for n in (p.name for p in tmp_path.iterdir()))


def test_merge_refuses_a_folder_without_an_adapter(spm_base_ref: ModelRef, tmp_path: Path) -> None:
    with pytest.raises(ExportSpecError, match="not a PEFT adapter folder"):
        save_merged(tmp_path, spm_base_ref, tmp_path / "merged")
