"""Packing: bins, collators, and the same per-token loss packed as one example at a time."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from transformers import AutoModelForCausalLM

from easytune.training.data import (
    IGNORE_INDEX,
    Example,
    Message,
    PackingCollator,
    PaddingCollator,
    TokenizedExample,
    pack_examples,
    prepare_model_for_packing,
    supports_packing,
    tokenize_example,
)


def fake(length: int, start: int = 1) -> TokenizedExample:
    ids = list(range(start, start + length))
    return TokenizedExample(ids, [IGNORE_INDEX, *ids[1:]])


def test_pack_examples_fills_bins_best_fit_and_restarts_positions():
    examples = [fake(n, start=10 * n) for n in (6, 5, 4, 3, 2, 1, 3)]
    packs = pack_examples(examples, max_length=8)
    assert [p.lengths for p in packs] == [(6, 2), (5, 3), (4, 3, 1)]
    assert all(len(p) <= 8 for p in packs)
    assert sorted(t for p in packs for t in p.input_ids) == sorted(
        t for e in examples for t in e.input_ids
    )
    first = packs[0]
    assert first.position_ids == [0, 1, 2, 3, 4, 5, 0, 1]
    assert first.input_ids == [60, 61, 62, 63, 64, 65, 20, 21]
    # Each example's first token is never a target: no loss across the boundary.
    assert first.labels == [IGNORE_INDEX, 61, 62, 63, 64, 65, IGNORE_INDEX, 21]


def test_pack_examples_refuses_examples_over_max_length():
    with pytest.raises(ValueError, match="1 examples are longer than max_length=4"):
        pack_examples([fake(3), fake(5)], max_length=4)


def test_padding_collator_pads_right_with_ignored_labels():
    batch = PaddingCollator(pad_token_id=0, pad_to_multiple_of=4)([fake(3), fake(1)])
    assert batch["input_ids"].tolist() == [[1, 2, 3, 0], [1, 0, 0, 0]]
    assert batch["labels"].tolist() == [[IGNORE_INDEX, 2, 3, IGNORE_INDEX], [IGNORE_INDEX] * 4]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 0], [1, 0, 0, 0]]


def test_packing_collator_flattens_without_padding():
    packs = pack_examples([fake(3), fake(2, start=7), fake(4, start=20)], max_length=5)
    batch = PackingCollator()(packs)
    assert set(batch) == {"input_ids", "labels", "position_ids"}
    assert batch["input_ids"].shape == (1, 9)
    assert batch["position_ids"].tolist() == [[0, 1, 2, 3, 0, 1, 2, 0, 1]]
    # Plain tokenized examples (no pre-packing) flatten the same way.
    plain = PackingCollator()([{"input_ids": [5, 6], "labels": [5, 6]}, fake(2)])
    assert plain["labels"].tolist() == [[IGNORE_INDEX, 6, IGNORE_INDEX, 2]]


CHATS = [
    Example(
        1,
        (
            Message("user", "What is the capital of France?"),
            Message("assistant", "Paris is the capital of France."),
        ),
    ),
    Example(
        2,
        (
            Message("system", "Answer in a formal style."),
            Message("user", "hi"),
            Message("assistant", "Good morning."),
            Message("user", "And Berlin?"),
            Message("assistant", "Berlin is the capital of Germany."),
        ),
    ),
    Example(3, (Message("user", "2+2?"), Message("assistant", "4"))),
    Example(4, text="The quick brown fox jumps over the lazy dog."),
    Example(
        5,
        (
            Message("user", "请用一句话解释什么是机器学习。"),
            Message("assistant", "机器学习是让计算机从数据中学习的方法。"),
        ),
    ),
]


def per_token_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Loss of each labelled target, with the causal shift (NaN where unlabelled)."""
    targets = labels[1:]
    loss = F.cross_entropy(logits[:-1].float(), targets.clamp(min=0), reduction="none")
    return torch.where(targets == IGNORE_INDEX, torch.nan, loss)


def load(folder, attn: str = "sdpa"):
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation=attn)
    return model.eval()


@pytest.mark.parametrize("arch", ["llama", "gpt2"])
def test_packed_batch_gives_each_example_the_same_per_token_loss(request, tiny_tokenizer, arch):
    model = load(request.getfixturevalue(f"tiny_{arch}_dir"))
    assert supports_packing(model)
    prepare_model_for_packing(model)
    tokenized = [tokenize_example(ex, tiny_tokenizer, max_length=64) for ex in CHATS]
    packs = pack_examples(tokenized, max_length=64)
    assert len(packs) < len(tokenized)  # something was actually packed together
    batch = PackingCollator()(packs)
    assert tiny_tokenizer.pad_token_id not in batch["input_ids"][0].tolist()

    with torch.no_grad():
        packed = model(**batch)
        offset, expected, got, total, count = 0, [], [], 0.0, 0
        for pack in packs:
            for length in pack.lengths:
                ids = batch["input_ids"][0, offset : offset + length]
                labels = batch["labels"][0, offset : offset + length]
                single = model(ids[None], labels=labels[None])
                expected.append(per_token_loss(single.logits[0], labels))
                got.append(per_token_loss(packed.logits[0, offset : offset + length], labels))
                n = int((labels[1:] != IGNORE_INDEX).sum())
                total, count = total + single.loss.item() * n, count + n
                offset += length
    for one, together in zip(expected, got, strict=True):
        torch.testing.assert_close(together, one, equal_nan=True, atol=1e-5, rtol=1e-5)
    # The model's own loss on the packed row is the token-weighted mean of the singles.
    assert packed.loss.item() == pytest.approx(total / count, abs=1e-5)


def test_without_prepare_the_cache_breaks_isolation(tiny_llama_dir, tiny_tokenizer):
    # Why prepare_model_for_packing exists: with use_cache on, transformers ignores the
    # position_ids restarts and the second example attends to the first.
    model = load(tiny_llama_dir)
    first, second = (tokenize_example(ex, tiny_tokenizer, 64) for ex in CHATS[:2])
    batch = PackingCollator()([first, second])
    with torch.no_grad():
        alone = model(torch.tensor([second.input_ids])).logits[0]
        leaky = model(**batch).logits[0, len(first) :]
        prepare_model_for_packing(model)
        isolated = model(**batch).logits[0, len(first) :]
    assert not torch.allclose(leaky, alone, atol=1e-3)
    torch.testing.assert_close(isolated, alone, atol=1e-5, rtol=1e-5)


def test_supports_packing_needs_a_mask_aware_architecture(tiny_llama_dir):
    assert supports_packing(load(tiny_llama_dir, attn="eager"))
    stranger = SimpleNamespace(config=SimpleNamespace(_attn_implementation="sdpa"))
    assert not supports_packing(stranger)
    with pytest.raises(ValueError, match="cannot isolate packed examples; train with padding"):
        prepare_model_for_packing(stranger)
