"""Time left follows the recent pace: a scripted speed change settles within two updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobhelpers import MakeJob
from sqlalchemy.orm import Session, sessionmaker

from easytune.api.schemas.jobs import JobPublic
from easytune.db import transaction
from easytune.db.models import EventLevel, JobStatus
from easytune.jobs import repository
from easytune.jobs.eta import note_progress
from easytune.jobs.progress import EventItem, MetricItem, SourcedEvent

TOTAL = 100
START = datetime(2026, 1, 1, tzinfo=UTC)


def _update(factory: sessionmaker[Session], job_id: int, step: int, at: float) -> float | None:
    """Store one train metric at `at` seconds into the run; the API's time left afterwards."""
    metric = MetricItem(step, "train", {"loss": 1.0, "epoch": step / TOTAL})
    with transaction(factory) as session:
        job = repository.get_job(session, job_id)
        note_progress(job, [], [metric], now=START + timedelta(seconds=at))
        job.status = JobStatus.RUNNING
        session.flush()
        progress = JobPublic.model_validate(job).progress
        assert progress is not None
        return progress.eta_s


def test_eta_follows_a_speed_change_within_two_updates(
    session_factory: sessionmaker[Session], make_job: MakeJob
) -> None:
    job_id = make_job()
    started = SourcedEvent("l1", EventItem(EventLevel.INFO, "training started",
                                           {"total_steps": TOTAL, "start_step": 0}))  # fmt: skip
    with transaction(session_factory) as session:
        note_progress(repository.get_job(session, job_id), [started], [], START)
    # A slow start (model loading, first compilation): 60 s for step 1, then 1 s per step.
    at, etas = 60.0, [_update(session_factory, job_id, 1, 60.0)]
    for step in range(2, 6):
        at += 1.0
        etas.append(_update(session_factory, job_id, step, at))
    # The run's average after step 3 would say (62 / 3) * 97 = 2005 s; the recent pace 97 s.
    assert etas[2] == 97.0 and etas[3] == 96.0 and etas[4] == 95.0
    # The pace halves (2 s per step): the second update after the change is exact.
    changed = []
    for step in range(6, 9):
        at += 2.0
        changed.append(_update(session_factory, job_id, step, at))
    assert changed[0] is not None and 94 < changed[0] < 188  # between the old and new pace
    assert changed[1] == (TOTAL - 7) * 2.0 and changed[2] == (TOTAL - 8) * 2.0
