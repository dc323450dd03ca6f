"""Evaluation reports as users see them: a finished job's eval_report.json (owner or admin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core.errors import Conflict, NotFound
from easytune.core.jobs import get_job
from easytune.db.models import Job, JobStatus, User

REPORT_FILE = "eval_report.json"


def job_evaluation(session: Session, user: User, job_id: int) -> dict[str, Any]:
    """The report of a succeeded job; 404 for a job of someone else or without a report."""
    job = get_job(session, user, job_id)
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(
            f"job {job_id} is {job.status}: the evaluation report is written when the "
            "training finishes; wait for the job to succeed",
            param="id", code="evaluation_not_ready",
        )  # fmt: skip
    report = _read(job)
    if "error" in report:
        raise Conflict(
            f"the evaluation of job {job_id} failed: {report['error']}; the adapter is "
            "unaffected, compare it with `easytune eval`",
            param="id", code="evaluation_failed",
        )  # fmt: skip
    return report


def _read(job: Job) -> dict[str, Any]:
    path = Path(job.output_dir) / REPORT_FILE if job.output_dir else None
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise NotFound(
            f"job {job.id} has no evaluation report: it ran with evaluation.enabled=false or "
            "before reports existed",
            param="id", code="evaluation_not_found",
        )  # fmt: skip
    return data
