"""Padding-free packing and the two collators (padded batches, packed rows).

A packed row holds several examples back to back with position_ids restarting at 0 for each;
transformers (5.x, sdpa/eager/flash/flex attention) reads the restarts and builds a
block-diagonal causal mask, so examples never attend to each other. The model must run with
``use_cache=False`` (see prepare_model_for_packing): with a cache object the restarts are
ignored and examples leak into each other.
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from easytune.training.data.template import IGNORE_INDEX, TokenizedExample

PACKING_ATTENTION = frozenset(
    {"sdpa", "eager", "flash_attention_2", "flash_attention_3", "flex_attention"}
)


@dataclass(frozen=True)
class PackedSequence:
    input_ids: list[int]
    labels: list[int]  # the first token of each example is IGNORE_INDEX (no cross-example loss)
    position_ids: list[int]  # restart at 0 for each example
    lengths: tuple[int, ...]  # the examples' lengths, in order
    replay_mask: tuple[int, ...] = ()  # 1 on replayed answers' labelled tokens; () when none

    def __len__(self) -> int:
        return len(self.input_ids)


def pack_examples(tokenized: list[TokenizedExample], max_length: int) -> list[PackedSequence]:
    """Best-fit-decreasing bin packing of examples into rows of at most ``max_length`` tokens."""
    too_long = [i for i, t in enumerate(tokenized) if len(t) > max_length]
    if too_long:
        raise ValueError(
            f"{len(too_long)} examples are longer than max_length={max_length} "
            f"(first: index {too_long[0]}); tokenize them with the same max_length"
        )
    bins: list[list[int]] = []
    free: list[tuple[int, int]] = []  # (room left, bin index), ascending: best fit = first fit
    for i in sorted(range(len(tokenized)), key=lambda i: -len(tokenized[i])):
        size = len(tokenized[i])
        if size == 0:
            continue
        k = bisect.bisect_left(free, (size, -1))
        if k < len(free):
            room, b = free.pop(k)
        else:
            room, b = max_length, len(bins)
            bins.append([])
        bins[b].append(i)
        if room - size > 0:
            bisect.insort(free, (room - size, b))
    return [_concat([tokenized[i] for i in members]) for members in bins]


def _concat(parts: list[TokenizedExample]) -> PackedSequence:
    ids: list[int] = []
    labels: list[int] = []
    positions: list[int] = []
    replay: list[int] = []
    for part in parts:
        ids.extend(part.input_ids)
        labels.extend([IGNORE_INDEX, *part.labels[1:]])
        positions.extend(range(len(part)))
        replay.extend([0, *part.replay_mask()[1:]])
    mask = tuple(replay) if any(replay) else ()
    return PackedSequence(ids, labels, positions, tuple(len(p) for p in parts), mask)


Feature = TokenizedExample | PackedSequence | Mapping[str, Sequence[int]]


def replay_mask_of(feature: Feature) -> list[int]:
    """The feature's replay mask (zeros when it holds no replayed answer)."""
    if isinstance(feature, TokenizedExample):
        return feature.replay_mask()
    mask = getattr(feature, "replay_mask", None) or ()
    return list(mask) if mask else [0] * len(_fields(feature)[0])


def _has_replay(features: Sequence[Feature]) -> bool:
    def one(f: Feature) -> bool:
        if isinstance(f, TokenizedExample):
            return f.replay
        return bool(isinstance(f, PackedSequence) and f.replay_mask)

    return any(one(f) for f in features)


def _fields(feature: Feature) -> tuple[list[int], list[int], list[int]]:
    if isinstance(feature, Mapping):
        ids, labels = list(feature["input_ids"]), list(feature["labels"])
        positions = list(feature.get("position_ids") or range(len(ids)))
    else:
        ids, labels = feature.input_ids, feature.labels
        positions = getattr(feature, "position_ids", None) or list(range(len(ids)))
    return ids, labels, positions


class PaddingCollator:
    """Right-pads a batch: input_ids, labels (IGNORE_INDEX on padding), attention_mask."""

    def __init__(self, pad_token_id: int, pad_to_multiple_of: int | None = None) -> None:
        self.pad_token_id = pad_token_id
        self.pad_to_multiple_of = pad_to_multiple_of

    def __call__(self, features: Sequence[Feature]) -> dict[str, torch.Tensor]:
        rows = [_fields(f)[:2] for f in features]
        width = max(len(ids) for ids, _ in rows)
        if self.pad_to_multiple_of:
            width = -(-width // self.pad_to_multiple_of) * self.pad_to_multiple_of
        batch = {
            "input_ids": [ids + [self.pad_token_id] * (width - len(ids)) for ids, _ in rows],
            "labels": [labels + [IGNORE_INDEX] * (width - len(labels)) for _, labels in rows],
            "attention_mask": [[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in rows],
        }
        if _has_replay(features):
            masks = [replay_mask_of(f) for f in features]
            batch["replay_mask"] = [m + [0] * (width - len(m)) for m in masks]
        return {k: torch.tensor(v, dtype=torch.long) for k, v in batch.items()}


class PackingCollator:
    """Flattens a batch into one row with no padding: input_ids, labels, position_ids.

    Works on packed sequences or plain tokenized examples; each example's first label is
    ignored so no token is trained to predict the next example.
    """

    def __call__(self, features: Sequence[Feature]) -> dict[str, torch.Tensor]:
        ids: list[int] = []
        labels: list[int] = []
        positions: list[int] = []
        replay: list[int] = []
        for feature in features:
            f_ids, f_labels, f_pos = _fields(feature)
            ids.extend(f_ids)
            labels.extend(
                IGNORE_INDEX if p == 0 else lab for p, lab in zip(f_pos, f_labels, strict=True)
            )
            positions.extend(f_pos)
            replay.extend(
                0 if p == 0 else m for p, m in zip(f_pos, replay_mask_of(feature), strict=True)
            )
        batch = {
            "input_ids": torch.tensor([ids], dtype=torch.long),
            "labels": torch.tensor([labels], dtype=torch.long),
            "position_ids": torch.tensor([positions], dtype=torch.long),
        }
        if any(replay):
            batch["replay_mask"] = torch.tensor([replay], dtype=torch.long)
        return batch


def _base_model(model: Any) -> Any:
    get_base = getattr(model, "get_base_model", None)  # a peft wrapper
    return get_base() if callable(get_base) else model


def supports_packing(model: Any) -> bool:
    """Whether this model isolates packed examples given position_ids (no attention_mask)."""
    base = _base_model(model)
    impl = getattr(base.config, "_attn_implementation", None)
    module = sys.modules.get(type(base).__module__)
    # Architectures built on masking_utils.create_causal_mask detect packed position_ids.
    return impl in PACKING_ATTENTION and hasattr(module, "create_causal_mask")


def prepare_model_for_packing(model: Any) -> None:
    """Check packing is safe for ``model`` and turn off the KV cache, which would break it."""
    base = _base_model(model)
    if not supports_packing(model):
        impl = getattr(base.config, "_attn_implementation", None)
        raise ValueError(
            f"{type(base).__name__} with attention '{impl}' cannot isolate packed "
            "examples; train with padding (PaddingCollator) instead"
        )
    base.config.use_cache = False
