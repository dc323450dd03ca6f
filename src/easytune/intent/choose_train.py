"""Choosers for the training loop (train.*) and the forgetting monitor (cf.*)."""

from __future__ import annotations

import math
from collections.abc import Callable

from easytune.i18n import Msg, Template
from easytune.training.facts import HardwareFacts

from . import reasons as rs
from .choose_model import count
from .choose_preference import PREFERENCE_LR_FACTOR, PREFERENCE_MAX_EPOCHS
from .choose_retain import replay_examples, replay_tokens
from .draft import Context, Draft
from .rules import (
    CF_MAX_ITEMS,
    CORPUS_LR_FACTOR,
    CORPUS_MAX_EPOCHS,
    EFFECTIVE_BATCH,
    EPOCHS_BY_TOKENS,
    EVALS_PER_RUN,
    LR_BASE,
    LR_BY_MODEL_SIZE,
    MAX_EPOCHS,
    MIN_EFFECTIVE_BATCH,
    MIN_STEPS,
    SAVE_EVERY_MINUTES,
    SAVES_PER_RUN,
    STEPS_PER_EPOCH_FLOOR,
    WARMUP_BY_STEPS,
    lookup,
)

# (applies to the hardware, precision, why): the first matching row wins.
PRECISIONS: tuple[tuple[Callable[[HardwareFacts], bool], str, Template], ...] = (
    (lambda h: h.device == "cuda" and h.bf16_supported, "bf16", rs.PRECISION_BF16),
    (lambda h: h.device == "cuda", "fp16", rs.PRECISION_FP16),
    (lambda h: True, "fp32", rs.PRECISION_FP32),
)


def choose_device(d: Draft, ctx: Context) -> None:
    hw = ctx.hardware
    why = (
        rs.DEVICE_GPU(count=hw.gpu_count or 1, gpu=hw.gpu_name or "CUDA GPU")
        if hw.device == "cuda"
        else rs.DEVICE_CPU(cores=hw.cpu_count)
    )
    d.choose("train.device", hw.device, why)
    for applies, precision, reason in PRECISIONS:
        if applies(ctx.hardware):
            d.choose("train.precision", precision, reason())
            return


def choose_processes(d: Draft, ctx: Context) -> None:
    """Data-parallel processes: one per GPU of the worker (torchrun + DDP), else one."""
    hw = ctx.hardware
    if hw.device == "cuda" and hw.gpu_count > 1:
        d.choose("train.num_processes", hw.gpu_count, rs.PROCESSES_MANY(gpus=hw.gpu_count))
        return
    why = rs.PROCESSES_GPU() if hw.device == "cuda" else rs.PROCESSES_CPU()
    d.choose("train.num_processes", 1, why)


def processes(d: Draft) -> int:
    """How many processes share each optimizer step (the global batch is this many micros)."""
    return max(1, int(d["train.num_processes"]))


def choose_learning_rate(d: Draft, ctx: Context) -> None:
    r = int(d["lora.r"])
    size_factor, size_why = lookup(LR_BY_MODEL_SIZE, ctx.model.param_count)
    factor = size_factor
    parts: dict[str, Msg | str] = {"rslora": "", "rank": "", "corpus": "", "preference": ""}
    if d["lora.use_rslora"]:
        factor *= 0.5
        parts["rslora"] = rs.LR_RSLORA()
    elif r > 16:
        rank_factor = math.sqrt(16 / r)
        factor *= rank_factor
        parts["rank"] = rs.LR_RANK(factor=f"{rank_factor:.2f}", r=r)
    if not ctx.dataset.is_chat:
        factor *= CORPUS_LR_FACTOR
        parts["corpus"] = rs.LR_CORPUS(factor=f"{CORPUS_LR_FACTOR:g}")
    if ctx.rule.level == "preference":
        factor *= PREFERENCE_LR_FACTOR
        parts["preference"] = rs.LR_PREFERENCE(factor=f"{PREFERENCE_LR_FACTOR:g}")
    lr = float(f"{LR_BASE * factor:.2g}")
    why = rs.LR(base=f"{LR_BASE:g}", factor=f"{size_factor:g}", why=size_why, lr=f"{lr:g}", **parts)
    d.choose("train.learning_rate", lr, why)


def sequences_per_epoch(d: Draft, ctx: Context) -> int:
    """Training rows per epoch (user data plus replayed answers): packed rows (or corpus
    blocks) of max_length, or one per example."""
    if d["data.packing"] or not ctx.dataset.is_chat:
        tokens = ctx.train_tokens(d) + replay_tokens(d, ctx)
        return max(1, math.ceil(tokens / int(d["data.max_length"])))
    return ctx.train_examples(d) + replay_examples(d, ctx)


