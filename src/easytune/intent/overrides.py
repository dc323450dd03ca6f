"""Validate expert overrides: unknown keys, types and ranges, and contradictions, all at once."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from easytune.i18n import TEXT, Joined, Msg, placeholders
from easytune.training.facts import HardwareFacts, ModelFacts
from easytune.training.spec import (
    CFSpec,
    DataSpec,
    EvaluationSpec,
    LoraSpec,
    PreferenceSpec,
    RetainSpec,
    TrainSettings,
)

from . import error_messages as em
from . import reasons as rs
from .errors import FieldProblem, OverrideError
from .rules import LevelRule

SECTIONS: dict[str, type[BaseModel]] = {
    "data": DataSpec,
    "lora": LoraSpec,
    "train": TrainSettings,
    "cf": CFSpec,
    "evaluation": EvaluationSpec,
    "retain": RetainSpec,
    "preference": PreferenceSpec,
}
# Paths that are not settings: they come from the request itself (the message says where).
NOT_OVERRIDABLE = em.NOT_OVERRIDABLE
# Names users bring from other tools (Hugging Face, PEFT, LLaMA-Factory, Axolotl).
ALIASES = {
    "lr": "train.learning_rate",
    "learning_rate": "train.learning_rate",
    "rank": "lora.r",
    "lora_r": "lora.r",
    "lora_rank": "lora.r",
    "r": "lora.r",
    "lora_alpha": "lora.alpha",
    "alpha": "lora.alpha",
    "lora_dropout": "lora.dropout",
    "num_train_epochs": "train.epochs",
    "epochs": "train.epochs",
    "per_device_train_batch_size": "train.batch_size",
    "micro_batch_size": "train.batch_size",
    "batch_size": "train.batch_size",
    "gradient_accumulation_steps": "train.gradient_accumulation",
    "max_seq_length": "data.max_length",
    "sequence_len": "data.max_length",
    "cutoff_len": "data.max_length",
    "max_length": "data.max_length",
    "warmup_ratio": "train.warmup_ratio",
    "target_modules": "lora.target_modules",
    "quantization_bit": "lora.quantization",
    "load_in_4bit": "lora.quantization",
}


def field_types() -> dict[str, TypeAdapter[Any]]:
    """A validator per overridable dotted path, carrying the spec's own type and range."""
    out: dict[str, TypeAdapter[Any]] = {}
    for section, model in SECTIONS.items():
        for name, info in model.model_fields.items():
            path = f"{section}.{name}"
            if path not in NOT_OVERRIDABLE:
                kind: Any = info.annotation
                if info.metadata:
                    kind = Annotated[(kind, *info.metadata)]
                out[path] = TypeAdapter(kind)
    return out


_TYPES = field_types()


