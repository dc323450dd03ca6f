"""resolve_plan: intent + dataset stats + model facts + hardware -> TrainSpec, reasons, estimate."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from easytune.i18n import Msg
from easytune.training.facts import DatasetStats, HardwareFacts, ModelFacts
from easytune.training.spec import Level, ModelRef, TrainSpec

from . import choose_model as cm
from . import choose_preference as cp
from . import choose_retain as cr
from . import choose_train as ct
from . import error_messages as em
from .choose_eval import choose_evaluation, report_seconds
from .corpus import mix_into
from .draft import Context, Draft
from .errors import PlanError
from .estimate import (
    RunShape,
    forward_seconds,
    generation_seconds,
    gib,
    memory_breakdown,
    memory_budget,
    tokens_per_second,
)
from .fit import fit, row_tokens, shape_of
from .infer import infer_level
from .overrides import override_warnings, validate_overrides
from .reasons import BUDGET_NOTE, LEVEL_CHOSEN, LEVEL_TITLE
from .rules import EVALS_PER_RUN, LEVELS, REFERENCE_PADDED_PER_ITEM, REPLAY_PROMPTS

STARTUP_SECONDS = 15.0
LOAD_BYTES_PER_SECOND = 500e6  # reading and converting the base weights


class IntentRequest(BaseModel):
    """What the user wants: a level (or auto) and, for auto, a description of the goal."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["L1", "L2", "L3", "preference", "auto"]
    description: str = Field(default="", max_length=4000)


@dataclass(frozen=True)
class Estimate:
    """Memory (bytes, per device) and time for the planned run."""

    peak_memory_bytes: int
    memory_budget_bytes: int
    total_steps: int
    tokens_per_step: int
    seconds: int
    breakdown: dict[str, int]
    tokens_per_second: float = 0.0
    budget_note: str = ""
    budget_detail: dict[str, Any] = field(default_factory=dict)  # budget_note as {code, params}
    replay_seconds: int = 0  # generating the replay set; skipped when it is already cached


@dataclass(frozen=True)
class Plan:
    """A resolved plan: the spec to run, a reason per setting, the estimate and warnings."""

    spec: TrainSpec
    level: Level
    level_message: Msg
    reason_messages: dict[str, Msg]
    estimate: Estimate
    warning_messages: list[Msg] = field(default_factory=list)

    @property
    def level_reason(self) -> str:
        return str(self.level_message)

    @property
    def reasons(self) -> dict[str, str]:
        """Each setting's reason in English (reason_messages has them coded)."""
        return {path: str(why) for path, why in self.reason_messages.items()}

    @property
    def warnings(self) -> list[str]:
        return [str(w) for w in self.warning_messages]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the API and the CLI: English texts, and each as {code, params}."""
        return {
            "level": self.level,
            "level_reason": self.level_reason,
            "level_reason_detail": self.level_message.to_dict(),
            "spec": self.spec.model_dump(mode="json"),
            "reasons": self.reasons,
            "reason_details": {p: why.to_dict() for p, why in self.reason_messages.items()},
            "estimate": asdict(self.estimate),
            "warnings": self.warnings,
            "warning_details": [w.to_dict() for w in self.warning_messages],
        }


Step = Callable[[Draft, Context], None]

# The order matters: each step may read what the steps before it chose.
PIPELINE: tuple[Step, ...] = (
    cm.choose_data_basics,
    cp.choose_method,
    cm.choose_rank,
    cm.choose_alpha,
    cm.choose_dropout,
    cm.choose_targets,
    cm.choose_lora_flags,
    cm.choose_max_length,
    cm.choose_packing,
    ct.choose_device,
    cr.choose_retain,
    ct.choose_processes,
    ct.choose_learning_rate,
    fit,
    ct.choose_epochs,
    ct.choose_fixed,
    ct.choose_cf,
    choose_evaluation,
)


def resolve_plan(
    intent: IntentRequest,
    dataset: DatasetStats,
    model: ModelFacts,
    hardware: HardwareFacts,
    *,
    model_ref: ModelRef,
    train_path: str,
    eval_path: str | None,
    output_dir: str,
    overrides: Mapping[str, Any] | None = None,
    mix_path: str | None = None,
    presets: Mapping[str, tuple[Any, Msg]] | None = None,
) -> Plan:
    """Choose and explain every training setting; raise PlanError when no sound plan exists.

    `presets` are settings a known dataset brings with their reasons (the shipped demo's, from
    easytune.demo.plan): they win over the rules, and the user's overrides win over them."""
    _check_inputs(dataset, model, hardware)
    level, level_reason = _level(intent, dataset)
    ctx = Context(LEVELS[level], dataset, model, hardware, has_eval_file=eval_path is not None)
    typed = validate_overrides(overrides, model, hardware, ctx.rule)
    draft = Draft(overrides=typed, presets=dict(presets or {}))
    draft.warnings.extend(override_warnings(typed, ctx.rule, ctx.has_eval_file))
    for step in PIPELINE:
        step(draft, ctx)
    estimate = _estimate(draft, ctx)
    ct.choose_cadence(draft, ctx, _seconds_per_step(draft, ctx, estimate))
    spec = _build_spec(draft, level, model_ref, train_path, eval_path, output_dir)
    mix_into(spec, draft, mix_path)
    return Plan(spec, level, level_reason, dict(draft.reasons), estimate, draft.warnings)


def _level(intent: IntentRequest, dataset: DatasetStats) -> tuple[Level, Msg]:
    if intent.level == "auto":
        return infer_level(intent.description, dataset)
    cp.check_dataset(intent.level, dataset.kind)
    title = LEVEL_TITLE[intent.level]()
    return intent.level, LEVEL_CHOSEN(level=intent.level, title=title)


