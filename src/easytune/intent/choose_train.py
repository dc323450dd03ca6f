"""Choosers for the training loop (train.*) and the forgetting monitor (cf.*)."""

from __future__ import annotations

import math
from collections.abc import Callable

from easytune.training.facts import HardwareFacts

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


def choose_processes(d: Draft, ctx: Context) -> None:
    """Data-parallel processes: one per GPU of the worker (torchrun + DDP), else one."""
    hw = ctx.hardware
    if hw.device == "cuda" and hw.gpu_count > 1:
        why = (
            f"{hw.gpu_count} GPUs on this worker: one training process each (torchrun + DDP), "
            "so each step sees that many micro-batches at once"
        )
        d.choose("train.num_processes", hw.gpu_count, why)
        return
    why = (
        "one GPU: a single training process"
        if hw.device == "cuda"
        else "CPU: one process already uses every core; more would only split them"
    )
    d.choose("train.num_processes", 1, why)


def processes(d: Draft) -> int:
    """How many processes share each optimizer step (the global batch is this many micros)."""
    return max(1, int(d["train.num_processes"]))


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
    if not ctx.dataset.is_chat:
        factor *= CORPUS_LR_FACTOR
        parts.append(
            f"x{CORPUS_LR_FACTOR:g} (a text corpus trains every token, so gentler steps keep "
            "general ability)"
        )
    if ctx.rule.level == "preference":
        factor *= PREFERENCE_LR_FACTOR
        parts.append(
            f"x{PREFERENCE_LR_FACTOR:g} (preference training on LoRA runs at about a tenth of the "
            "SFT rate: the margin grows fast and large steps over-optimise it)"
        )
    lr = float(f"{LR_BASE * factor:.2g}")
    d.choose("train.learning_rate", lr, " ".join(parts) + f" = {lr:g}")


def sequences_per_epoch(d: Draft, ctx: Context) -> int:
    """Training rows per epoch (user data plus replayed answers): packed rows (or corpus
    blocks) of max_length, or one per example."""
    if d["data.packing"] or not ctx.dataset.is_chat:
        tokens = ctx.train_tokens(d) + replay_tokens(d, ctx)
        return max(1, math.ceil(tokens / int(d["data.max_length"])))
    return ctx.train_examples(d) + replay_examples(d, ctx)


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
    reason = f"{count(tokens)} training tokens: {why}"
    replayed = replay_examples(d, ctx)
    with_replay = f" (with {replayed} replayed answers)" if replayed else ""
    if epochs * per_epoch < MIN_STEPS:
        epochs = min(MAX_EPOCHS, float(math.ceil(MIN_STEPS / per_epoch)))
        reason = (
            f"{count(tokens)} training tokens give only {per_epoch} steps per epoch{with_replay}; "
            f"{epochs:g} epochs reach about {MIN_STEPS} steps, the least that moves an "
            "adapter"
        )
    if not ctx.dataset.is_chat and epochs > CORPUS_MAX_EPOCHS:
        epochs = CORPUS_MAX_EPOCHS
        reason = (
            f"{count(tokens)} training tokens in {per_epoch} steps per epoch; a text corpus "
            f"gets at most {CORPUS_MAX_EPOCHS:g} passes: more would memorise it verbatim and "
            "raise forgetting rather than add knowledge"
        )
    if ctx.rule.level == "preference" and epochs > PREFERENCE_MAX_EPOCHS:
        epochs = PREFERENCE_MAX_EPOCHS
        reason = (
            f"{count(tokens)} training tokens in {per_epoch} steps per epoch; preference pairs "
            f"get at most {PREFERENCE_MAX_EPOCHS:g} passes: more over-optimise the reward margin "
            "on the same pairs"
        )
    d.choose("train.epochs", epochs, reason)
    d.choose("train.max_steps", None, "the epochs decide the run's length")


def total_steps(d: Draft, ctx: Context) -> int:
    """The optimizer steps the engine will run (training.recipe.total_steps, same rounding)."""
    if d["train.max_steps"] is not None:
        return int(d["train.max_steps"])
    micro = float(d["train.epochs"]) * micro_batches_per_epoch(d, ctx)
    return max(1, math.ceil(micro / int(d["train.gradient_accumulation"])))


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
    corpus = (
        "; a text corpus trains every token, so forgetting is checked at every evaluation"
        if not ctx.dataset.is_chat
        else ""
    )
    d.choose("cf.warn_threshold", rule.cf_warn_threshold, f"{rule.level}: {rule.cf_why}{corpus}")
    d.choose(
        "cf.stop_threshold",
        None,
        "never stops the job on its own; set cf.stop_threshold to stop when forgetting passes it",
    )
