"""/v1/fine_tuning/jobs mapped onto the platform's jobs: an OpenAI job is a train job planned by
the intent engine at level auto (method dpo: the preference intent with train.method dpo), with
OpenAI's explicit hyperparameters as plan overrides."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from easytune.core import jobs, plans
from easytune.core.errors import InvalidRequest, NotFound
from easytune.db.models import EventLevel, Job, JobEvent, JobKind, ModelKind, User
from easytune.intent import IntentRequest
from easytune.jobs import repository as jobs_repo
from easytune.jobs.service import Submitter
from easytune.openai import catalog, files, ids
from easytune.openai.tuning_schemas import FineTuningJobCreate
from easytune.settings import Settings

# OpenAI's hyperparameter -> the plan's override path.
OVERRIDES = {
    "n_epochs": "train.epochs",
    "batch_size": "train.batch_size",
    "beta": "preference.beta",
}
MULTIPLIER = "learning_rate_multiplier"
CREATED_MESSAGE = "created through the OpenAI-compatible API"
EVENTS_LIMIT = 10000
# The events a job gets as it is created (ours among them) come before any worker's.
CREATION_EVENTS = 5


def create(
    session: Session, settings: Settings, user: User, body: FineTuningJobCreate,
    executor: Submitter,
) -> Job:  # fmt: skip
    """Plan (level auto + the explicit hyperparameters) and queue a fine-tune."""
    chosen = body.chosen_hyperparameters()
    plan = _plan_input(session, user, body, chosen)
    if MULTIPLIER in chosen:
        plan = _scaled_learning_rate(session, settings, user, plan, float(chosen[MULTIPLIER]))
    name = body.suffix or f"{catalog.find(session, user, body.model).record.name}-ft"
    job, _ = jobs.create_job(session, settings, user, jobs.JobInput(name, plan), executor)
    data = {"hyperparameters": chosen, "suffix": body.suffix, "seed": body.seed,
            "method": body.method_type}  # fmt: skip
    jobs_repo.add_event(session, job, EventLevel.INFO, CREATED_MESSAGE, data)
    return job


def _plan_input(
    session: Session, user: User, body: FineTuningJobCreate, chosen: dict[str, Any]
) -> plans.PlanInput:
    base = catalog.find(session, user, body.model).record
    if base.kind != ModelKind.BASE:
        raise InvalidRequest(
            f"{body.model} is a fine-tuned model; fine-tune a base model (GET /v1/models lists "
            "them; their ids do not start with ft:)",
            param="model",
        )
    train = files.get(session, user, body.training_file, "training_file")
    valid = files.get(session, user, body.validation_file, "validation_file") if (
        body.validation_file) else None  # fmt: skip
    overrides = {OVERRIDES[k]: v for k, v in chosen.items() if k in OVERRIDES}
    if body.seed is not None:
        overrides["train.seed"] = body.seed
    intent = IntentRequest(level="auto", description="")
    if body.method_type == "dpo":  # OpenAI's preference fine-tuning: DPO on the pairs
        intent = IntentRequest(level="preference", description="")
        overrides["train.method"] = "dpo"
    return plans.PlanInput(base.id, train.id, intent, overrides, valid.id if valid else None)


def _scaled_learning_rate(
    session: Session, settings: Settings, user: User, plan: plans.PlanInput, factor: float
) -> plans.PlanInput:
    """The plan with the learning rate it would choose itself, times `factor`."""
    chosen = plans.resolve_plan(session, settings, user, plan).plan.spec.train.learning_rate
    overrides = {**plan.overrides, "train.learning_rate": min(chosen * factor, 1.0)}
    return plans.PlanInput(
        plan.base_model_id, plan.dataset_id, plan.intent, overrides, plan.eval_dataset_id
    )


def get(session: Session, user: User, job: str) -> Job:
    """A job of the caller by its ftjob- id."""
    number = ids.parse_job_id(job)
    if number is None:
        raise InvalidRequest(f"{job!r} is not a fine-tuning job id (ftjob-<n>)", param="job_id")
    found = jobs.get_job(session, user, number)
    if found.kind != JobKind.TRAIN:  # exports and evaluations are not fine-tuning jobs
        raise NotFound(f"no fine-tuning job {job}", param="job_id")
    return found


def page(session: Session, user: User, after: str | None, limit: int) -> tuple[list[Job], bool]:
    """Jobs newest first, older than the job `after`, and whether more follow."""
    before = get(session, user, after).id if after else None
    rows = jobs.list_jobs_before(session, user, before, limit + 1, JobKind.TRAIN)
    return rows[:limit], len(rows) > limit


def cancel(session: Session, user: User, job: str) -> Job:
    """Cancel a job you own (admins: any)."""
    return jobs.cancel_job(session, user, get(session, user, job).id)


def requested(session: Session, job: Job) -> dict[str, Any]:
    """What the OpenAI request asked for (an event written with the job), {} for other jobs."""
    first = jobs_repo.list_events(session, job.id, after_seq=0, limit=CREATION_EVENTS)
    return next((dict(e.data) for e in first if e.message == CREATED_MESSAGE), {})


def events_page(
    session: Session, user: User, job: Job, after: str | None, limit: int
) -> tuple[list[JobEvent], bool]:
    """The job's events newest first, older than the event `after`, and whether more follow."""
    rows = jobs.events(session, user, job.id, after_seq=0, limit=EVENTS_LIMIT)[::-1]
    if after:
        seq = _event_seq(job, after)
        rows = [row for row in rows if row.seq < seq]
    return rows[:limit], len(rows) > limit


def _event_seq(job: Job, event: str) -> int:
    prefix = f"ftevent-{job.id}-"
    raw = event.removeprefix(prefix)
    if not event.startswith(prefix) or not raw.isdigit():
        raise InvalidRequest(f"{event!r} is not an event id of {ids.job_id(job.id)}", param="after")
    return int(raw)
