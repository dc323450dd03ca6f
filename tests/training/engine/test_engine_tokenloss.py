"""The label-only loss equals the model's own loss, and so do its gradients."""

from __future__ import annotations

import pytest
import torch

from easytune.testing.tiny import build_model
from easytune.training.data.packing import PackingCollator
from easytune.training.loop import model_loss
from easytune.training.methods import apply_adapter
from easytune.training.spec import LoraSpec
from easytune.training.tokenloss import decoder_and_head, label_only_loss

TARGETS = ["q_proj", "k_proj", "v_proj"]


def _batch(vocab: int, rows: int = 3, width: int = 12) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(0, vocab, (rows, width), generator=generator)
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0  # a padded row
    labels = ids.masked_fill(mask == 0, -100)
    labels[:, :5] = -100  # a prompt without loss, as in assistant-only chat data
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def _lora_llama(tiny_tokenizer):
    model = build_model("llama", vocab_size=len(tiny_tokenizer), seed=0)
    return apply_adapter(model, LoraSpec(target_modules=TARGETS, dropout=0.0))


def _grads(model) -> list[torch.Tensor]:
    grads = [p.grad.clone() for p in model.parameters() if p.requires_grad]
    model.zero_grad(set_to_none=True)
    return grads


def test_label_only_loss_and_gradients_match_the_full_computation(tiny_tokenizer) -> None:
    model = _lora_llama(tiny_tokenizer)
    parts = decoder_and_head(model)
    assert parts is not None  # the fast path is taken, not the fallback
    assert type(parts[1]) is torch.nn.Linear  # and the fused, chunked head loss
    batch = _batch(len(tiny_tokenizer))
    full = model_loss(model, batch)
    full.backward()
    expected = _grads(model)
    fast = label_only_loss(model, batch)
    fast.backward()
    assert abs(fast.item() - full.item()) < 1e-5
    for want, got in zip(expected, _grads(model), strict=True):
        torch.testing.assert_close(got, want, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("use_cache", [True, False])
def test_label_only_loss_matches_on_a_packed_row(tiny_tokenizer, use_cache: bool) -> None:
    model = _lora_llama(tiny_tokenizer)
    model.config.use_cache = use_cache  # the recipe turns it off, which isolates packed rows
    features = [
        {"input_ids": [5, 6, 7, 8, 9], "labels": [-100, -100, 7, 8, 9]},
        {"input_ids": [10, 11, 12], "labels": [-100, 11, 12]},
    ]
    batch = PackingCollator()(features)
    assert "position_ids" in batch
    with torch.no_grad():
        assert abs(label_only_loss(model, batch).item() - model_loss(model, batch).item()) < 1e-5


@pytest.mark.parametrize("field", ["final_logit_softcapping", "logit_scale"])
def test_models_that_transform_logits_keep_their_own_loss(tiny_tokenizer, field: str) -> None:
    model = _lora_llama(tiny_tokenizer)
    setattr(model.get_base_model().config, field, 30.0)
    assert decoder_and_head(model) is None
    batch = _batch(len(tiny_tokenizer))
    with torch.no_grad():
        assert label_only_loss(model, batch).item() == model_loss(model, batch).item()


@pytest.mark.parametrize("bias", [False, True])
def test_the_fused_chunked_head_loss_gives_autograds_numbers(monkeypatch, bias: bool) -> None:
    """Several chunks, a head that trains (weight and bias): loss and every gradient as autograd
    computes them through the full logits."""
    from torch.nn import functional as F

    from easytune.training import tokenloss

    monkeypatch.setattr(tokenloss, "CHUNK_VALUES", 3 * 50)  # 3 positions a chunk, 7 chunks
    torch.manual_seed(0)
    head = torch.nn.Linear(16, 50, bias=bias)
    hidden = torch.randn(2, 12, 16, requires_grad=True)
    labels = torch.randint(0, 50, (2, 12))
    labels[0, :4] = -100
    labels[1, 9:] = -100

    fused = tokenloss.loss_from_hidden(head, hidden, labels)
    fused.backward(torch.tensor(2.0))
    got = [hidden.grad, head.weight.grad, *([head.bias.grad] if bias else [])]
    hidden.grad, head.weight.grad = None, None
    if bias:
        head.bias.grad = None
    logits = head(hidden[:, :-1]).float()
    plain = F.cross_entropy(logits.reshape(-1, 50), labels[:, 1:].reshape(-1), ignore_index=-100)
    plain.backward(torch.tensor(2.0))
    want = [hidden.grad, head.weight.grad, *([head.bias.grad] if bias else [])]
    assert abs(fused.item() - plain.item()) < 1e-5
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-4)


def test_the_fused_loss_without_gradients_matches(monkeypatch) -> None:
    """Without gradients wanted (evaluation), the fused loss computes the loss alone."""
    from easytune.training import tokenloss

    monkeypatch.setattr(tokenloss, "CHUNK_VALUES", 4 * 30)
    head = torch.nn.Linear(8, 30, bias=False)
    hidden, labels = torch.randn(1, 20, 8), torch.randint(0, 30, (1, 20))
    with torch.no_grad():
        fused = tokenloss.loss_from_hidden(head, hidden, labels)
        plain = torch.nn.functional.cross_entropy(head(hidden[0, :-1]), labels[0, 1:])
    assert abs(fused.item() - plain.item()) < 1e-5


def test_the_plan_estimates_the_chunk_the_engine_uses() -> None:
    from easytune.intent.estimate import LOGIT_CHUNK_VALUES
    from easytune.training.tokenloss import CHUNK_VALUES

    assert LOGIT_CHUNK_VALUES == CHUNK_VALUES
