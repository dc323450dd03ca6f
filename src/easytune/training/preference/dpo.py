"""DPO on a LoRA adapter: the reference model is the same weights with the adapter disabled.

No second copy of the model is loaded: `model.disable_adapter()` gives the base model's
log-probabilities under `torch.no_grad()`, and only the adapter learns. Loss (Rafailov et al.
2023): -log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r))) over each pair's summed answer
log-probabilities; the metrics are the ones DPO runs are read by.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from easytune.training.data.packing import PaddingCollator
from easytune.training.data.template import IGNORE_INDEX, TokenizedExample
from easytune.training.preference.pairs import PreferencePair

DEFAULT_BETA = 0.1


def tokenize_pair(
    pair: PreferencePair, tokenizer: Any, max_length: int
) -> tuple[TokenizedExample, TokenizedExample]:
    """(chosen, rejected): the prompt rendered with the generation prompt, then the answer;
    only the answer (and its end-of-turn) is labelled."""
    turns = [{"role": m.role, "content": m.content} for m in pair.prompt]
    prompt = tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)
    prompt_ids = tokenizer(prompt, add_special_tokens=False).input_ids
    return tuple(  # type: ignore[return-value]
        _answer_ids(turns, prompt, prompt_ids, answer, tokenizer, max_length)
        for answer in (pair.chosen, pair.rejected)
    )


def _answer_ids(
    turns: list[dict[str, str]], prompt: str, prompt_ids: list[int], answer: str, tokenizer: Any,
    max_length: int,
) -> TokenizedExample:  # fmt: skip
    full = tokenizer.apply_chat_template(
        [*turns, {"role": "assistant", "content": answer}], tokenize=False
    )
    if not full.startswith(prompt):
        raise ValueError("the chat template renders the prompt differently once an answer follows")
    completion = tokenizer(full[len(prompt) :], add_special_tokens=False).input_ids
    ids = [*prompt_ids, *completion]
    labels = [IGNORE_INDEX] * len(prompt_ids) + list(completion)
    return TokenizedExample(ids, labels).cut(max_length)


class PairCollator:
    """A batch of B pairs as one padded batch of 2B rows: the chosen answers, then the rejected."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad = PaddingCollator(pad_token_id)

    def __call__(
        self, pairs: Sequence[tuple[TokenizedExample, TokenizedExample]]
    ) -> dict[str, torch.Tensor]:
        return self.pad([c for c, _ in pairs] + [r for _, r in pairs])


def sequence_logps(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Each row's summed log-probability of its labelled tokens."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels = batch["labels"][:, 1:]
    logps = torch.log_softmax(logits[:, :-1].float(), dim=-1)
    mask = labels != IGNORE_INDEX
    picked = torch.gather(logps, 2, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (picked * mask).sum(-1)


def dpo_loss(
    model: Any, batch: dict[str, torch.Tensor], beta: float = DEFAULT_BETA
) -> tuple[torch.Tensor, dict[str, float]]:
    """The DPO loss of a PairCollator batch and its metrics (reference: adapter disabled)."""
    policy = sequence_logps(model, batch)
    with warnings.catch_warnings():  # peft reads a property transformers deprecated
        warnings.filterwarnings("ignore", ".*is_gradient_checkpointing", FutureWarning)
        with torch.no_grad(), model.disable_adapter():
            reference = sequence_logps(model, batch)
    pi_chosen, pi_rejected = policy.chunk(2)
    ref_chosen, ref_rejected = reference.chunk(2)
    chosen_reward = beta * (pi_chosen - ref_chosen)
    rejected_reward = beta * (pi_rejected - ref_rejected)
    margin = chosen_reward - rejected_reward
    loss = -F.logsigmoid(margin).mean()
    seen = margin.detach()
    metrics = {
        "reward_margin": float(seen.mean()),
        "reward_accuracy": float((seen > 0).float().mean()),
        "logps_chosen": float(pi_chosen.detach().mean()),
        "logps_rejected": float(pi_rejected.detach().mean()),
    }
    return loss, metrics
