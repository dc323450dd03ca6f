"""The learned score: greedy answers to a few held-out examples against their references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from easytune.training.data import Example
from easytune.training.evaluation.scoring import exact_match, token_f1
from easytune.training.generate import greedy_answers

ANSWER_SLACK = 16  # tokens allowed beyond the longest reference


@dataclass(frozen=True)
class LearnedScore:
    exact: float  # share of answers equal to their reference (normalised)
    f1: float  # mean token F1 (CJK by character)
    n: int


def question_and_reference(example: Example) -> tuple[list[dict[str, str]], str] | None:
    """The chat up to its last assistant turn, and that turn's text; None for plain text."""
    if example.messages is None:
        return None
    turns = list(example.messages)
    last = max((i for i, m in enumerate(turns) if m.role == "assistant"), default=-1)
    if last < 1:
        return None
    chat = [{"role": m.role, "content": m.content} for m in turns[:last]]
    return chat, turns[last].content


class LearnedScorer:
    """Scores the model (adapter on) on the same few held-out examples at every evaluation."""

    def __init__(self, examples: list[Example], tokenizer: Any, limit: int, cap: int) -> None:
        pairs = [p for p in map(question_and_reference, examples) if p is not None]
        self.pairs = pairs[:limit]
        self.tokenizer = tokenizer
        longest = max((len(tokenizer(ref).input_ids) for _, ref in self.pairs), default=0)
        self.max_new_tokens = max(1, min(cap, longest + ANSWER_SLACK))

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def score(self, model: Any, end_of_turn: str, device: str) -> LearnedScore:
        chats = [chat for chat, _ in self.pairs]
        answers = greedy_answers(
            model,
            self.tokenizer,
            chats,
            max_new_tokens=self.max_new_tokens,
            end_of_turn=end_of_turn,
            device=device,
        )
        refs = [ref for _, ref in self.pairs]
        n = len(refs)
        exact = sum(exact_match(a.text, r) for a, r in zip(answers, refs, strict=True)) / n
        f1 = sum(token_f1(a.text, r) for a, r in zip(answers, refs, strict=True)) / n
        return LearnedScore(round(exact, 4), round(f1, 4), n)
