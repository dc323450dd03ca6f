"""OpenAI's objects for fine-tuning: jobs, their events and their checkpoints."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import models
from easytune.core.errors import NotFound
from easytune.db.models import Job, JobEvent, JobStatus, User
from easytune.openai import catalog, fine_tuning, ids

# One to one; `cancelling` is already cancelled as far as an OpenAI client is concerned.
STATUS = {
    JobStatus.VALIDATING_FILES: "validating_files",
    JobStatus.QUEUED: "queued",
    JobStatus.RUNNING: "running",
    JobStatus.CANCELLING: "cancelled",
    JobStatus.SUCCEEDED: "succeeded",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "cancelled",
}


def _ts(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment else None


def job_object(session: Session, user: User, job: Job) -> dict[str, Any]:
    """OpenAI's fine_tuning.job object for a platform job."""
    asked = fine_tuning.requested(session, job)
    hyper = _hyperparameters(job, asked)
    return {
        "id": ids.job_id(job.id), "object": "fine_tuning.job",
        "created_at": _ts(job.created_at), "finished_at": _ts(job.finished_at),
        "model": _model_id(session, user, job.base_model_id),
        "fine_tuned_model": fine_tuned_model(session, user, job),
        "organization_id": f"user-{job.owner_id}", "status": STATUS[job.status],
        "training_file": ids.file_id(job.dataset_id) if job.dataset_id else None,
        "validation_file": _validation_file(job), "result_files": [],
        "hyperparameters": hyper, "seed": job.spec.get("train", {}).get("seed"),
        "trained_tokens": None, "estimated_finish": None, "integrations": [], "metadata": None,
        "error": _error(job), "user_provided_suffix": asked.get("suffix"),
        "method": _method(job, hyper),
    }  # fmt: skip


def fine_tuned_model(session: Session, user: User, job: Job) -> str | None:
    """The /v1 id of the adapter a succeeded job registered (usable in chat completions)."""
    adapter = (job.result or {}).get("adapter_model_id")
    if job.status != JobStatus.SUCCEEDED or not adapter:
        return None
    try:
        return catalog.public_id(session, user, models.get_model(session, user, adapter))
    except NotFound:
        return None  # the adapter was deleted since


def _model_id(session: Session, user: User, base_model_id: str | None) -> str | None:
    if base_model_id is None:
        return None
    try:
        return catalog.public_id(session, user, models.get_model(session, user, base_model_id))
    except NotFound:
        return base_model_id


def _hyperparameters(job: Job, asked: dict[str, Any]) -> dict[str, Any]:
    train = job.spec.get("train", {})
    multiplier = asked.get("hyperparameters", {}).get(fine_tuning.MULTIPLIER, 1.0)
    return {"n_epochs": train.get("epochs"), "batch_size": train.get("batch_size"),
            "learning_rate_multiplier": multiplier}  # fmt: skip


def _method(job: Job, hyper: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's `method` block: dpo (with its beta) for a DPO job, else supervised."""
    if job.spec.get("train", {}).get("method") != "dpo":
        return {"type": "supervised", "supervised": {"hyperparameters": hyper}}
    beta = job.spec.get("preference", {}).get("beta")
    return {"type": "dpo", "dpo": {"hyperparameters": {**hyper, "beta": beta}}}


def _validation_file(job: Job) -> str | None:
    path = job.spec.get("data", {}).get("eval_path")
    # Dataset files live in DATA_DIR/datasets/<dataset id>/: the folder names the dataset.
    return ids.file_id(Path(path).parent.name) if path else None


def _error(job: Job) -> dict[str, Any] | None:
    if not job.error:
        return None
    return {key: job.error.get(key) for key in ("code", "message", "param")}


def event_object(job: Job, event: JobEvent) -> dict[str, Any]:
    """OpenAI's fine_tuning.job.event object."""
    return {
        "id": f"ftevent-{job.id}-{event.seq}", "object": "fine_tuning.job.event",
        "created_at": _ts(event.created_at), "level": event.level, "message": event.message,
        "data": event.data, "type": "message",
    }  # fmt: skip


def checkpoint_object(job: Job, model: str | None, checkpoint: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's fine_tuning.job.checkpoint object for one of the job's complete checkpoints."""
    step = checkpoint["step"]
    return {
        "id": f"ftckpt-{job.id}-{step}", "object": "fine_tuning.job.checkpoint",
        "created_at": _ts(job.updated_at), "fine_tuning_job_id": ids.job_id(job.id),
        "fine_tuned_model_checkpoint": f"{model or ids.job_id(job.id)}:ckpt-step-{step}",
        "step_number": step,
        "metrics": {"step": step, "epoch": checkpoint.get("epoch"),
                    "best_eval_loss": checkpoint.get("best_eval_loss")},
    }  # fmt: skip
