"""Choosers for the adapter (lora.*) and the data (data.*) settings."""

from __future__ import annotations

import math
from typing import get_args

from easytune.training.spec import DataFormat

from .draft import Context, Draft
from .errors import PlanError
from .rules import (
    CORPUS_BLOCK_LENGTH,
    DROPOUT_BY_TOKENS,
    LENGTH_MULTIPLE,
    MIN_MAX_LENGTH,
    PACKING_MIN_EXAMPLES,
    PACKING_SHORT_FRACTION,
    RANK_PARAMS_LOG10,
    RANK_TOKENS_LOG10,
    lookup,
)


def count(n: float) -> str:
    """12345678 -> '12.3M', 4200 -> '4.2k'."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return f"{n:.0f}"


def _position(value: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return min(1.0, max(0.0, (value - low) / (high - low)))


def choose_rank(d: Draft, ctx: Context) -> None:
    rule, tokens = ctx.rule, ctx.train_tokens(d)
    data_pos = _position(math.log10(tokens), RANK_TOKENS_LOG10)
    size_pull = 0.5 * _position(math.log10(max(ctx.model.param_count, 1)), RANK_PARAMS_LOG10)
    pos = min(1.0, max(0.0, data_pos - size_pull))
    ranks = (rule.rank_min, (rule.rank_min + rule.rank_max) // 2, rule.rank_max)
    where = ("bottom", "middle", "top")[min(2, int(pos * 3))]
    rank = ranks[min(2, int(pos * 3))]
    pulled = f", pulled down for a {count(ctx.model.param_count)}-parameter model" * (size_pull > 0)
    d.choose(
        "lora.r",
        rank,
        f"{rule.level} ({rule.title}) uses rank {rule.rank_min}-{rule.rank_max}; "
        f"{count(tokens)} training tokens place this run at the {where} of that range{pulled}",
    )


def choose_alpha(d: Draft, ctx: Context) -> None:
    r = int(d["lora.r"])
    d.choose(
        "lora.use_rslora",
        False,
        "off: with alpha = 2 x rank the standard scaling is stable at the ranks used here",
    )
    if d["lora.use_rslora"]:
        why = f"2 x rank; with rsLoRA the update scale is alpha/sqrt(r) = {2 * math.sqrt(r):.1f}"
    else:
        why = "2 x rank, the common choice: the update scale alpha/r stays 2 whatever the rank"
    d.choose("lora.alpha", float(2 * r), why)


def choose_dropout(d: Draft, ctx: Context) -> None:
    tokens = ctx.train_tokens(d)
    dropout, why = lookup(DROPOUT_BY_TOKENS, tokens)
    d.choose("lora.dropout", dropout, f"{count(tokens)} training tokens: {why}")


def choose_targets(d: Draft, ctx: Context) -> None:
    targets: list[str] = []
    for group in ctx.rule.targets:
        names = getattr(ctx.model, group)
        if not names:
            d.warnings.append(f"the model facts list no {group} modules for {ctx.model.model_type}")
        targets.extend(n for n in names if n not in targets)
    if not targets:
        raise PlanError(
            f"no linear modules known for model type {ctx.model.model_type}; set "
            "lora.target_modules in the overrides",
            param="lora.target_modules",
        )
    d.choose(
        "lora.target_modules",
        targets,
        f"{ctx.rule.targets_why} ({', '.join(targets)} in {ctx.model.model_type})",
    )


def choose_lora_flags(d: Draft, ctx: Context) -> None:
    d.choose(
        "lora.use_dora",
        False,
        "off: DoRA costs noticeably more time and memory for a small gain at these ranks",
    )
    d.choose(
        "lora.quantization",
        "none",
        "base weights at full training precision; 4-bit QLoRA is chosen only when memory needs it",
    )


def choose_data_basics(d: Draft, ctx: Context) -> None:
    fmt = ctx.dataset.format if ctx.dataset.format in get_args(DataFormat) else None
    d.choose("data.format", fmt, f"detected as {fmt}" if fmt else "detected again when training")
    if ctx.has_eval_file:
        d.choose("data.eval_fraction", 0.1, "unused: you gave a separate evaluation file")
    else:
        fraction = round(min(0.1, max(0.02, 200 / max(ctx.dataset.examples, 1))), 3)
        held = max(1, round(ctx.dataset.examples * fraction))
        d.choose(
            "data.eval_fraction",
            fraction,
            f"holds out about {held} examples for "
            "evaluation (up to 10%, about 200 at most on big data)",
        )
    cap = 100 if ctx.hardware.device == "cpu" else 200
    d.choose("data.max_eval_examples", cap, f"keeps each evaluation quick on {ctx.hardware.device}")
    d.choose("data.seed", 42, "fixed so the evaluation split and shuffling repeat exactly")
    chat = ctx.dataset.is_chat
    d.choose(
        "data.assistant_only_loss",
        chat,
        "loss on the assistant's answers only, so the model learns to answer rather than to "
        "predict the questions"
        if chat
        else "plain text: every token is learnt",
    )


def truncated_share(ctx: Context, length: int) -> float:
    """Estimated fraction of examples longer than `length`, from the length percentiles."""
    s = ctx.dataset
    points = (
        (s.tokens_p50, 0.5),
        (s.tokens_p90, 0.1),
        (s.tokens_p95, 0.05),
        (s.tokens_p99, 0.01),
        (s.tokens_max, 0.0),
    )
    if length >= s.tokens_max:
        return 0.0
    prev_len, prev_share = 0, 1.0
    for at, share in points:
        if length < at:
            span = max(at - prev_len, 1)
            return prev_share + (share - prev_share) * (length - prev_len) / span
        prev_len, prev_share = at, share
    return 0.0


def truncation_note(ctx: Context, length: int) -> str:
    if not ctx.dataset.is_chat:
        return "a corpus is cut into blocks of this length, so nothing is truncated"
    share = truncated_share(ctx, length)
    n = round(share * ctx.dataset.examples)
    if n == 0:
        return "no example is longer, so nothing is truncated"
    return f"about {n} examples ({share:.1%}) are longer and will be truncated"


def choose_max_length(d: Draft, ctx: Context) -> None:
    if not ctx.dataset.is_chat:
        _corpus_max_length(d, ctx)
        return
    p99, limit = ctx.dataset.tokens_p99, ctx.model.max_position_embeddings
    wanted = max(MIN_MAX_LENGTH, math.ceil(p99 / LENGTH_MULTIPLE) * LENGTH_MULTIPLE)
    if wanted > limit:
        note = truncation_note(ctx, limit)
        d.warnings.append(f"data.max_length capped at the model's limit of {limit} tokens: {note}")
        d.choose(
            "data.max_length",
            limit,
            f"99% of examples fit in {p99} tokens but the model reads at most {limit}; {note}",
        )
        return
    d.choose(
        "data.max_length",
        wanted,
        f"99% of examples fit in {p99} tokens, rounded up to a "
        f"multiple of {LENGTH_MULTIPLE}; {truncation_note(ctx, wanted)}",
    )


def _corpus_max_length(d: Draft, ctx: Context) -> None:
    length = min(CORPUS_BLOCK_LENGTH, ctx.model.max_position_embeddings)
    blocks = math.ceil(ctx.dataset.total_tokens / length)
    d.choose(
        "data.max_length",
        length,
        f"a text corpus is joined and cut into blocks of {length} tokens (about {blocks} "
        "blocks): every token is trained and nothing is truncated",
    )


def choose_packing(d: Draft, ctx: Context) -> None:
    s, length = ctx.dataset, int(d["data.max_length"])
    if ctx.rule.level == "preference":
        d.choose("data.packing", False, "off: each pair's answers are compared whole, side by side")
        return
    if not s.is_chat:
        d.choose("data.packing", True, "on: corpus blocks are already full rows of max_length")
        return
    short = s.tokens_p50 <= length * PACKING_SHORT_FRACTION
    if s.examples >= PACKING_MIN_EXAMPLES and short:
        why = (
            f"on: {s.examples} examples with a median of {s.tokens_p50} tokens fill "
            f"{length}-token rows far better packed (padding-free) than padded"
        )
        d.choose("data.packing", True, why)
        return
    why = (
        "off: too few examples to gain from packing"
        if s.examples < PACKING_MIN_EXAMPLES
        else (
            f"off: the median example ({s.tokens_p50} tokens) is long enough that padding wastes "
            "little"
        )
    )
    d.choose("data.packing", False, why)
