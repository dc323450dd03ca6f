"""Choosers for the adapter (lora.*) and the data (data.*) settings."""

from __future__ import annotations

import math
from typing import get_args

from easytune.i18n import Msg
from easytune.training.spec import DataFormat

from . import error_messages as em
from . import reasons as rs
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
    pulled = rs.RANK_PULLED(params=count(ctx.model.param_count)) if size_pull > 0 else ""
    reason = rs.RANK(
        level=rule.level,
        title=rs.LEVEL_TITLE[rule.level](),
        low=rule.rank_min,
        high=rule.rank_max,
        tokens=count(tokens),
        where=rs.RANK_WHERE[where](),
        pulled=pulled,
    )
    d.choose("lora.r", rank, reason)


def choose_alpha(d: Draft, ctx: Context) -> None:
    r = int(d["lora.r"])
    d.choose("lora.use_rslora", False, rs.RSLORA_OFF())
    why = rs.ALPHA_RSLORA(scale=f"{2 * math.sqrt(r):.1f}") if d["lora.use_rslora"] else rs.ALPHA()
    d.choose("lora.alpha", float(2 * r), why)


def choose_dropout(d: Draft, ctx: Context) -> None:
    tokens = ctx.train_tokens(d)
    dropout, why = lookup(DROPOUT_BY_TOKENS, tokens)
    d.choose("lora.dropout", dropout, rs.DROPOUT(tokens=count(tokens), why=why))


def choose_targets(d: Draft, ctx: Context) -> None:
    targets: list[str] = []
    for group in ctx.rule.targets:
        names = getattr(ctx.model, group)
        if not names:
            d.warnings.append(rs.WARN_NO_GROUP(group=group, model_type=ctx.model.model_type))
        targets.extend(n for n in names if n not in targets)
    if not targets:
        raise PlanError(em.NO_TARGETS(model_type=ctx.model.model_type), param="lora.target_modules")
    why = rs.TARGETS(
        why=ctx.rule.targets_why, modules=", ".join(targets), model_type=ctx.model.model_type
    )
    d.choose("lora.target_modules", targets, why)


def choose_lora_flags(d: Draft, ctx: Context) -> None:
    d.choose("lora.use_dora", False, rs.DORA_OFF())
    d.choose("lora.quantization", "none", rs.QUANT_NONE())


def choose_data_basics(d: Draft, ctx: Context) -> None:
    fmt = ctx.dataset.format if ctx.dataset.format in get_args(DataFormat) else None
    d.choose("data.format", fmt, rs.FORMAT_DETECTED(format=fmt) if fmt else rs.FORMAT_LATER())
    if ctx.has_eval_file:
        d.choose("data.eval_fraction", 0.1, rs.EVAL_FILE())
    else:
        fraction = round(min(0.1, max(0.02, 200 / max(ctx.dataset.examples, 1))), 3)
        held = max(1, round(ctx.dataset.examples * fraction))
        d.choose("data.eval_fraction", fraction, rs.EVAL_HOLD(held=held))
    cap = 100 if ctx.hardware.device == "cpu" else 200
    d.choose("data.max_eval_examples", cap, rs.EVAL_CAP(device=ctx.hardware.device))
    d.choose("data.seed", 42, rs.DATA_SEED())
    chat = ctx.dataset.is_chat
    d.choose("data.assistant_only_loss", chat, rs.ASSISTANT_LOSS() if chat else rs.ALL_LOSS())


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


def truncation_note(ctx: Context, length: int) -> Msg:
    if not ctx.dataset.is_chat:
        return rs.TRUNC_CORPUS()
    share = truncated_share(ctx, length)
    n = round(share * ctx.dataset.examples)
    if n == 0:
        return rs.TRUNC_NONE()
    return rs.TRUNC_SOME(n=n, share=f"{share:.1%}")


def choose_max_length(d: Draft, ctx: Context) -> None:
    if not ctx.dataset.is_chat:
        _corpus_max_length(d, ctx)
        return
    p99, limit = ctx.dataset.tokens_p99, ctx.model.max_position_embeddings
    wanted = max(MIN_MAX_LENGTH, math.ceil(p99 / LENGTH_MULTIPLE) * LENGTH_MULTIPLE)
    if wanted > limit:
        note = truncation_note(ctx, limit)
        d.warnings.append(rs.WARN_LENGTH_CAPPED(limit=limit, note=note))
        d.choose("data.max_length", limit, rs.LENGTH_CAPPED(p99=p99, limit=limit, note=note))
        return
    note = truncation_note(ctx, wanted)
    d.choose("data.max_length", wanted, rs.LENGTH(p99=p99, multiple=LENGTH_MULTIPLE, note=note))


def _corpus_max_length(d: Draft, ctx: Context) -> None:
    length = min(CORPUS_BLOCK_LENGTH, ctx.model.max_position_embeddings)
    blocks = math.ceil(ctx.dataset.total_tokens / length)
    d.choose("data.max_length", length, rs.LENGTH_CORPUS(length=length, blocks=blocks))


def choose_packing(d: Draft, ctx: Context) -> None:
    s, length = ctx.dataset, int(d["data.max_length"])
    if ctx.rule.level == "preference":
        d.choose("data.packing", False, rs.PACK_PREFERENCE())
        return
    if not s.is_chat:
        d.choose("data.packing", True, rs.PACK_CORPUS())
        return
    short = s.tokens_p50 <= length * PACKING_SHORT_FRACTION
    if s.examples >= PACKING_MIN_EXAMPLES and short:
        why = rs.PACK_ON(examples=s.examples, median=s.tokens_p50, length=length)
        d.choose("data.packing", True, why)
        return
    why = rs.PACK_FEW() if s.examples < PACKING_MIN_EXAMPLES else rs.PACK_LONG(median=s.tokens_p50)
    d.choose("data.packing", False, why)
