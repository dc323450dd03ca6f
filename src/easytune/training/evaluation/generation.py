"""Greedy, batched answers from one PEFT model: the base (adapter disabled) or an adapter.

The base answers come from the same weights under `disable_adapter()`, so the report never
holds a second copy of the model. Prompts are sorted by length so a batch pads little, and
padded on the left so every answer starts at the same position.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import torch

from easytune.training.pipeline import pad_token_id

DEFAULT_BATCH = 16


@contextlib.contextmanager
def adapter_state(model: Any, adapter: str | None) -> Iterator[None]:
    """Inside: the named adapter is active, or (None) every adapter is off (the base)."""
    if adapter is None and not hasattr(model, "disable_adapter"):
        yield  # a plain model is the base already
        return
    if adapter is None:
        with model.disable_adapter():
            yield
        return
    previous = model.active_adapter
    model.set_adapter(adapter)
    try:
        yield
    finally:
        model.set_adapter(previous)


@contextlib.contextmanager
def inference(model: Any) -> Iterator[None]:
    """Eval mode and no autograd for the duration; the training mode is restored after."""
    training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            yield
    finally:
        model.train(training)


def generate_answers(
    model: Any,
    tokenizer: Any,
    chats: list[list[dict[str, str]]],
    *,
    max_new_tokens: int,
    adapter: str | None,
    batch_size: int = DEFAULT_BATCH,
) -> list[str]:
    """One greedy answer per chat, in the order given, from the base or the named adapter."""
    from easytune.training.data import end_of_turn_token

    prompts = [
        tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        for chat in chats
    ]
    stop = int(tokenizer.convert_tokens_to_ids(end_of_turn_token(tokenizer)))
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    answers: dict[int, str] = {}
    with inference(model), adapter_state(model, adapter):
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            texts = _batch(model, tokenizer, [prompts[i] for i in chunk], max_new_tokens, stop)
            answers.update(zip(chunk, texts, strict=True))
    return [answers[i] for i in range(len(prompts))]


def _batch(
    model: Any, tokenizer: Any, prompts: list[str], max_new_tokens: int, stop: int
) -> list[str]:
    side, tokenizer.padding_side = tokenizer.padding_side, "left"
    try:
        inputs = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    finally:
        tokenizer.padding_side = side
    device = next(model.parameters()).device
    inputs = {key: value.to(device) for key, value in inputs.items()}
    with warnings.catch_warnings():  # a model's sampling defaults do not apply to greedy
        warnings.filterwarnings("ignore", ".*generation flags are not valid.*", UserWarning)
        output = model.generate(
            **inputs,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            use_cache=True,
            eos_token_id=stop,
            pad_token_id=pad_token_id(tokenizer),
        )
    new = output[:, inputs["input_ids"].shape[1] :]
    texts = tokenizer.batch_decode(new, skip_special_tokens=True)
    # An answer cut at max_new_tokens can end inside a multi-byte character: drop the half.
    return [text.strip().rstrip("\ufffd") for text in texts]
