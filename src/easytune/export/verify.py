"""Check an exported GGUF in llama.cpp itself: it loads, generates, and how it agrees.

The reference is transformers' greedy continuation of the same prompt token ids, so the
comparison does not depend on llama.cpp tokenising text the same way.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import torch

from easytune.export.errors import ConversionError
from easytune.export.tools import llama_cpp

VERIFY_PROMPT = "Explain what a neural network is in one sentence."
VERIFY_TOKENS = 12


def prompt_ids(tokenizer: Any, prompt: str = VERIFY_PROMPT) -> list[int]:
    """The prompt as the chat template would send it (plain text without a template)."""
    if getattr(tokenizer, "chat_template", None):
        messages = [{"role": "user", "content": prompt}]
        ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        ids = ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids
        return [int(i) for i in ids]
    return [int(i) for i in tokenizer(prompt).input_ids]


def transformers_greedy(model: Any, ids: list[int], count: int = VERIFY_TOKENS) -> list[int]:
    """Greedy continuation in transformers, end tokens included, as llama.cpp's generate does.

    A plain argmax loop: generate() would stop at eos, or suppress it when made to continue.
    """
    tokens = list(ids)
    with torch.no_grad():
        for _ in range(count):  # a dozen tokens: recomputing the prefix costs little
            logits = model(input_ids=torch.tensor([tokens])).logits
            tokens.append(int(logits[0, -1].argmax()))
    return tokens[len(ids) :]


def llama_greedy(
    model_path: Path, ids: list[int], count: int = VERIFY_TOKENS, lora_path: Path | None = None
) -> list[int]:
    """Greedy continuation in llama.cpp (top-k 1, no repetition penalty)."""
    lib = llama_cpp()
    try:
        with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
            llm = lib.Llama(
                model_path=str(model_path),
                lora_path=str(lora_path) if lora_path else None,
                n_ctx=max(256, len(ids) + count + 8),
                n_threads=1,
                verbose=False,
                seed=0,
            )
    except (ValueError, RuntimeError) as exc:
        raise ConversionError(
            f"llama.cpp could not load the exported {model_path.name}: {exc}"
        ) from exc
    tokens: list[int] = []
    for token in llm.generate(ids, top_k=1, top_p=1.0, temp=0.0, repeat_penalty=1.0):
        tokens.append(int(token))
        if len(tokens) == count:
            break
    llm.close()
    return tokens


def agreement(reference: list[int], produced: list[int]) -> dict[str, Any]:
    """How far llama.cpp's greedy tokens follow the reference's."""
    prefix = 0
    for a, b in zip(reference, produced, strict=False):
        if a != b:
            break
        prefix += 1
    return {
        "tokens": len(reference),
        "equal_prefix": prefix,
        "equal": reference == produced,
        "reference": reference,
        "llama_cpp": produced,
    }


def check_generates(produced: list[int], path: Path) -> None:
    if not produced:
        raise ConversionError(f"llama.cpp loaded {path.name} but generated no token")
