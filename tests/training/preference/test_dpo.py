"""DPO on the tiny model: pairs in three shapes, margin rises, the adapter loads in plain PEFT."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from easytune.training.data import DataValidationError
from easytune.training.methods import apply_adapter
from easytune.training.preference import PairCollator, dpo_loss, load_pairs, tokenize_pair
from easytune.training.spec import LoraSpec

QUESTIONS = ["Which planet is red?", "What is 2 + 2?", "Name a colour.", "Capital of France?"]


def _records(shape: str) -> list[dict]:
    out = []
    for q in QUESTIONS:
        good, bad = "Arr, a fine answer.", "I refuse to answer."
        if shape == "sharegpt":
            out.append({"conversations": [{"from": "human", "value": q}],
                        "chosen": {"from": "gpt", "value": good},
                        "rejected": {"from": "gpt", "value": bad}})  # fmt: skip
        elif shape == "openai":
            out.append({"messages": [{"role": "user", "content": q}],
                        "chosen": [{"role": "assistant", "content": good}],
                        "rejected": [{"role": "assistant", "content": bad}]})  # fmt: skip
        else:
            out.append({"input": {"messages": [{"role": "user", "content": q}]},
                        "preferred_output": [{"role": "assistant", "content": good}],
                        "non_preferred_output": [{"role": "assistant",
                                                  "content": bad}]})  # fmt: skip
    return out


def _file(tmp_path: Path, shape: str) -> Path:
    path = tmp_path / f"{shape}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records(shape)))
    return path


@pytest.mark.parametrize("shape", ["sharegpt", "openai", "openai_preference"])
def test_pairs_are_read_from_every_shape(tmp_path, shape):
    pairs = load_pairs(_file(tmp_path, shape))
    assert len(pairs) == 4
    assert pairs[0].prompt[-1].content == "Which planet is red?"
    assert (pairs[0].chosen, pairs[0].rejected) == ("Arr, a fine answer.", "I refuse to answer.")


def test_a_bad_pair_is_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "q"}], "chosen": "",
                                "rejected": "b"}) + "\n")  # fmt: skip
    with pytest.raises(DataValidationError, match="line 1: 'chosen' must be one assistant answer"):
        load_pairs(path)


def test_only_the_answer_is_labelled(tmp_path, tiny_tokenizer):
    pair = load_pairs(_file(tmp_path, "openai"))[0]
    chosen, rejected = tokenize_pair(pair, tiny_tokenizer, 512)
    trained = tiny_tokenizer.decode([t for t in chosen.labels if t >= 0])
    assert trained == "Arr, a fine answer.<|im_end|>\n"
    prompt = chosen.labels.index(next(t for t in chosen.labels if t >= 0))
    assert chosen.input_ids[:prompt] == rejected.input_ids[:prompt]  # one prompt, two answers
    assert all(t == -100 for t in rejected.labels[:prompt])


def test_dpo_raises_the_margin_and_the_adapter_loads_in_peft(tmp_path, tiny_llama_dir):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(tiny_llama_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir)
    model = apply_adapter(model, LoraSpec(r=4, alpha=8, dropout=0.0,
                                          target_modules=["q_proj", "v_proj"]))  # fmt: skip
    pairs = [tokenize_pair(p, tokenizer, 256) for p in load_pairs(_file(tmp_path, "sharegpt"))]
    batch = PairCollator(tokenizer.pad_token_id or 0)(pairs)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-3)
    history = []
    for _ in range(8):
        loss, metrics = dpo_loss(model, batch, beta=0.1)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(metrics)
    assert history[0]["reward_margin"] == pytest.approx(0.0, abs=1e-5)  # policy == reference
    assert history[-1]["reward_margin"] > 0.05 and history[-1]["reward_accuracy"] == 1.0
    assert history[-1]["logps_chosen"] > history[0]["logps_chosen"]
    model.save_pretrained(tmp_path / "adapter")
    plain = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_llama_dir),
                                      tmp_path / "adapter")  # fmt: skip
    with torch.no_grad():
        ids = batch["input_ids"][:1]
        assert torch.allclose(plain(input_ids=ids).logits, model(input_ids=ids).logits, atol=1e-5)
