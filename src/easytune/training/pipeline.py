"""The data stage of a run: load, split, tokenise, filter, pack or pad, batch.

Format detection, validation, templating and collation belong to `easytune.training.data`;
this module only strings those calls together for the recipe and names the failures.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from easytune.training.errors import BadDataError, NoStepsError
from easytune.training.loop import EpochBatches
from easytune.training.spec import DataSpec


class ReplaySource(Protocol):
    """Replayed answers to mix in, given how many user examples the run trains on."""

    def items(self, user_examples: int) -> list[Any]: ...


@dataclass
class PreparedData:
    train: EpochBatches[Any]
    eval: EpochBatches[Any] | None
    report: dict[str, Any]
    train_examples: int
    dropped: int
    truncated: int
    packed: bool
    replayed: int = 0
    eval_examples: list[Any] = field(default_factory=list)  # held out: learned score, report


def load_examples(path: str, fmt: str | None, param: str) -> Any:
    """A data file loaded and validated (a LoadedDataset), or a BadDataError naming `param`."""
    return _load(path, fmt, param)


def _load(path: str, fmt: str | None, param: str) -> Any:
    from easytune.training.data import DataValidationError, load_dataset

    if not Path(path).is_file():
        raise BadDataError(f"data file {path} does not exist", param=param)
    try:
        return load_dataset(path, format=fmt)
    except DataValidationError as exc:
        lines = [error.to_dict() for error in exc.errors]
        raise BadDataError(f"{path}: {exc}", param=param, data={"errors": lines}) from exc


def _tokenize_uncut(examples: list[Any], tokenizer: Any, spec: DataSpec) -> list[Any]:
    """Each example tokenised whole: the report measures these, training cuts them."""
    from easytune.training.data import tokenize_example

    return [
        tokenize_example(example, tokenizer, sys.maxsize, spec.assistant_only_loss)
        for example in examples
    ]


def _trainable(uncut: list[Any], spec: DataSpec) -> tuple[list[Any], int, int]:
    """Examples cut at max_length that keep a trained token; (kept, dropped, truncated)."""
    items = [item.cut(spec.max_length) for item in uncut]
    kept = [item for item in items if item.num_labelled > 0]
    return kept, len(items) - len(kept), sum(int(item.truncated) for item in items)


def _collated(
    items: list[Any], pack: bool, tokenizer: Any, spec: DataSpec, batch_size: int, shuffle: bool
) -> EpochBatches[Any]:
    from easytune.training.data import PackingCollator, PaddingCollator, pack_examples

    if pack:
        packed = pack_examples(items, spec.max_length)
        return EpochBatches(packed, batch_size, PackingCollator(), spec.seed, shuffle)
    collate = PaddingCollator(pad_token_id(tokenizer))
    lengths = [len(item) for item in items]  # padded batches: group rows of similar length
    return EpochBatches(items, batch_size, collate, spec.seed, shuffle, lengths)


def pad_token_id(tokenizer: Any) -> int:
    """The pad id, else eos (padding never carries loss, so any id is safe)."""
    for candidate in (tokenizer.pad_token_id, tokenizer.eos_token_id):
        if candidate is not None:
            return int(candidate)
    return 0


def packing_supported(model: Any) -> bool:
    """Padding-free packing needs attention that honours position_ids boundaries."""
    from easytune.training.data import supports_packing

    return bool(supports_packing(model))


def prepare_data(
    spec: DataSpec,
    tokenizer: Any,
    batch_size: int,
    pack: bool,
    replay: ReplaySource | None = None,
) -> PreparedData:
    """Everything the loop needs from the data files, or a BadDataError / NoStepsError."""
    from easytune.training.data import dataset_report, split_examples

    loaded = _load(spec.train_path, spec.format, "data.train_path")
    loaded.examples = _sft_examples(loaded.examples)
    if spec.eval_path is not None:
        train_ex = loaded.examples
        eval_ex = _load(spec.eval_path, spec.format, "data.eval_path").examples
    else:
        train_ex, eval_ex = split_examples(
            loaded.examples, spec.eval_fraction, spec.seed, spec.max_eval_examples
        )
    if not train_ex:
        raise NoStepsError(
            "no training examples are left after holding out the eval split: "
            "add examples or lower data.eval_fraction",
            param="data.train_path",
        )
    uncut = _tokenize_uncut(train_ex, tokenizer, spec)
    report = dataset_report(
        train_ex,
        tokenizer,
        spec.max_length,
        eval=eval_ex or None,
        format=loaded.format,
        tokenized=uncut,
    )
    train_items, dropped, truncated = _train_items(train_ex, uncut, tokenizer, spec)
    mixed = _mix_items(spec, tokenizer)
    train_items += mixed
    if not train_items:
        raise NoStepsError(
            f"no training example is left after tokenisation ({dropped} dropped: no trained "
            "tokens, e.g. empty answers or prompts longer than data.max_length): fix the data or "
            "raise data.max_length",
            param="data.train_path",
        )
    eval_items = _eval_items(eval_ex, tokenizer, spec)
    replayed = replay.items(len(train_items)) if replay is not None else []
    train = _collated(train_items + replayed, pack, tokenizer, spec, batch_size, shuffle=True)
    evals = (
        _collated(eval_items, False, tokenizer, spec, batch_size, shuffle=False)
        if eval_items
        else None
    )
    extra = {
        "notes": [str(n) for n in loaded.notes],
        "warnings": [str(w) for w in loaded.warnings],
        "kind": loaded.kind,
    }
    if spec.mix_path:
        extra["mixed_examples"] = len(mixed)
    return PreparedData(
        train,
        evals,
        {**report.to_dict(), **extra},
        len(train_items),
        dropped,
        truncated,
        pack,
        len(replayed),
        list(eval_ex),
    )


def _sft_examples(examples: list[Any]) -> list[Any]:
    """What next-token training may learn: a KTO file's answers labelled false never become
    targets (a preference file's rejected answers are never read here)."""
    return [ex for ex in examples if ex.label is not False]


def _train_items(
    examples: list[Any], uncut: list[Any], tokenizer: Any, spec: DataSpec
) -> tuple[list[Any], int, int]:
    """A corpus as full max_length blocks (nothing cut), else examples cut at max_length."""
    from easytune.training.data.corpus import corpus_blocks, is_corpus

    if is_corpus(examples):
        return corpus_blocks(examples, tokenizer, spec.max_length), 0, 0
    return _trainable(uncut, spec)


def _eval_items(examples: list[Any], tokenizer: Any, spec: DataSpec) -> list[Any]:
    from easytune.training.data.corpus import corpus_blocks, is_corpus

    if is_corpus(examples):
        return corpus_blocks(examples, tokenizer, spec.max_length)
    return _trainable(_tokenize_uncut(examples, tokenizer, spec), spec)[0]


def _mix_items(spec: DataSpec, tokenizer: Any) -> list[Any]:
    """The chats trained next to a corpus (to keep the chat format): loss on answers only."""
    if spec.mix_path is None:
        return []
    from easytune.training.data import tokenize_example

    mix = _load(spec.mix_path, None, "data.mix_path").examples
    items = [tokenize_example(ex, tokenizer, spec.max_length, True) for ex in mix]
    return [item for item in items if item.num_labelled > 0]
