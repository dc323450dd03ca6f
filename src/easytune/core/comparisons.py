"""Evaluation jobs: several models compared on the probe sets (and a dataset's held-out
examples), queued as jobs of kind `evaluation` and read back as one comparison report.

Each adapter is answered on its own base model; a base model is answered alone. The report
(comparison.json in the job's folder) belongs to whoever asked for it (admins see all).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import datasets, jobs, models
from easytune.core.audit import Origin
from easytune.core.errors import Conflict, NotFound, ValidationFailed
from easytune.db.models import EventLevel, Job, JobKind, JobStatus, ModelKind, ModelRecord, User
from easytune.db.repositories import models as models_repo
from easytune.jobs import repository as jobs_repo
from easytune.jobs.errors import ArtifactRejected
from easytune.jobs.service import Submitter
from easytune.settings import Settings
from easytune.training.evaluation.spec import COMPARISON_FILE, ComparedModel, ComparisonSpec

TEXT_FORMAT = "text"  # a plain-text dataset has no replies to compare answers with


@dataclass(frozen=True)
class EvaluationRequest:
    """POST /evaluations."""

    model_ids: list[str]
    dataset_id: str | None = None
    probes: str = "default"
    max_per_set: int | None = None
    max_held_out: int = 32
    max_new_tokens: int = 32
    name: str | None = None


def create_evaluation(
    session: Session, settings: Settings, user: User, request: EvaluationRequest,
    executor: Submitter, origin: Origin | None = None,
) -> Job:  # fmt: skip
    """Queue an evaluation job over models `user` may see; it runs on the worker like training."""
    _check_unique(request.model_ids)
    compared = [_compared(session, user, model_id) for model_id in request.model_ids]
    data_path, data_format = _dataset(session, user, request.dataset_id)
    spec = ComparisonSpec(
        output_dir="", models=compared, probes="default", max_per_set=request.max_per_set,
        dataset_id=request.dataset_id, data_path=data_path, data_format=data_format,
        max_held_out=request.max_held_out, max_new_tokens=request.max_new_tokens,
    )  # fmt: skip
    return jobs.submit(
        session, settings, user, JobKind.EVALUATION, request.name or _name(compared),
        spec.model_dump(mode="json"), executor, origin,
        base_model_id=compared[0].base_model_id, dataset_id=request.dataset_id,
        detail={"model_ids": list(request.model_ids), "dataset_id": request.dataset_id},
    )  # fmt: skip


def _check_unique(model_ids: list[str]) -> None:
    repeated = sorted({m for m in model_ids if model_ids.count(m) > 1})
    if repeated:
        raise ValidationFailed(
            f"model {', '.join(repeated)} is listed more than once; list each model once",
            param="model_ids",
        )


def _compared(session: Session, user: User, model_id: str) -> ComparedModel:
    try:
        model = models.get_model(session, user, model_id)
    except NotFound:
        raise NotFound(f"no model with id {model_id}", param="model_ids") from None
    label = f"{model.name} v{model.version}"
    if model.kind == ModelKind.BASE:
        return ComparedModel(
            model_id=model.id, name=label, kind="base", base=models.ref_of(model),
            base_model_id=model.id,
        )  # fmt: skip
    base = _base_of(session, model)
    try:
        _, folder = models.adapter_folder(session, user, model_id)  # its files are there
    except Conflict as exc:
        raise Conflict(exc.message, param="model_ids", code=exc.code) from None
    return ComparedModel(
        model_id=model.id, name=label, kind="adapter", base=models.ref_of(base),
        base_model_id=base.id, adapter_dir=str(folder),
    )  # fmt: skip


def _base_of(session: Session, adapter: ModelRecord) -> ModelRecord:
    base = models_repo.get(session, adapter.base_model_id) if adapter.base_model_id else None
    if base is None:
        raise Conflict(
            f"the base model of adapter {adapter.id} is no longer registered; register it "
            "again to evaluate this adapter",
            param="model_ids",
        )
    return base


def _dataset(session: Session, user: User, dataset_id: str | None) -> tuple[Any, Any]:
    if dataset_id is None:
        return None, None
    try:
        dataset = datasets.get_dataset(session, user, dataset_id)
    except NotFound:
        raise NotFound(f"no dataset with id {dataset_id}", param="dataset_id") from None
    if dataset.format == TEXT_FORMAT:
        raise ValidationFailed(
            f"dataset {dataset_id} is plain text: it has no replies to compare answers with; "
            "choose a chat or instruction dataset, or leave dataset_id out",
            param="dataset_id",
        )
    return dataset.path, dataset.format


def _name(compared: list[ComparedModel]) -> str:
    names = ", ".join(model.name for model in compared)
    return f"evaluate {names}"[:200]


def check_job_comparison(session: Session, job: Job) -> None:
    """The success hook of evaluation jobs: the report must be there and whole."""
    report = read_report(job)
    if report is None:
        raise ArtifactRejected(f"the evaluation wrote no readable {COMPARISON_FILE}: retry it")
    message = f"comparison of {len(report['models'])} model(s) ready"
    jobs_repo.add_event(session, job, EventLevel.INFO, message, {"models": len(report["models"])})


def get_comparison(session: Session, user: User, job_id: int) -> dict[str, Any]:
    """The comparison report of a succeeded evaluation job of `user` (admins: any)."""
    job = jobs.get_job(session, user, job_id)
    if job.kind != JobKind.EVALUATION:
        raise NotFound(
            f"job {job_id} is a {job.kind} job, not an evaluation; a training job's "
            f"before/after report is at /api/v1/jobs/{job_id}/evaluation",
            param="id",
        )
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(
            f"evaluation {job_id} is {job.status}: the comparison is ready when the job "
            "succeeds; follow it at /api/v1/jobs/{job_id}/stream",
            param="id", code="evaluation_not_ready",
        )  # fmt: skip
    report = read_report(job)
    if report is None:
        raise NotFound(f"the report of evaluation {job_id} is missing on the server", param="id")
    return {"job_id": job.id, "name": job.name, **report}


def read_report(job: Job) -> dict[str, Any] | None:
    """The comparison report an evaluation job wrote, or None when missing or not whole."""
    path = Path(job.output_dir) / COMPARISON_FILE if job.output_dir else None
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("models"), list) else None
