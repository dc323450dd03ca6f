"""Dataset statistics (for the intent engine and the UI) and a deterministic train/eval split."""

from __future__ import annotations

import math
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from easytune.i18n import Msg, message_dict
from easytune.training.data import messages as msg
from easytune.training.data.corpus import block_count, is_corpus
from easytune.training.data.kinds import kind_of
from easytune.training.data.template import IGNORE_INDEX, TokenizedExample, tokenize_example
from easytune.training.data.types import Example
from easytune.training.facts import DatasetStats

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")
# A Chinese character carries about as much as an English word of ~4 letters.
_LETTERS_PER_CJK = 4
PERCENTILES = (50, 90, 95, 99)


@dataclass(frozen=True)
class DatasetReport:
    """What the UI shows and the planner reads; ``stats`` is the intent engine's input."""

    stats: DatasetStats
    max_length: int
    truncated: int  # examples longer than max_length (cut when training)
    no_labels_after_truncation: int  # chat examples whose replies are all cut off
    labelled_tokens: int  # tokens that carry loss, after truncation
    duplicates: int
    eval_examples: int = 0
    leakage: int = 0  # eval examples whose content also appears in train
    notes: list[str] = field(default_factory=list)
    # The notes as {code, params} (easytune.i18n), in the same order, for the UI to translate.
    note_details: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "chat"  # chat | corpus: a corpus is trained as blocks, never truncated
    blocks: int = 0  # corpus only: max_length-token blocks the documents are cut into
    # Problems worth acting on before training, as {code, message, params}: the UI words them in
    # the reader's language from code + params; `message` is the English text.
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (stats nested under "stats")."""
        return asdict(self)


def dataset_report(
    train: list[Example],
    tokenizer: Any,
    max_length: int,
    eval: list[Example] | None = None,
    *,
    format: str | None = None,
    tokenized: list[TokenizedExample] | None = None,
) -> DatasetReport:
    """Token statistics of ``train`` at ``max_length``, duplicates, and train/eval leakage.

    Pass ``format=loaded.format`` so ``stats.format`` names the file's format, and
    ``tokenized`` (``train`` tokenised uncut) when the caller has it, to tokenise only once.
    """
    if not train:
        raise ValueError("dataset_report needs at least one training example")
    if tokenized is not None and len(tokenized) != len(train):
        raise ValueError("dataset_report: `tokenized` must hold one entry per training example")
    full = tokenized or [tokenize_example(ex, tokenizer, sys.maxsize) for ex in train]
    lengths = [len(t) for t in full]
    duplicates = count_duplicates(train)
    leakage = count_leakage(train, eval or [])
    stats = _stats(train, lengths, [t.num_labelled for t in full], duplicates, format)
    if is_corpus(train):
        return _corpus_report(stats, max_length, duplicates, len(eval or []), leakage)
    cut_labelled = [_labelled(t.labels[:max_length]) for t in full]
    return DatasetReport(
        stats=stats,
        max_length=max_length,
        truncated=sum(1 for n in lengths if n > max_length),
        no_labels_after_truncation=sum(1 for n in cut_labelled if n == 0),
        labelled_tokens=sum(cut_labelled),
        duplicates=duplicates,
        eval_examples=len(eval or []),
        leakage=leakage,
        **_noted(_notes(len(train), lengths, max_length, duplicates, leakage)),
        warnings=little_data_warnings(len(train), stats.mean_assistant_tokens, stats.is_chat),
    )


def _corpus_report(
    stats: DatasetStats, max_length: int, duplicates: int, held: int, leakage: int
) -> DatasetReport:
    blocks = block_count(stats.total_tokens, max_length)
    note = msg.CORPUS(
        examples=stats.examples, tokens=stats.total_tokens, blocks=blocks, length=max_length
    )
    return DatasetReport(
        stats=stats, max_length=max_length, truncated=0, no_labels_after_truncation=0,
        labelled_tokens=stats.total_tokens, duplicates=duplicates, eval_examples=held,
        leakage=leakage, kind="corpus", blocks=blocks,
        **_noted([note, *_notes(stats.examples, [], max_length, duplicates, leakage)]),
    )  # fmt: skip


# Below either, a fine-tune learns little and may just memorise (the plan compensates, see below).
FEW_EXAMPLES = 50
SHORT_ANSWER_TOKENS = 8


def little_data_warnings(examples: int, mean_answer: float, is_chat: bool) -> list[dict[str, Any]]:
    """A warning when the data is too small to teach much, saying what the plan does about it."""
    short = is_chat and 0 < mean_answer < SHORT_ANSWER_TOKENS
    if examples >= FEW_EXAMPLES and not short:
        return []
    answers = msg.LITTLE_ANSWERS(tokens=f"{mean_answer:.0f}") if is_chat else ""
    warning = msg.LITTLE_DATA(
        examples=examples, answer_tokens=round(mean_answer, 1), min=FEW_EXAMPLES, answers=answers
    )
    return [message_dict(warning)]


def _noted(notes: list[Msg]) -> dict[str, Any]:
    """The report's `notes` (English) and `note_details` ({code, params}) fields."""
    return {"notes": [str(n) for n in notes], "note_details": [n.to_dict() for n in notes]}


