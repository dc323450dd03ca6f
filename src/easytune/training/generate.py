"""Greedy, batched answers from a (peft) model through its chat template.

Used before training for the replay set (adapter disabled) and at each evaluation for the
learned score (adapter on). Prompts are left-padded so every row generates from its end.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch

GENERATION_BATCH = 16


@dataclass(frozen=True)
class Answer:
    text: str
    finished: bool  # ended with an end-of-turn / eos token rather than the token cap


def stop_ids(tokenizer: Any, end_of_turn: str) -> list[int]:
    """Token ids that end an answer: the template's end-of-turn and the eos token."""
    ids = {tokenizer.convert_tokens_to_ids(end_of_turn), tokenizer.eos_token_id}
    return sorted(i for i in ids if isinstance(i, int) and i >= 0)


@contextlib.contextmanager
def left_padding(tokenizer: Any) -> Iterator[None]:
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    try:
        yield
    finally:
        tokenizer.padding_side = side


def _encode(tokenizer: Any, chats: Sequence[list[dict[str, str]]], device: str) -> Any:
    texts = [
        tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in chats
    ]
    with left_padding(tokenizer):
        return tokenizer(texts, padding=True, add_special_tokens=False, return_tensors="pt").to(
            device
        )


def _decode(tokenizer: Any, rows: torch.Tensor, stops: list[int]) -> list[Answer]:
    answers = []
    for row in rows.tolist():
        ends = [i for i, token in enumerate(row) if token in stops]
        kept = row[: ends[0]] if ends else row
        text = tokenizer.decode(kept, skip_special_tokens=True).strip()
        answers.append(Answer(text, finished=bool(ends)))
    return answers


@torch.no_grad()
def greedy_answers(
    model: Any,
    tokenizer: Any,
    chats: Sequence[list[dict[str, str]]],
    *,
    max_new_tokens: int,
    end_of_turn: str,
    device: str,
    batch_size: int = GENERATION_BATCH,
) -> list[Answer]:
    """One greedy answer per chat (a list of messages ending with a user turn)."""
    stops = stop_ids(tokenizer, end_of_turn)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stops[0]
    was_training = model.training
    model.eval()
    answers: list[Answer] = []
    for start in range(0, len(chats), batch_size):
        enc = _encode(tokenizer, chats[start : start + batch_size], device)
        out = model.generate(
            **enc,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            eos_token_id=stops,
            pad_token_id=pad,
            use_cache=True,
        )
        answers.extend(_decode(tokenizer, out[:, enc["input_ids"].shape[1] :], stops))
    model.train(was_training)
    return answers
