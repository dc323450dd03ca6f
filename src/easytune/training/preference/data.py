"""The data stage of a preference run: pairs or labelled answers, tokenised and batched.

A batch of B pairs is 2B sequences (chosen, then rejected); a KTO batch is B answers with
their labels. The held-out examples handed to the evaluation report are chats whose reference
answer is the chosen one (KTO: the answers labelled true).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from easytune.training.errors import BadDataError, NoStepsError
from easytune.training.loop import EpochBatches
from easytune.training.pipeline import PreparedData, load_examples, pad_token_id
from easytune.training.preference.dpo import (
    LabelledCollator,
    PairCollator,
    tokenize_answer,
    tokenize_pair,
)
from easytune.training.preference.losses import PAIR_METHODS
from easytune.training.preference.pairs import from_example
from easytune.training.spec import DataSpec

PAIR_KIND = "preference"
# The file kinds each method trains on (pairs become two labelled answers for KTO).
KINDS = {"dpo": {PAIR_KIND}, "orpo": {PAIR_KIND}, "simpo": {PAIR_KIND}, "kto": {"kto", PAIR_KIND}}


def prepare_preference_data(
    spec: DataSpec, method: str, tokenizer: Any, batch_size: int
) -> PreparedData:
    """Everything the loop needs from a preference or KTO file, or a BadDataError."""
    from easytune.training.data import dataset_report, split_examples

    loaded = load_examples(spec.train_path, spec.format, "data.train_path")
    _check_kind(loaded.kind, method)
    if spec.eval_path is not None:
        train_ex = loaded.examples
        eval_ex = load_examples(spec.eval_path, spec.format, "data.eval_path").examples
    else:
        train_ex, eval_ex = split_examples(
            loaded.examples, spec.eval_fraction, spec.seed, spec.max_eval_examples
        )
    items, truncated = _items(train_ex, method, tokenizer, spec.max_length)
    if not items:
        raise NoStepsError(
            "no training pair is left after tokenisation (prompts longer than data.max_length "
            "leave no answer to compare): raise data.max_length or shorten the prompts",
            param="data.max_length",
        )
    report = dataset_report(train_ex, tokenizer, spec.max_length, eval=eval_ex or None,
                            format=loaded.format)  # fmt: skip
    collate = _collator(method, tokenizer)
    evals = _items(eval_ex, method, tokenizer, spec.max_length)[0]
    extra = {"notes": [str(n) for n in loaded.notes],
             "warnings": [str(w) for w in loaded.warnings], "kind": loaded.kind,
             "method": method, "training_items": len(items)}  # fmt: skip
    return PreparedData(
        EpochBatches(items, batch_size, collate, spec.seed, shuffle=True),
        EpochBatches(evals, batch_size, collate, spec.seed, shuffle=False) if evals else None,
        {**report.to_dict(), **extra},
        len(items),
        len(train_ex) - len(items) if method in PAIR_METHODS else 0,
        truncated,
        False,
        eval_examples=[_as_chat(ex) for ex in eval_ex if ex.label is not False],
    )


def _check_kind(kind: str, method: str) -> None:
    if kind not in KINDS[method]:
        needs = "preference pairs ('chosen'/'rejected')" if method in PAIR_METHODS else (
            "answers labelled true/false ('label') or preference pairs")  # fmt: skip
        raise BadDataError(
            f"train.method {method} needs {needs}, but this is a {kind} file: choose the L1-L3 "
            "intents for it, or upload a preference file",
            param="train.method",
        )


def _items(examples: list[Any], method: str, tokenizer: Any, length: int) -> tuple[list[Any], int]:
    """Tokenised training items that keep an answer token on every side; (items, truncated)."""
    if method in PAIR_METHODS:
        pairs = [tokenize_pair(from_example(ex), tokenizer, length) for ex in examples]
        kept: list[Any] = [p for p in pairs if all(side.num_labelled > 0 for side in p)]
        return kept, sum(int(c.truncated or r.truncated) for c, r in pairs)
    labelled = [item for ex in examples for item in _labelled(ex)]
    answers = [(tokenize_answer(p, a, tokenizer, length), good) for p, a, good in labelled]
    kept = [(item, good) for item, good in answers if item.num_labelled > 0]
    return kept, sum(int(item.truncated) for item, _ in answers)


def _labelled(example: Any) -> list[tuple[Any, str, bool]]:
    """(prompt, answer, good) of a KTO record, or both answers of a pair."""
    prompt, answer = example.messages[:-1], example.messages[-1].content
    if example.rejected is not None:
        return [(prompt, answer, True), (prompt, example.rejected, False)]
    return [(prompt, answer, bool(example.label))]


def _collator(method: str, tokenizer: Any) -> Any:
    pad = pad_token_id(tokenizer)
    return PairCollator(pad) if method in PAIR_METHODS else LabelledCollator(pad)


def _as_chat(example: Any) -> Any:
    """A held-out pair as the chat the evaluation report answers: the chosen answer is the
    reference."""
    return dataclasses.replace(example, rejected=None, label=None)
