"""Helpers shared by the jobs tests (imported by name: tests/jobs is on sys.path)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from easytune.db.models import Job, JobStatus
from easytune.jobs import repository
from easytune.jobs.execution import RunConfig

CHILD = Path(__file__).with_name("child_script.py")
MakeJob = Callable[..., int]
FAST = RunConfig(heartbeat_seconds=0.3, tick_seconds=0.05, cancel_grace_seconds=1.0)


def load(factory: sessionmaker[Session], job_id: int) -> Job:
    with factory() as session:
        return repository.get_job(session, job_id)


def wait_for(
    factory: sessionmaker[Session], job_id: int, statuses: set[JobStatus], timeout: float = 20
) -> Job:
    """Poll until the job reaches one of `statuses`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = load(factory, job_id)
        if job.status in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stayed {load(factory, job_id).status}, not in {statuses}")
