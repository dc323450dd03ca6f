"""Several models on the same items: one base loaded once, its adapters attached by name.

The base answers come with every adapter disabled (same weights, no second copy); each
adapter is judged against them, and the base model against itself. Shared by
`easytune eval` and the `evaluation` job kind.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from easytune.training.errors import ModelLoadError
from easytune.training.evaluation.generation import DEFAULT_BATCH, generate_answers
from easytune.training.evaluation.probes import Probe
from easytune.training.evaluation.report import build_report
from easytune.training.spec import ModelRef


@dataclass(frozen=True)
class AnswerOptions:
    """How each model answers and how its refusals are judged."""

    max_new_tokens: int = 32
    batch_size: int = DEFAULT_BATCH
    refusal_tolerance: float = 0.1


def load_base(ref: ModelRef) -> tuple[Any, Any]:
    """(model, tokenizer) from a Hugging Face folder or a GGUF file, ready to answer chats."""
    from easytune.training.data import ensure_chat_template
    from easytune.training.model import load_model
    from easytune.training.optim import resolve_device

    loaded, tokenizer = load_model(ref, device=resolve_device("auto"))
    ensure_chat_template(tokenizer)
    if len(tokenizer) > loaded.get_input_embeddings().weight.shape[0]:
        loaded.resize_token_embeddings(len(tokenizer))
    return loaded, tokenizer


def attach_adapters(model: Any, folders: Sequence[str]) -> tuple[Any, list[str]]:
    """The model with every adapter folder loaded by name (adapter_1, ...), and those names."""
    from peft import PeftModel

    names = [f"adapter_{i}" for i in range(1, len(folders) + 1)]
    for name, folder in zip(names, folders, strict=True):
        if not (Path(folder) / "adapter_config.json").is_file():
            raise ModelLoadError(
                f"adapter folder {folder} has no adapter_config.json: it was deleted after the "
                "evaluation was queued, or it is not a PEFT adapter",
                param="models",
            )
        if isinstance(model, PeftModel):
            model.load_adapter(folder, adapter_name=name)
        else:
            model = PeftModel.from_pretrained(model, folder, adapter_name=name)
    return model, names


def answers_of(
    model: Any, tokenizer: Any, items: Sequence[Probe], adapter: str | None, options: AnswerOptions
) -> list[str]:
    """Greedy answers to every item from the base (None) or the named adapter."""
    chats = [item.chat() for item in items]
    gen = {"max_new_tokens": options.max_new_tokens, "batch_size": options.batch_size}
    return generate_answers(model, tokenizer, chats, adapter=adapter, **gen)


def report_of(
    items: Sequence[Probe], base: Sequence[str], answers: Sequence[str], options: AnswerOptions,
    seconds: float,
) -> dict[str, Any]:  # fmt: skip
    """One model's report: its answers judged against the base's (the base: against itself)."""
    report = build_report(items, base, answers, options.refusal_tolerance)
    report.update(max_new_tokens=options.max_new_tokens, seconds=round(seconds, 2))
    return report


def compare(
    model: Any, tokenizer: Any, adapters: Sequence[str], items: Sequence[Probe],
    options: AnswerOptions,
) -> list[dict[str, Any]]:  # fmt: skip
    """A report per model: the base first (against itself), then each adapter against it."""
    started = time.monotonic()
    base = answers_of(model, tokenizer, items, None, options)
    reports = [report_of(items, base, base, options, time.monotonic() - started)]
    for name in adapters:
        started = time.monotonic()
        answers = answers_of(model, tokenizer, items, name, options)
        reports.append(report_of(items, base, answers, options, time.monotonic() - started))
    return reports
