"""Fit the run into memory: micro-batch, gradient checkpointing, QLoRA, then a shorter max_length.

Options are tried from the cheapest in quality and speed to the dearest; a setting the user
pinned is never changed. When nothing fits, the refusal says what would.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

from easytune.i18n import Joined, Msg
from easytune.training.facts import DatasetStats

from . import error_messages as em
from . import reasons as rs
from .choose_model import truncation_note
from .choose_preference import rows_per_item
from .choose_train import effective_batch_target
from .draft import Context, Draft, show
from .errors import PlanDoesNotFit
from .estimate import BUDGET_FRACTION, RunShape, gib, memory_breakdown, memory_budget
from .rules import CF_MAX_ITEMS, LENGTH_MULTIPLE, REFERENCE_SCORED_PER_ITEM, SHORTEST_FIT_LENGTH

MAX_MICRO_BATCH = {"cpu": 4, "cuda": 64}  # on CPU bigger micro-batches are not faster
FIT_PATHS = (
    "train.batch_size",
    "train.gradient_checkpointing",
    "lora.quantization",
    "data.max_length",
)


@dataclass(frozen=True)
class Options:
    """The values the fitter may pick from, best first."""

    micros: tuple[int, ...]
    checkpointing: tuple[bool, ...]
    quantization: tuple[str, ...]
    lengths: tuple[int, ...]


@dataclass(frozen=True)
class Attempt:
    shape: RunShape
    peak: int


def shape_of(d: Draft, ctx: Context, micro: int, ckpt: bool, quant: str, length: int) -> RunShape:
    """The run's shape for the memory model; a micro-batch of pairs holds twice the rows.
    Rows, trained tokens and the CF cache follow the dataset's real token counts."""
    packed = bool(d.values.get("data.packing"))
    return RunShape(
        rank=int(d["lora.r"]),
        targets=tuple(d["lora.target_modules"]),
        micro_batch=micro,
        max_length=length,
        checkpointing=ckpt,
        quantization=quant,
        precision=str(d["train.precision"]),
        rows_per_item=rows_per_item(d),
        row_tokens=row_tokens(ctx.dataset, length, micro, packed),
        labelled_tokens=labelled_per_row(d, ctx, length, micro, packed),
        cf_tokens=cf_items(d, ctx) * REFERENCE_SCORED_PER_ITEM,
    )


def row_tokens(stats: DatasetStats, length: int, micro: int, packed: bool) -> int:
    """Tokens in one trained row: max_length when packed; else a batch pads to its longest row,
    about the 90th percentile for several rows, the mean for one."""
    if packed:
        return length
    mean = stats.total_tokens / max(stats.examples, 1)
    return max(1, int(min(length, mean if micro == 1 else max(mean, stats.tokens_p90))))


def labelled_per_row(d: Draft, ctx: Context, length: int, micro: int, packed: bool) -> float:
    """Tokens per row that carry loss: the answers (and their end-of-turn) for assistant-only
    chat data, every token otherwise; a packed row holds as many examples as fit."""
    row = row_tokens(ctx.dataset, length, micro, packed)
    s = ctx.dataset
    answers_only = s.is_chat and d.values.get("data.assistant_only_loss", True)
    if not answers_only or not s.mean_assistant_tokens:
        return float(row)
    answer = s.mean_assistant_tokens * max(s.mean_turns, 1.0) + 1
    per_row = row / max(s.total_tokens / max(s.examples, 1), 1) if packed else 1.0
    return min(float(row), answer * per_row)


def cf_items(d: Draft, ctx: Context) -> int:
    """Reference items the CF monitor will score (before choose_cf runs: the pin or the rule)."""
    for source in (d.values, d.overrides):
        if "cf.enabled" in source and not source["cf.enabled"]:
            return 0
        if "cf.max_items" in source:
            return int(source["cf.max_items"])
    if "cf.max_items" in d.presets:
        return int(d.presets["cf.max_items"][0])
    return CF_MAX_ITEMS[ctx.hardware.device]


def peak_of(ctx: Context, shape: RunShape) -> int:
    return sum(memory_breakdown(ctx.model, ctx.hardware, shape).values())


