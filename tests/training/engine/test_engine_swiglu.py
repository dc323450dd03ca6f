"""The lean SwiGLU blocks give the model's own loss and gradients, with LoRA on the MLP too."""

from __future__ import annotations

import torch

from easytune.testing.tiny import build_model
from easytune.training.loop import model_loss
from easytune.training.methods import apply_adapter
from easytune.training.spec import LoraSpec
from easytune.training.swiglu import SwiGLU, use_swiglu

TARGETS = ["q_proj", "v_proj", "gate_proj", "up_proj", "down_proj"]


def _loss_and_grads(tiny_tokenizer, lean: bool) -> tuple[float, list[torch.Tensor]]:
    model = build_model("llama", vocab_size=len(tiny_tokenizer), seed=0)
    changed = use_swiglu(model) if lean else 0
    assert changed == (model.config.num_hidden_layers if lean else 0)
    model = apply_adapter(model, LoraSpec(target_modules=TARGETS, dropout=0.0))
    generator = torch.Generator().manual_seed(2)
    ids = torch.randint(0, len(tiny_tokenizer), (2, 10), generator=generator)
    loss = model_loss(
        model, {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids}
    )
    loss.backward()
    return loss.item(), [p.grad.clone() for p in model.parameters() if p.requires_grad]


def test_lean_blocks_match_the_models_own(tiny_tokenizer) -> None:
    plain_loss, plain = _loss_and_grads(tiny_tokenizer, lean=False)
    lean_loss, lean = _loss_and_grads(tiny_tokenizer, lean=True)
    assert abs(lean_loss - plain_loss) < 1e-6
    for want, got in zip(plain, lean, strict=True):
        torch.testing.assert_close(got, want, atol=1e-6, rtol=1e-4)


def test_the_swiglu_gradient_is_silus() -> None:
    gate = torch.randn(5, 7, dtype=torch.float64, requires_grad=True)
    up = torch.randn(5, 7, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(SwiGLU.apply, (gate, up))
