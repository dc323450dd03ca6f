"""Planning: the intent engine fed from the registry (stored dataset stats and model facts)
and the workers' hardware. Plan errors become API errors naming the field and the fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import dashboard, datasets, models
from easytune.core.errors import EasyTuneError, NotFound, ProblemList, ValidationFailed
from easytune.db.models import Dataset, ModelRecord, User
from easytune.demo.plan import demo_presets
from easytune.intent import IntentRequest, OverrideError, Plan, PlanDoesNotFit, PlanError
from easytune.intent import resolve_plan as _resolve
from easytune.settings import Settings
from easytune.training.facts import DatasetStats, HardwareFacts

# Replaced by the job's own folder when a worker claims it.
PENDING_OUTPUT = "jobs/pending"
# One replay cache for the whole platform: every job on the same base shares its replay set.
REPLAY_CACHE = "cache/replay"


@dataclass(frozen=True)
class PlanInput:
    """What the user chose: base model, dataset, intent and expert overrides."""

    base_model_id: str
    dataset_id: str
    intent: IntentRequest
    overrides: Mapping[str, Any] = field(default_factory=dict)
    # A separate evaluation set; None: the engine holds out a part of the training data.
    eval_dataset_id: str | None = None
    mix_dataset_id: str | None = None  # chats trained next to a text corpus


@dataclass(frozen=True)
class ResolvedPlan:
    """The plan and the registry rows it was made from."""

    plan: Plan
    model: ModelRecord
    dataset: Dataset


def worker_hardware(session: Session) -> HardwareFacts:
    """The hardware a job will run on: of the online workers, the weakest (any of them may
    claim the job, so the plan must fit each); with none online, this server's."""
    facts = [_facts(hardware) for hardware in dashboard.online_hardware(session)]
    return min(facts, key=_capacity) if facts else _this_host()


def _facts(hardware: dict[str, Any]) -> HardwareFacts:
    known = {f.name for f in fields(HardwareFacts)}
    return HardwareFacts(**{k: v for k, v in hardware.items() if k in known})


def _capacity(facts: HardwareFacts) -> tuple[bool, int, int]:
    return (facts.device == "cuda", facts.gpu_memory_bytes, facts.host_memory_bytes)


@cache
def _this_host() -> HardwareFacts:
    from easytune.training.hardware import detect_hardware

    return detect_hardware()


def stats_of(dataset: Dataset) -> DatasetStats:
    """The DatasetStats stored at upload."""
    return DatasetStats(**{**dataset.report["stats"], "kind": dataset.report.get("kind", "chat")})


def resolve_plan(
    session: Session, settings: Settings, user: User, request: PlanInput
) -> ResolvedPlan:
    """Resolve the plan for a base model and dataset `user` may see; PlanError (422) if unsound."""
    model = models.get_base_model(session, user, request.base_model_id)
    dataset = datasets.get_dataset(session, user, request.dataset_id)
    mix = _mix_path(session, user, request.mix_dataset_id)
    try:
        plan = _resolve(
            request.intent, stats_of(dataset), models.facts_of(model), worker_hardware(session),
            model_ref=models.ref_of(model), train_path=dataset.path,
            eval_path=_eval_path(session, user, request.eval_dataset_id),
            output_dir=str(Path(settings.data_dir).resolve() / PENDING_OUTPUT),
            overrides=_server_side_overrides(session, user, request.overrides),
            mix_path=mix, presets=demo_presets(dataset.sha256),
        )  # fmt: skip
    except PlanError as exc:
        raise _api_error(exc) from None
    plan.spec.retain.cache_dir = str(Path(settings.data_dir).resolve() / REPLAY_CACHE)
    return ResolvedPlan(plan, model, dataset)


def _eval_path(session: Session, user: User, dataset_id: str | None) -> str | None:
    return datasets.get_dataset(session, user, dataset_id).path if dataset_id else None


# Overrides that would name a file on the server; a retain set is a registered dataset.
PATH_OVERRIDES = ("cf.retain_path",)
RETAIN_DATASET = "cf.retain_dataset_id"


def _server_side_overrides(
    session: Session, user: User, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """The overrides with dataset ids resolved to paths (ownership checked); any override
    naming a server path directly is refused."""
    named = [key for key in PATH_OVERRIDES if key in overrides]
    if named:
        raise ValidationFailed(
            f"{named[0]} cannot be set: no request may name a file on the server; upload the "
            f"retain set as a dataset and pass its id as {RETAIN_DATASET}",
            param=f"overrides.{named[0]}",
        )
    resolved = {k: v for k, v in overrides.items() if k != RETAIN_DATASET}
    if RETAIN_DATASET in overrides:
        retain_id = str(overrides[RETAIN_DATASET])
        try:
            resolved["cf.retain_path"] = datasets.get_dataset(session, user, retain_id).path
        except NotFound:
            raise NotFound(
                f"no dataset with id {retain_id!r}", param=f"overrides.{RETAIN_DATASET}"
            ) from None
    return resolved


def _mix_path(session: Session, user: User, mix_dataset_id: str | None) -> str | None:
    if mix_dataset_id is None:
        return None
    return datasets.get_dataset(session, user, mix_dataset_id).path


def _api_error(exc: PlanError) -> EasyTuneError:
    if isinstance(exc, OverrideError):
        problems = [{**p.to_dict(), "param": f"overrides.{p.param}"} for p in exc.problems]
        first = problems[0]["param"] if problems else "overrides"
        return ProblemList(exc.message, problems, param=first, code=exc.code, detail=exc.detail)
    if exc.param in {"dataset_id", "base_model_id"} and not isinstance(exc, PlanDoesNotFit):
        return ValidationFailed(exc.message, param=exc.param, detail=exc.detail)
    return exc
