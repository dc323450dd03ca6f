"""Register a succeeded job's adapter in the model registry, with its lineage.

Runs inside the worker's transaction that marks the job succeeded (easytune.jobs.service), so a
job is `succeeded` exactly when its adapter is registered. The adapter stays where the engine
wrote it (DATA_DIR/jobs/<job id>/adapter); deleting the adapter model removes that folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import storage
from easytune.db.models import EventLevel, Job, ModelKind, ModelRecord, Visibility
from easytune.db.repositories import datasets as dataset_repo
from easytune.db.repositories import models as repo
from easytune.jobs import messages as msg
from easytune.jobs import repository as jobs_repo
from easytune.jobs.errors import ArtifactRejected

REQUIRED_FILES = ("adapter_config.json", "adapter_model.safetensors")


def register_job_adapter(session: Session, job: Job) -> None:
    """Add the adapter of a platform job (one with a base model) and note its id on the job."""
    if job.base_model_id is None or repo.get_by_job(session, job.id) is not None:
        return  # a raw queue job (no registry model), or already registered on an earlier try
    folder = _adapter_folder(job)
    dataset = dataset_repo.get(session, job.dataset_id) if job.dataset_id else None
    result = job.result or {}
    model = repo.add(
        session,
        ModelRecord(
            id=storage.new_id("mdl"), kind=ModelKind.ADAPTER, name=job.name,
            version=repo.next_version(session, job.name), path=str(folder),
            owner_id=job.owner_id, visibility=Visibility.PRIVATE,
            base_model_id=job.base_model_id, dataset_id=dataset.id if dataset else None,
            dataset_sha256=dataset.sha256 if dataset else None, job_id=job.id,
            spec=dict(job.spec), metrics=result.get("metrics"),
            cf_report=_read_json(folder.parent / "cf_report.json"),
            eval_report=_finished_report(folder.parent / "eval_report.json"),
        ),
    )  # fmt: skip
    job.result = {**result, "adapter_model_id": model.id}
    message = msg.ADAPTER_REGISTERED(id=model.id, name=model.name, version=model.version)
    data = {"adapter_model_id": model.id, "outcome": result.get("outcome")}
    jobs_repo.add_event(session, job, EventLevel.INFO, message, data)


def _adapter_folder(job: Job) -> Path:
    raw = (job.result or {}).get("adapter_dir")
    if not raw:
        raise ArtifactRejected("the training run reported no adapter_dir; nothing to register")
    folder = Path(str(raw))
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ArtifactRejected(
            f"the adapter folder {folder} lacks {', '.join(missing)}; the run did not finish "
            "writing it: retry the job"
        )
    return folder


def _finished_report(path: Path) -> dict[str, Any] | None:
    """The evaluation report, unless it is missing or records a failed evaluation."""
    report = _read_json(path)
    return report if report is not None and "error" not in report else None


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
