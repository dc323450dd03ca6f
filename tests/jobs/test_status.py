"""The transitions table: every allowed change works, everything else is refused."""

from __future__ import annotations

import itertools

import pytest

from easytune.db import utcnow
from easytune.db.models import Job, JobStatus
from easytune.jobs import InvalidTransition, transition
from easytune.jobs.status import TERMINAL, TRANSITIONS

S = JobStatus
ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
FORBIDDEN = [(a, b) for a, b in itertools.product(S, S) if b not in TRANSITIONS[a]]


def _job(status: JobStatus) -> Job:
    return Job(id=1, status=status, attempt=1, max_attempts=3, lease_owner="w", spec={})


def test_the_table_covers_every_status() -> None:
    assert set(TRANSITIONS) == set(S)
    assert all(TRANSITIONS[s] <= {S.QUEUED} for s in TERMINAL)  # only retry leaves an end


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: str(s))
def test_allowed_transition(current: JobStatus, target: JobStatus) -> None:
    job, now = _job(current), utcnow()
    transition(job, target, now)
    assert job.status == target
    if target in TERMINAL:
        assert job.finished_at == now and job.lease_owner is None
    if target == S.RUNNING:
        assert job.started_at == now
    if target == S.QUEUED:
        assert job.queued_at == now and job.lease_owner is None


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=lambda s: str(s))
def test_forbidden_transition(current: JobStatus, target: JobStatus) -> None:
    job = _job(current)
    with pytest.raises(InvalidTransition, match=f"cannot go from {current} to {target}"):
        transition(job, target, utcnow())
    assert job.status == current


def test_some_forbidden_ones_by_name() -> None:
    for pair in [(S.SUCCEEDED, S.QUEUED), (S.QUEUED, S.SUCCEEDED), (S.FAILED, S.RUNNING),
                 (S.CANCELLED, S.RUNNING), (S.VALIDATING_FILES, S.RUNNING)]:  # fmt: skip
        assert pair in FORBIDDEN
