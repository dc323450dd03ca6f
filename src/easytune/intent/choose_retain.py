"""Chooser for retention (retain.*): self-replay, the KL anchor and best-checkpoint selection."""

from __future__ import annotations

import math

from . import reasons as rs
from .draft import Context, Draft
from .rules import (
    KL_BY_MODEL_SIZE,
    LENGTH_MULTIPLE,
    REPLAY_ANSWER_FILL,
    REPLAY_BY_EXAMPLES,
    REPLAY_MAX_PASSES,
    REPLAY_NEW_TOKENS,
    REPLAY_PROMPT_SET,
    REPLAY_PROMPT_TOKENS,
    REPLAY_PROMPTS,
    RETAIN_BY_LEVEL,
    SCORE_EXAMPLES,
    lookup,
)


def choose_retain(d: Draft, ctx: Context) -> None:
    why = rs.RETAIN_PREFERENCE() if ctx.rule.level == "preference" else rs.RETAIN()
    d.choose("retain.enabled", True, why)
    _choose_replay(d, ctx)
    _choose_kl(d, ctx)
    _choose_selection(d, ctx)


def _choose_replay(d: Draft, ctx: Context) -> None:
    examples = ctx.train_examples(d)
    ratio, size_why = lookup(REPLAY_BY_EXAMPLES, examples)
    factor, _, level_why = RETAIN_BY_LEVEL[ctx.rule.level]
    ratio = round(ratio * factor, 3)
    why = rs.REPLAY_RATIO(
        examples=examples,
        size_why=size_why,
        factor=f"{factor:g}",
        level=ctx.rule.level,
        level_why=level_why,
        ratio=f"{ratio:g}",
    )
    d.choose("retain.replay_ratio", ratio, why)
    why = rs.PROMPT_SET(name=REPLAY_PROMPT_SET, prompts=REPLAY_PROMPTS)
    d.choose("retain.prompt_set", REPLAY_PROMPT_SET, why)
    device, length = ctx.hardware.device, int(d["data.max_length"])
    cap = REPLAY_NEW_TOKENS[device]
    room = max(LENGTH_MULTIPLE // 2, length - LENGTH_MULTIPLE)
    fits = rs.REPLAY_FIT(length=length) if room < cap else ""
    why = rs.REPLAY_TOKENS(cap=cap, device=device, fit=fits)
    d.choose("retain.max_new_tokens", min(cap, room), why)
    d.choose("retain.cache_dir", None, rs.CACHE_DIR())


def _choose_kl(d: Draft, ctx: Context) -> None:
    _, base, level_why = RETAIN_BY_LEVEL[ctx.rule.level]
    size_factor, size_why = lookup(KL_BY_MODEL_SIZE, ctx.model.param_count)
    if base == 0 or float(d["retain.replay_ratio"]) == 0:
        d.choose("retain.kl_weight", 0.0, rs.KL_OFF(level=ctx.rule.level, why=level_why))
        return
    weight = round(base * size_factor, 3)
    why = rs.KL(
        base=f"{base:g}",
        level=ctx.rule.level,
        level_why=level_why,
        factor=f"{size_factor:g}",
        size_why=size_why,
    )
    d.choose("retain.kl_weight", weight, why)


def _choose_selection(d: Draft, ctx: Context) -> None:
    d.choose("retain.best_checkpoint", True, rs.BEST_CHECKPOINT())
    device = ctx.hardware.device
    if not ctx.dataset.is_chat:
        d.choose("retain.score_examples", 0, rs.SCORE_NONE())
        return
    n = SCORE_EXAMPLES[device]
    d.choose("retain.score_examples", n, rs.SCORE(n=n, device=device))


def replay_examples(d: Draft, ctx: Context) -> int:
    """Replayed answers added to each epoch (0 when retention or replay is off)."""
    if not d.values.get("retain.enabled") or "retain.replay_ratio" not in d.values:
        return 0
    wanted = math.ceil(float(d["retain.replay_ratio"]) * ctx.train_examples(d))
    return min(wanted, REPLAY_MAX_PASSES * REPLAY_PROMPTS)


def replay_tokens(d: Draft, ctx: Context) -> int:
    """Tokens of the replayed answers per epoch."""
    per = REPLAY_PROMPT_TOKENS + REPLAY_ANSWER_FILL * int(d["retain.max_new_tokens"])
    return int(replay_examples(d, ctx) * per)