def _check_inputs(dataset: DatasetStats, model: ModelFacts, hardware: HardwareFacts) -> None:
    if dataset.examples < 1 or dataset.total_tokens < 1:
        raise PlanError(em.NO_EXAMPLES(), param="dataset_id")
    if model.param_count < 1 or model.hidden_size < 1 or model.num_layers < 1:
        raise PlanError(em.MODEL_FACTS(), param="base_model_id")
    if hardware.device not in ("cpu", "cuda"):
        raise PlanError(em.DEVICE(device=repr(hardware.device)))


def _tokens_per_step(d: Draft, ctx: Context) -> int:
    """Tokens processed per optimizer step: full rows when packed, padded batches otherwise."""
    length, micro = int(d["data.max_length"]), int(d["train.batch_size"])
    row = row_tokens(ctx.dataset, length, micro, bool(d["data.packing"]))
    gpus, rows = ct.processes(d), cp.rows_per_item(d)  # a pair is two sequences
    return max(1, row * rows * micro * int(d["train.gradient_accumulation"]) * gpus)


def _estimate(d: Draft, ctx: Context) -> Estimate:
    shape = shape_of(
        d,
        ctx,
        int(d["train.batch_size"]),
        bool(d["train.gradient_checkpointing"]),
        str(d["lora.quantization"]),
        int(d["data.max_length"]),
    )
    breakdown = memory_breakdown(ctx.model, ctx.hardware, shape)
    budget, how, _ = memory_budget(ctx.hardware)
    steps, per_step = ct.total_steps(d, ctx), _tokens_per_step(d, ctx)
    tps = tokens_per_second(ctx.model, ctx.hardware, shape)
    train = steps * per_step / tps * _kl_factor(d) * cp.reference_factor(d)
    replay = _replay_seconds(d, ctx, shape)
    evals = _eval_seconds(d, ctx, shape) + _score_seconds(d, ctx, shape)
    return Estimate(
        peak_memory_bytes=sum(breakdown.values()),
        memory_budget_bytes=budget,
        total_steps=steps,
        tokens_per_step=per_step,
        seconds=math.ceil(
            train + evals + replay + report_seconds(d, ctx, tps) + _load_seconds(ctx)
        ),
        breakdown=breakdown,
        tokens_per_second=round(tps, 1),
        budget_note=str(BUDGET_NOTE(budget=gib(budget), how=how)),
        budget_detail=BUDGET_NOTE(budget=gib(budget), how=how).to_dict(),
        replay_seconds=math.ceil(replay),
    )


def _retaining(d: Draft) -> bool:
    return bool(d["retain.enabled"])


def _kl_factor(d: Draft) -> float:
    """The KL anchor adds a forward pass of the base (a third of a step) per replayed batch."""
    return 4 / 3 if _retaining(d) and float(d["retain.kl_weight"]) > 0 else 1.0


def _replay_seconds(d: Draft, ctx: Context, shape: RunShape) -> float:
    """Generating the base's answers to the whole replay set, once per base model."""
    if not _retaining(d) or float(d["retain.replay_ratio"]) == 0:
        return 0.0
    new = int(d["retain.max_new_tokens"])
    return generation_seconds(ctx.model, ctx.hardware, shape, REPLAY_PROMPTS, new)


def _score_seconds(d: Draft, ctx: Context, shape: RunShape) -> float:
    """The learned score's greedy answers at every evaluation and at the start."""
    if not _retaining(d):
        return 0.0
    n, new = int(d["retain.score_examples"]), int(d["retain.max_new_tokens"])
    return (EVALS_PER_RUN + 1) * generation_seconds(ctx.model, ctx.hardware, shape, n, new)


def _eval_seconds(d: Draft, ctx: Context, shape: RunShape) -> float:
    """Each evaluation (~5, plus the baseline) is forward-only: the held-out loss (logits where
    answers are) and the CF check (one pass over the reference items, all logits scored for
    the KL; the start adds the base's pass)."""
    s = ctx.dataset
    held = s.examples * (1 - ctx.train_share(d)) if not ctx.has_eval_file else 200
    held = min(held, int(d["data.max_eval_examples"]))
    row = s.total_tokens / max(s.examples, 1)
    scored = min(row, s.mean_assistant_tokens + 1) if s.mean_assistant_tokens else row
    loss = forward_seconds(ctx.model, ctx.hardware, shape, held * row, held * scored)
    cf = 0.0
    if d["cf.enabled"]:
        items = int(d["cf.max_items"])
        cf = forward_seconds(
            ctx.model,
            ctx.hardware,
            shape,
            items * REFERENCE_PADDED_PER_ITEM,
            items * REFERENCE_PADDED_PER_ITEM,
        )
    return (EVALS_PER_RUN + 1) * (loss + cf) + cf


def _load_seconds(ctx: Context) -> float:
    return STARTUP_SECONDS + ctx.model.param_count * 2 / LOAD_BYTES_PER_SECOND


def _seconds_per_step(d: Draft, ctx: Context, estimate: Estimate) -> float:
    return estimate.tokens_per_step / max(estimate.tokens_per_second, 1e-9)


def _build_spec(
    d: Draft,
    level: Level,
    model_ref: ModelRef,
    train_path: str,
    eval_path: str | None,
    output_dir: str,
) -> TrainSpec:
    sections = d.nested()
    sections["data"].update(train_path=train_path, eval_path=eval_path)
    try:
        return TrainSpec.model_validate(
            {
                "level": level,
                "base_model": model_ref.model_dump(),
                "output_dir": output_dir,
                **sections,
            }
        )
    except ValidationError as exc:  # the overrides passed one by one but clash together
        raise PlanError(em.INVALID_SPEC(error=str(exc))) from exc
