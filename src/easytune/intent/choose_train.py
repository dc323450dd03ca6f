"""Choosers for the training loop (train.*) and the forgetting monitor (cf.*)."""

from __future__ import annotations

import math
from collections.abc import Callable

from easytune.training.facts import HardwareFacts

from .choose_model import count
from .draft import Context, Draft
from .rules import (
    CF_MAX_ITEMS,
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
PRECISIONS: tuple[tuple[Callable[[HardwareFacts], bool], str, str], ...] = (
    (
        lambda h: h.device == "cuda" and h.bf16_supported,
        "bf16",
        "this GPU supports bf16: half the memory of fp32 without fp16's overflow risk",
    ),
    (
        lambda h: h.device == "cuda",
        "fp16",
        "this GPU lacks bf16, so fp16 mixed precision with loss scaling",
    ),
    (lambda h: True, "fp32", "CPU training runs in fp32; half precision is slow or unsupported"),
)


def choose_device(d: Draft, ctx: Context) -> None:
    hw = ctx.hardware
    why = (
        f"{hw.gpu_count or 1} x {hw.gpu_name or 'CUDA GPU'}"
        if hw.device == "cuda"
        else (f"no GPU on this worker: {hw.cpu_count} CPU cores")
    )
    d.choose("train.device", hw.device, why)
    for applies, precision, reason in PRECISIONS:
        if applies(ctx.hardware):
            d.choose("train.precision", precision, reason)
            return


def choose_learning_rate(d: Draft, ctx: Context) -> None:
    r = int(d["lora.r"])
    size_factor, size_why = lookup(LR_BY_MODEL_SIZE, ctx.model.param_count)
    parts = [f"{LR_BASE:g} LoRA baseline", f"x{size_factor:g} ({size_why})"]
    factor = size_factor
    if d["lora.use_rslora"]:
        factor *= 0.5
        parts.append("x0.5 (rsLoRA's alpha/sqrt(r) scaling makes each update larger)")
    elif r > 16:
        rank_factor = math.sqrt(16 / r)
        factor *= rank_factor
        parts.append(f"x{rank_factor:.2f} (rank {r}: higher ranks need a lower rate)")
    lr = float(f"{LR_BASE * factor:.2g}")
    d.choose("train.learning_rate", lr, " ".join(parts) + f" = {lr:g}")


def sequences_per_epoch(d: Draft, ctx: Context) -> int:
    """Training rows per epoch: packed rows of max_length, or one row per example."""
    if d["data.packing"]:
        return max(1, math.ceil(ctx.train_tokens(d) / int(d["data.max_length"])))
    return ctx.train_examples(d)


def effective_batch_target(d: Draft, ctx: Context) -> tuple[int, str]:
    """Sequences per optimizer step the fitter aims for, and why."""
    rows = sequences_per_epoch(d, ctx)
    if rows >= EFFECTIVE_BATCH * STEPS_PER_EPOCH_FLOOR:
        return (
            EFFECTIVE_BATCH,
            f"an effective batch of {EFFECTIVE_BATCH} sequences gives stable gradients",
        )
    target = max(MIN_EFFECTIVE_BATCH, 2 ** int(math.log2(max(rows // STEPS_PER_EPOCH_FLOOR, 1))))
    return target, (
        f"an effective batch of {target} sequences (smaller than the usual "
        f"{EFFECTIVE_BATCH}) so the {rows} rows per epoch still give enough steps"
    )


def steps_per_epoch(d: Draft, ctx: Context) -> int:
    effective = int(d["train.batch_size"]) * int(d["train.gradient_accumulation"])
    effective *= max(ctx.hardware.gpu_count, 1)
    return max(1, math.ceil(sequences_per_epoch(d, ctx) / effective))


def choose_epochs(d: Draft, ctx: Context) -> None:
    tokens, per_epoch = ctx.train_tokens(d), steps_per_epoch(d, ctx)
    epochs, why = lookup(EPOCHS_BY_TOKENS, tokens)
    reason = f"{count(tokens)} training tokens: {why}"
    if epochs * per_epoch < MIN_STEPS:
        epochs = min(MAX_EPOCHS, float(math.ceil(MIN_STEPS / per_epoch)))
        reason = (
            f"{count(tokens)} training tokens give only {per_epoch} steps per epoch; "
            f"{epochs:g} epochs reach about {MIN_STEPS} steps, the least that moves an "
            "adapter"
        )
    d.choose("train.epochs", epochs, reason)
    d.choose("train.max_steps", None, "the epochs decide the run's length")


def total_steps(d: Draft, ctx: Context) -> int:
    if d["train.max_steps"] is not None:
        return int(d["train.max_steps"])
    return max(1, math.ceil(float(d["train.epochs"]) * steps_per_epoch(d, ctx)))


def choose_cadence(d: Draft, ctx: Context, seconds_per_step: float) -> None:
    steps = total_steps(d, ctx)
    every = max(1, math.ceil(steps / EVALS_PER_RUN))
    d.choose(
        "train.eval_every_steps",
        every,
        f"about {EVALS_PER_RUN} evaluations (with the forgetting check) over {steps} steps",
    )
    save = max(1, math.ceil(steps / SAVES_PER_RUN))
    in_time = max(1, int(SAVE_EVERY_MINUTES * 60 / max(seconds_per_step, 1e-9)))
    why = f"about {SAVES_PER_RUN} checkpoints over {steps} steps"
    if in_time < save:
        save, why = (
            in_time,
            f"a checkpoint at least every {SAVE_EVERY_MINUTES:g} minutes "
            f"(about {seconds_per_step:.1f} s per step)",
        )
    d.choose("train.save_every_steps", save, why)
    d.choose(
        "train.save_every_minutes",
        SAVE_EVERY_MINUTES,
        "also saves on the clock, so a crash never loses more than this",
    )
    ratio, ratio_why = lookup(WARMUP_BY_STEPS, steps)
    d.choose("train.warmup_ratio", ratio, f"{steps} steps: {ratio_why}")


def choose_fixed(d: Draft, ctx: Context) -> None:
    d.choose(
        "train.weight_decay",
        0.0,
        "LoRA adapters are small and dropout already regularises them; weight decay adds little",
    )
    d.choose("train.max_grad_norm", 1.0, "clips rare gradient spikes that could derail training")
    d.choose(
        "train.lr_scheduler",
        "cosine",
        "decays smoothly to zero after warm-up, the usual choice for fine-tuning",
    )
    d.choose(
        "train.keep_checkpoints",
        2,
        "the newest two: enough to resume after a crash without filling the disk",
    )
    d.choose(
        "train.early_stopping_patience",
        None,
        "off: about 5 evaluations per run are too few to stop on safely",
    )
    d.choose("train.seed", 42, "fixed so a rerun gives the same adapter")


def choose_cf(d: Draft, ctx: Context) -> None:
    rule, device = ctx.rule, ctx.hardware.device
    d.choose(
        "cf.enabled",
        True,
        "measures forgetting (perplexity and KL against the base "
        "model) at the start and at every evaluation",
    )
    d.choose(
        "cf.retain_path",
        None,
        "the shipped general reference set (60 English and 40 Chinese prompts and texts)",
    )
    d.choose(
        "cf.max_items",
        CF_MAX_ITEMS[device],
        f"enough items for a stable score while keeping each check quick on {device}",
    )
    d.choose("cf.warn_threshold", rule.cf_warn_threshold, f"{rule.level}: {rule.cf_why}")
    d.choose(
        "cf.stop_threshold",
        None,
        "never stops the job on its own; set cf.stop_threshold to stop when forgetting passes it",
    )
