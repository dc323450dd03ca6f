"""Chooser for retention (retain.*): self-replay, the KL anchor and best-checkpoint selection."""

from __future__ import annotations

import math

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
    why = (
        "learn without forgetting: keep the best checkpoint that did not forget (pairs are "
        "anchored to the base by the method's own reference term, not by replay)"
        if ctx.rule.level == "preference"
        else "learn without forgetting: replay the base model's own answers, anchor it, and "
        "keep the best checkpoint that did not forget"
    )
    d.choose("retain.enabled", True, why)
    _choose_replay(d, ctx)
    _choose_kl(d, ctx)
    _choose_selection(d, ctx)


def _choose_replay(d: Draft, ctx: Context) -> None:
    examples = ctx.train_examples(d)
    ratio, size_why = lookup(REPLAY_BY_EXAMPLES, examples)
    factor, _, level_why = RETAIN_BY_LEVEL[ctx.rule.level]
    ratio = round(ratio * factor, 3)
    d.choose(
        "retain.replay_ratio",
        ratio,
        f"{examples} training examples: {size_why}; x{factor:g} at {ctx.rule.level} "
        f"({level_why}) = {ratio:g}",
    )
    d.choose(
        "retain.prompt_set",
        REPLAY_PROMPT_SET,
        f"the shipped bilingual replay set {REPLAY_PROMPT_SET} ({REPLAY_PROMPTS} general, "
        "how-to and harmful prompts, so refusals are replayed too)",
    )
    device, length = ctx.hardware.device, int(d["data.max_length"])
    cap = REPLAY_NEW_TOKENS[device]
    room = max(LENGTH_MULTIPLE // 2, length - LENGTH_MULTIPLE)
    d.choose(
        "retain.max_new_tokens",
        min(cap, room),
        f"answers up to {cap} tokens on {device} keep the one-off generation quick"
        + (f", and fit data.max_length ({length}) with the question" if room < cap else "")
        + "; unfinished answers are not replayed",
    )
    d.choose(
        "retain.cache_dir",
        None,
        "the platform's shared replay cache: generated once per base model, reused by every job",
    )


def _choose_kl(d: Draft, ctx: Context) -> None:
    _, base, level_why = RETAIN_BY_LEVEL[ctx.rule.level]
    size_factor, size_why = lookup(KL_BY_MODEL_SIZE, ctx.model.param_count)
    if base == 0 or float(d["retain.replay_ratio"]) == 0:
        d.choose("retain.kl_weight", 0.0, f"off at {ctx.rule.level}: {level_why}")
        return
    weight = round(base * size_factor, 3)
    d.choose(
        "retain.kl_weight",
        weight,
        f"{base:g} at {ctx.rule.level} ({level_why}) x{size_factor:g} ({size_why}); costs one "
        "forward pass of the base per replayed batch",
    )


def _choose_selection(d: Draft, ctx: Context) -> None:
    d.choose(
        "retain.best_checkpoint",
        True,
        "the adapter kept is the best evaluation whose forgetting score is under "
        "cf.warn_threshold, not simply the last step",
    )
    device = ctx.hardware.device
    if not ctx.dataset.is_chat:
        d.choose("retain.score_examples", 0, "plain text has no reference answers to score")
        return
    d.choose(
        "retain.score_examples",
        SCORE_EXAMPLES[device],
        f"{SCORE_EXAMPLES[device]} held-out questions answered at each evaluation measure "
        f"what was learned, few enough to stay quick on {device}",
    )


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