def _labelled(labels: list[int]) -> int:
    return sum(1 for label in labels if label != IGNORE_INDEX)


def _stats(
    train: list[Example],
    lengths: list[int],
    labelled: list[int],
    duplicates: int,
    format: str | None,
) -> DatasetStats:
    ordered = sorted(lengths)
    p50, p90, p95, p99 = (percentile(ordered, p) for p in PERCENTILES)
    is_chat = train[0].is_chat
    return DatasetStats(
        # Without the file's format, chat examples are what they were normalised to: messages.
        format=format or ("openai" if is_chat else "text"),
        examples=len(train),
        total_tokens=sum(lengths),
        tokens_p50=p50,
        tokens_p90=p90,
        tokens_p95=p95,
        tokens_p99=p99,
        tokens_max=ordered[-1],
        duplicates=duplicates,
        is_chat=is_chat,
        mean_assistant_tokens=round(sum(labelled) / len(labelled), 2) if is_chat else 0.0,
        languages=language_mix(train),
        kind=kind_of(train),
    )


def percentile(ordered: Sequence[int], p: float) -> int:
    """Nearest-rank percentile of an ascending sequence (always one of its values)."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def count_duplicates(examples: list[Example]) -> int:
    """Examples whose content repeats an earlier one."""
    return len(examples) - len({ex.content_key() for ex in examples})


def count_leakage(train: list[Example], eval: list[Example]) -> int:
    """Eval examples whose content also appears in train (an over-optimistic eval loss)."""
    seen = {ex.content_key() for ex in train}
    return sum(1 for ex in eval if ex.content_key() in seen)


def language_mix(examples: list[Example]) -> dict[str, float]:
    """Share of examples mostly in Chinese ("zh"), English ("en") or neither ("other")."""
    counts = {"zh": 0, "en": 0, "other": 0}
    for ex in examples:
        counts[_language(_all_text(ex))] += 1
    return {k: round(v / len(examples), 4) for k, v in counts.items() if v}


def _language(text: str) -> str:
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text)) / _LETTERS_PER_CJK
    if cjk == latin == 0:
        return "other"
    return "zh" if cjk >= latin else "en"


def _all_text(ex: Example) -> str:
    if ex.messages is not None:
        return "\n".join(m.content for m in ex.messages)
    return ex.text or ""


def _notes(n: int, lengths: list[int], max_length: int, duplicates: int, leakage: int) -> list[Msg]:
    notes = []
    over = sum(1 for x in lengths if x > max_length)
    if over:
        notes.append(msg.TOO_LONG(over=over, n=n, length=max_length))
    if duplicates:
        notes.append(msg.DUPLICATES(duplicates=duplicates))
    if leakage:
        notes.append(msg.LEAKAGE(leakage=leakage))
    return notes


def split_examples(
    examples: list[Example], eval_fraction: float, seed: int, max_eval: int
) -> tuple[list[Example], list[Example]]:
    """Deterministic train/eval split; identical examples stay on one side (no leakage)."""
    if not 0 <= eval_fraction < 1:
        raise ValueError(f"eval_fraction must be in [0, 1), got {eval_fraction}")
    want = min(max_eval, round(len(examples) * eval_fraction))
    if eval_fraction > 0 and max_eval > 0 and len(examples) >= 2:
        want = max(want, 1)
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(ex.content_key(), []).append(i)
    order = list(groups.values())
    random.Random(seed).shuffle(order)
    chosen: set[int] = set()
    for members in order:
        if len(chosen) + len(members) <= want and len(chosen) + len(members) < len(examples):
            chosen.update(members)
    train = [ex for i, ex in enumerate(examples) if i not in chosen]
    held = [ex for i, ex in enumerate(examples) if i in chosen]
    return train, held
