"""Tokenising and batching preference data: pairs (one prompt, two answers) and labelled answers.

Only the answers carry labels, so the losses (losses.py) read each answer's log-probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from easytune.training.data.packing import PaddingCollator
from easytune.training.data.template import IGNORE_INDEX, TokenizedExample
from easytune.training.data.types import Message
from easytune.training.preference.losses import KTO_LABEL, answer_logps, dpo
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
    return answer_logps(model, batch)[0]


def dpo_loss(
    model: Any, batch: dict[str, torch.Tensor], beta: float = DEFAULT_BETA
) -> tuple[torch.Tensor, dict[str, float]]:
    """The DPO loss of a PairCollator batch and its metrics (reference: adapter disabled)."""
    return dpo(model, batch, beta, 0.0)


def tokenize_answer(
    prompt: Sequence[Message], answer: str, tokenizer: Any, max_length: int
) -> TokenizedExample:
    """One prompt and one answer (a KTO record): only the answer is labelled."""
    turns = [{"role": m.role, "content": m.content} for m in prompt]
    text = tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)
    ids = tokenizer(text, add_special_tokens=False).input_ids
    return _answer_ids(turns, text, ids, answer, tokenizer, max_length)


class LabelledCollator:
    """A batch of (answer, label) items: padded rows and the `kto_label` column."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad = PaddingCollator(pad_token_id)

    def __call__(self, items: Sequence[tuple[TokenizedExample, bool]]) -> dict[str, torch.Tensor]:
        batch = self.pad([item for item, _ in items])
        batch[KTO_LABEL] = torch.tensor([int(label) for _, label in items], dtype=torch.long)
        return batch