def options(d: Draft, ctx: Context, target: int, free: str | None = None) -> Options:
    """Allowed values per fitted setting; `free` lifts one user pin (for suggestions)."""

    def pinned(path: str) -> bool:
        return d.pinned(path) and path != free

    hw, gpus = ctx.hardware, max(1, int(d["train.num_processes"]))
    accum = int(d["train.gradient_accumulation"]) if pinned("train.gradient_accumulation") else 1
    top = max(1, min(target // (gpus * accum), MAX_MICRO_BATCH[hw.device]))
    micros = tuple(2**i for i in range(int(math.log2(top)), -1, -1))
    length = int(d["data.max_length"])
    lengths = [length]
    while lengths[-1] // 2 >= SHORTEST_FIT_LENGTH:
        lengths.append(lengths[-1] // 2 // LENGTH_MULTIPLE * LENGTH_MULTIPLE)
    qlora_ok = hw.device == "cuda" and hw.bitsandbytes
    return Options(
        micros=(int(d["train.batch_size"]),) if pinned("train.batch_size") else micros,
        checkpointing=(bool(d["train.gradient_checkpointing"]),)
        if pinned("train.gradient_checkpointing")
        else (False, True),
        quantization=(str(d["lora.quantization"]),)
        if pinned("lora.quantization")
        else ("none", "4bit")
        if qlora_ok
        else ("none",),
        lengths=(length,) if pinned("data.max_length") else tuple(lengths),
    )


def search(d: Draft, ctx: Context, opts: Options, budget: int) -> Attempt | None:
    """The first fitting shape, trying shorter lengths last, then QLoRA, then checkpointing."""
    combos = sorted(
        itertools.product(range(len(opts.lengths)), opts.quantization, opts.checkpointing),
        key=lambda c: (c[0], c[1] == "4bit", c[2]),
    )
    for length_index, quant, ckpt in combos:
        for micro in opts.micros:
            shape = shape_of(d, ctx, micro, ckpt, quant, opts.lengths[length_index])
            peak = peak_of(ctx, shape)
            if peak <= budget:
                return Attempt(shape, peak)
    return None


def fit(d: Draft, ctx: Context) -> None:
    """Choose batch size, accumulation, checkpointing, quantization and length to fit memory."""
    budget, how, warning = memory_budget(ctx.hardware)
    if warning:
        d.warnings.append(warning)
    d.choose("train.gradient_checkpointing", False, rs.CKPT_DEFAULT())
    d.choose("train.batch_size", 1, rs.FITTER())
    d.choose("train.gradient_accumulation", 1, rs.FITTER())
    target, target_why = effective_batch_target(d, ctx)
    opts = options(d, ctx, target)
    found = search(d, ctx, opts, budget)
    if found is None:
        raise refusal(d, ctx, opts, budget, how, target)
    record(d, ctx, found, opts, (target, target_why), (budget, how))


def record(
    d: Draft,
    ctx: Context,
    found: Attempt,
    opts: Options,
    target: tuple[int, Msg],
    budget: tuple[int, Msg],
) -> None:
    """Write the fitted settings into the draft with reasons naming the memory figures."""
    shape, (limit, how) = found.shape, budget
    base = shape_of(d, ctx, opts.micros[-1], False, "none", opts.lengths[0])
    base_peak = rs.BASE_PEAK(peak=gib(peak_of(ctx, base)), budget=gib(limit), how=how)
    _record_length(d, ctx, shape, opts)
    _record_memory_savers(d, found, base_peak, limit)
    gpus = max(1, int(d["train.num_processes"]))
    d.choose("train.batch_size", shape.micro_batch, _micro_why(d, ctx, shape, opts, limit))
    micro = int(d["train.batch_size"])  # the user's, where pinned: accumulation follows it
    accum = max(1, math.ceil(target[0] / (micro * gpus)))
    d.choose("train.gradient_accumulation", accum, _accumulation_why(d, micro, accum, gpus, target))


def _accumulation_why(d: Draft, micro: int, accum: int, gpus: int, target: tuple[int, Msg]) -> Msg:
    """Why this accumulation, from the batch that stands (an override changes the story)."""
    per_gpu = rs.PER_GPU(gpus=gpus) if gpus > 1 else ""
    why: Msg = target[1]
    if micro * gpus > target[0]:
        pinned = d.pinned("train.batch_size")
        why = (rs.ACCUMULATION_PINNED if pinned else rs.ACCUMULATION_ONE)(
            micro=micro, aim=target[0]
        )
    total = micro * accum * gpus
    return rs.ACCUMULATION(micro=micro, per_gpu=per_gpu, accum=accum, total=total, why=why)


def _record_memory_savers(d: Draft, found: Attempt, base_peak: Msg, limit: int) -> None:
    if found.shape.quantization == "4bit":
        d.revise("lora.quantization", "4bit", rs.QLORA(need=base_peak))
        d.warnings.append(rs.WARN_QLORA())
    ckpt_why = (
        rs.CKPT_ON(need=base_peak)
        if found.shape.checkpointing
        else rs.CKPT_OFF(peak=gib(found.peak), budget=gib(limit))
    )
    d.choose("train.gradient_checkpointing", found.shape.checkpointing, ckpt_why)


def _micro_why(d: Draft, ctx: Context, shape: RunShape, opts: Options, limit: int) -> Msg:
    bigger = shape.micro_batch * 2
    if shape.micro_batch == opts.micros[0]:
        cap = rs.MICRO_CPU() if ctx.hardware.device == "cpu" else rs.MICRO_GPU()
        return rs.MICRO_FITS(seqs=_seqs(shape.micro_batch), cap=cap)
    need = peak_of(ctx, dataclasses.replace(shape, micro_batch=bigger))
    seqs = _seqs(shape.micro_batch)
    return rs.MICRO_LIMIT(seqs=seqs, bigger=bigger, need=gib(need), budget=gib(limit))


def _record_length(d: Draft, ctx: Context, shape: RunShape, opts: Options) -> None:
    if shape.max_length == opts.lengths[0]:
        return
    note = truncation_note(ctx, shape.max_length)
    before = opts.lengths[0]
    d.revise("data.max_length", shape.max_length, rs.SHORTENED(before=before, note=note))
    d.warnings.append(rs.WARN_SHORTENED(before=before, after=shape.max_length, note=note))


def refusal(
    d: Draft, ctx: Context, opts: Options, budget: int, how: Msg, target: int
) -> PlanDoesNotFit:
    """The error for a plan that cannot fit, with the estimate and what would fit instead."""
    least = shape_of(
        d, ctx, opts.micros[-1], opts.checkpointing[-1], opts.quantization[-1], opts.lengths[-1]
    )
    peak = peak_of(ctx, least)
    ideas = suggestions(d, ctx, target, budget)
    message = em.DOES_NOT_FIT(
        peak=gib(peak), budget=gib(budget), how=how, micro=least.micro_batch,
        checkpointing=show(least.checkpointing), quantization=least.quantization,
        length=least.max_length, ideas=Joined(tuple(ideas)),
    )  # fmt: skip
    return PlanDoesNotFit(message, peak, budget, ideas)


def suggestions(d: Draft, ctx: Context, target: int, budget: int) -> list[Msg]:
    """Ways out: lift one of the user's pins, or more memory / a GPU with QLoRA."""
    ideas = []
    for path in (p for p in FIT_PATHS if d.pinned(p)):
        found = search(d, ctx, options(d, ctx, target, free=path), budget)
        if found:
            ideas.append(_unpin_idea(path, show(d[path]), found))
    return [*ideas, _hardware_idea(d, ctx), em.IDEA_SMALLER()]


def _unpin_idea(path: str, value: str, found: Attempt) -> Msg:
    s = found.shape
    return em.IDEA_UNPIN(
        path=path, value=value, micro=s.micro_batch, checkpointing=show(s.checkpointing),
        quantization=s.quantization, length=s.max_length, peak=gib(found.peak),
    )  # fmt: skip


def _hardware_idea(d: Draft, ctx: Context) -> Msg:
    """The GPU (or the bitsandbytes install) that would take this run with QLoRA at batch 1."""
    gpu = dataclasses.replace(ctx.hardware, device="cuda")
    lean = RunShape(
        int(d["lora.r"]),
        tuple(d["lora.target_modules"]),
        1,
        int(d["data.max_length"]),
        checkpointing=True,
        quantization="4bit",
        precision="bf16",
    )
    need = sum(memory_breakdown(ctx.model, gpu, lean).values())
    card = gib(need / BUDGET_FRACTION["cuda"])
    if ctx.hardware.device == "cpu":
        return em.IDEA_CUDA(card=card, need=gib(need))
    if not ctx.hardware.bitsandbytes:
        return em.IDEA_BNB(need=gib(need))
    return em.IDEA_BIGGER_GPU(card=card)


def _seqs(n: int) -> Msg:
    return rs.SEQ_ONE(n=n) if n == 1 else rs.SEQ_MANY(n=n)