def effective_batch_target(d: Draft, ctx: Context) -> tuple[int, Msg]:
    """Sequences per optimizer step the fitter aims for, and why."""
    rows = sequences_per_epoch(d, ctx)
    if rows >= EFFECTIVE_BATCH * STEPS_PER_EPOCH_FLOOR:
        return EFFECTIVE_BATCH, rs.BATCH_STABLE(n=EFFECTIVE_BATCH)
    target = max(MIN_EFFECTIVE_BATCH, 2 ** int(math.log2(max(rows // STEPS_PER_EPOCH_FLOOR, 1))))
    return target, rs.BATCH_SMALL(n=target, usual=EFFECTIVE_BATCH, rows=rows)


def micro_batches_per_epoch(d: Draft, ctx: Context) -> int:
    """Batches per epoch per device, counted as the engine's data loader counts them."""
    per_pass = int(d["train.batch_size"]) * max(ctx.hardware.gpu_count, 1)
    return max(1, math.ceil(sequences_per_epoch(d, ctx) / per_pass))


def steps_per_epoch(d: Draft, ctx: Context) -> int:
    accumulation = int(d["train.gradient_accumulation"]) * processes(d)
    return max(1, math.ceil(micro_batches_per_epoch(d, ctx) / accumulation))


def choose_epochs(d: Draft, ctx: Context) -> None:
    tokens, per_epoch = ctx.train_tokens(d), steps_per_epoch(d, ctx)
    epochs, why = lookup(EPOCHS_BY_TOKENS, tokens)
    reason = rs.EPOCHS(tokens=count(tokens), why=why)
    replayed = replay_examples(d, ctx)
    with_replay = rs.EPOCHS_REPLAY(n=replayed) if replayed else ""
    if epochs * per_epoch < MIN_STEPS:
        epochs = min(MAX_EPOCHS, float(math.ceil(MIN_STEPS / per_epoch)))
        reason = rs.EPOCHS_MIN_STEPS(
            tokens=count(tokens),
            per_epoch=per_epoch,
            replay=with_replay,
            epochs=f"{epochs:g}",
            min_steps=MIN_STEPS,
        )
    if not ctx.dataset.is_chat and epochs > CORPUS_MAX_EPOCHS:
        epochs = CORPUS_MAX_EPOCHS
        reason = rs.EPOCHS_CORPUS(
            tokens=count(tokens), per_epoch=per_epoch, most=f"{CORPUS_MAX_EPOCHS:g}"
        )
    if ctx.rule.level == "preference" and epochs > PREFERENCE_MAX_EPOCHS:
        epochs = PREFERENCE_MAX_EPOCHS
        reason = rs.EPOCHS_PREFERENCE(
            tokens=count(tokens), per_epoch=per_epoch, most=f"{PREFERENCE_MAX_EPOCHS:g}"
        )
    d.choose("train.epochs", epochs, reason)
    d.choose("train.max_steps", None, rs.MAX_STEPS())


def total_steps(d: Draft, ctx: Context) -> int:
    """The optimizer steps the engine will run (training.recipe.total_steps, same rounding)."""
    if d["train.max_steps"] is not None:
        return int(d["train.max_steps"])
    micro = float(d["train.epochs"]) * micro_batches_per_epoch(d, ctx)
    return max(1, math.ceil(micro / int(d["train.gradient_accumulation"])))


def choose_cadence(d: Draft, ctx: Context, seconds_per_step: float) -> None:
    steps = total_steps(d, ctx)
    every = max(1, math.ceil(steps / EVALS_PER_RUN))
    d.choose("train.eval_every_steps", every, rs.EVAL_EVERY(evals=EVALS_PER_RUN, steps=steps))
    save = max(1, math.ceil(steps / SAVES_PER_RUN))
    in_time = max(1, int(SAVE_EVERY_MINUTES * 60 / max(seconds_per_step, 1e-9)))
    why = rs.SAVE_EVERY(saves=SAVES_PER_RUN, steps=steps)
    if in_time < save:
        save = in_time
        why = rs.SAVE_CLOCK(minutes=f"{SAVE_EVERY_MINUTES:g}", seconds=f"{seconds_per_step:.1f}")
    d.choose("train.save_every_steps", save, why)
    d.choose("train.save_every_minutes", SAVE_EVERY_MINUTES, rs.SAVE_MINUTES())
    ratio, ratio_why = lookup(WARMUP_BY_STEPS, steps)
    d.choose("train.warmup_ratio", ratio, rs.WARMUP(steps=steps, why=ratio_why))


def choose_fixed(d: Draft, ctx: Context) -> None:
    d.choose("train.weight_decay", 0.0, rs.WEIGHT_DECAY())
    d.choose("train.max_grad_norm", 1.0, rs.GRAD_NORM())
    d.choose("train.lr_scheduler", "cosine", rs.SCHEDULER())
    d.choose("train.keep_checkpoints", 2, rs.KEEP_CHECKPOINTS())
    d.choose("train.early_stopping_patience", None, rs.EARLY_STOP())
    d.choose("train.seed", 42, rs.SEED())


def choose_cf(d: Draft, ctx: Context) -> None:
    rule, device = ctx.rule, ctx.hardware.device
    d.choose("cf.enabled", True, rs.CF_ENABLED())
    d.choose("cf.retain_path", None, rs.CF_RETAIN())
    d.choose("cf.max_items", CF_MAX_ITEMS[device], rs.CF_ITEMS(device=device))
    corpus = rs.CF_CORPUS() if not ctx.dataset.is_chat else ""
    why = rs.CF_WARN(level=rule.level, why=rule.cf_why, corpus=corpus)
    d.choose("cf.warn_threshold", rule.cf_warn_threshold, why)
    d.choose("cf.stop_threshold", None, rs.CF_STOP())