def flatten(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Accept {"lora.r": 8} and {"lora": {"r": 8}} alike."""
    flat: dict[str, Any] = {}
    for key, value in overrides.items():
        if key in SECTIONS and isinstance(value, Mapping):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[str(key)] = value
    return flat


def suggest(key: str) -> Msg:
    """'unknown setting' plus the closest valid key."""
    fixed = NOT_OVERRIDABLE.get(key) or NOT_OVERRIDABLE.get(key.split(".")[0])
    if fixed:
        return em.CANNOT_OVERRIDE(why=fixed())
    leaf = key.rsplit(".", 1)[-1]
    guess = ALIASES.get(leaf) or ALIASES.get(leaf.lower())
    if guess is None:
        close = difflib.get_close_matches(key, list(_TYPES), n=1, cutoff=0.6)
        same_leaf = [p for p in _TYPES if p.endswith("." + leaf)]
        guess = close[0] if close else (same_leaf[0] if same_leaf else None)
    if guess:
        return em.UNKNOWN_GUESS(guess=guess)
    return em.UNKNOWN_SECTIONS(sections=", ".join(SECTIONS))


def check_types(flat: dict[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Typed values for the valid keys, and a problem for each unknown or invalid one."""
    typed: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for key, value in flat.items():
        adapter = _TYPES.get(key)
        if adapter is None:
            problems.append(FieldProblem(key, suggest(key)))
            continue
        try:
            typed[key] = adapter.validate_python(value)
        except ValidationError as exc:
            error = Joined(tuple(value_problem(e) for e in exc.errors()))
            problems.append(FieldProblem(key, em.INVALID_VALUE(error=error, value=repr(value))))
    return typed, problems


def value_problem(error: Mapping[str, Any]) -> Msg:
    """One pydantic error as a coded message; an error type without a template keeps its text."""
    coded = em.VALUE_PROBLEM.get(str(error.get("type")))
    context = dict(error.get("ctx") or {})
    if coded is None or not placeholders(coded.english) <= set(context):
        return TEXT(text=str(error.get("msg", "")))
    if "expected" in context:  # "'a', 'b' or 'c'" as a list joined the reader's way
        choices = re.split(r", | or ", str(context["expected"]))
        context["expected"] = Joined(tuple(choices), "comma")
    return coded(**{k: v for k, v in context.items() if k in placeholders(coded.english)})


Check = Callable[[dict[str, Any], ModelFacts, HardwareFacts, LevelRule], list[FieldProblem]]


def _quantization(
    v: dict[str, Any], m: ModelFacts, hw: HardwareFacts, r: LevelRule
) -> list[FieldProblem]:
    if v.get("lora.quantization") != "4bit":
        return []
    if hw.device != "cuda":
        return [FieldProblem("lora.quantization", em.QLORA_CPU())]
    if not hw.bitsandbytes:
        return [FieldProblem("lora.quantization", em.QLORA_BNB())]
    return []


def _precision(
    v: dict[str, Any], m: ModelFacts, hw: HardwareFacts, r: LevelRule
) -> list[FieldProblem]:
    wanted = v.get("train.precision")
    allowed = {"fp32"} | ({"fp16"} if hw.device == "cuda" else set())
    allowed |= {"bf16"} if hw.bf16_supported else set()
    if wanted is None or wanted in allowed:
        return []
    why = em.PRECISION_GPU if hw.device == "cuda" else em.PRECISION_CPU
    return [FieldProblem("train.precision", why(wanted=wanted, allowed=", ".join(sorted(allowed))))]


def _device(
    v: dict[str, Any], m: ModelFacts, hw: HardwareFacts, r: LevelRule
) -> list[FieldProblem]:
    if v.get("train.device") == "cuda" and hw.device != "cuda":
        return [FieldProblem("train.device", em.NO_CUDA())]
    return []


def _processes(
    v: dict[str, Any], m: ModelFacts, hw: HardwareFacts, r: LevelRule
) -> list[FieldProblem]:
    wanted = v.get("train.num_processes")
    most = max(hw.gpu_count, 1) if hw.device == "cuda" else max(hw.cpu_count, 1)
    if wanted is None or wanted <= most:
        return []
    if hw.device == "cuda":
        why = em.PROCESSES_GPU(wanted=wanted, count=hw.gpu_count or 1, most=most)
    else:
        why = em.PROCESSES_CPU(wanted=wanted, count=hw.cpu_count, most=most)
    return [FieldProblem("train.num_processes", why)]


def _targets(
    v: dict[str, Any], m: ModelFacts, hw: HardwareFacts, r: LevelRule
) -> list[FieldProblem]:
    known = [*m.attention_qkv, *m.attention_out, *m.mlp]
    unknown = [t for t in v.get("lora.target_modules", []) if t not in known]
    if not unknown:
        return []
    return [
        FieldProblem(
            "lora.target_modules",
            em.TARGETS(
                unknown=", ".join(unknown),
                model_type=m.model_type,
                known=", ".join(dict.fromkeys(known)),
            ),
        )
    ]


def _max_length(
    v: dict[str, Any], m: ModelFacts, hw: HardwareFacts, r: LevelRule
) -> list[FieldProblem]:
    length = v.get("data.max_length")
    if length is None or length <= m.max_position_embeddings:
        return []
    return [
        FieldProblem(
            "data.max_length", em.MAX_LENGTH(length=length, limit=m.max_position_embeddings)
        )
    ]


def _cf_thresholds(
    v: dict[str, Any], m: ModelFacts, hw: HardwareFacts, r: LevelRule
) -> list[FieldProblem]:
    stop = v.get("cf.stop_threshold")
    warn = v.get("cf.warn_threshold", r.cf_warn_threshold)
    if stop is None or stop > warn:
        return []
    return [FieldProblem("cf.stop_threshold", em.CF_THRESHOLDS(stop=stop, warn=warn))]


def _kl_without_replay(
    v: dict[str, Any], m: ModelFacts, hw: HardwareFacts, r: LevelRule
) -> list[FieldProblem]:
    if v.get("retain.kl_weight", 0) > 0 and v.get("retain.replay_ratio") == 0:
        return [FieldProblem("retain.kl_weight", em.KL_WITHOUT_REPLAY())]
    return []


CHECKS: tuple[Check, ...] = (
    _quantization,
    _precision,
    _device,
    _processes,
    _targets,
    _max_length,
    _cf_thresholds,
    _kl_without_replay,
)


def validate_overrides(
    overrides: Mapping[str, Any] | None, model: ModelFacts, hardware: HardwareFacts, rule: LevelRule
) -> dict[str, Any]:
    """Typed overrides by dotted path, or OverrideError listing every problem."""
    typed, problems = check_types(flatten(overrides or {}))
    for check in CHECKS:
        problems.extend(check(typed, model, hardware, rule))
    if problems:
        raise OverrideError(problems)
    return typed


def override_warnings(typed: dict[str, Any], rule: LevelRule, has_eval_file: bool) -> list[Msg]:
    """Allowed but unusual overrides, for the plan's warnings."""
    notes = []
    r = typed.get("lora.r")
    if r is not None and not rule.rank_min <= r <= rule.rank_max:
        beyond = rs.WARN_RANK_HUGE() if r > 256 else ""
        low, high = rule.rank_min, rule.rank_max
        notes.append(rs.WARN_RANK_RANGE(r=r, level=rule.level, low=low, high=high, beyond=beyond))
    if typed.get("train.learning_rate", 0) > 1e-3:
        notes.append(rs.WARN_HIGH_LR())
    if "train.max_steps" in typed and "train.epochs" in typed:
        notes.append(rs.WARN_MAX_STEPS())
    retain_keys = [k for k in typed if k.startswith("retain.")]
    if typed.get("retain.enabled") is False and len(retain_keys) > 1:
        notes.append(rs.WARN_RETAIN_OFF())
    if has_eval_file and "data.eval_fraction" in typed:
        notes.append(rs.WARN_EVAL_FRACTION())
    return notes
