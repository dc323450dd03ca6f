"""Repository on real SQLite and PostgreSQL: claim order, limits, leases, requeue, cancel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from jobhelpers import MakeJob, load
from sqlalchemy.orm import Session, sessionmaker

from easytune.db import transaction, utcnow
from easytune.db.models import JobStatus
from easytune.jobs import InvalidTransition, LeaseLost, repository, service
from easytune.jobs.progress import ErrorItem, EventItem, MetricItem, SourcedEvent, parse_line
from easytune.jobs.queue import Claim, JobQueue, QueueConfig
from easytune.jobs.service import ClaimState, Lease

S = JobStatus


def _claim_all(queue: JobQueue) -> list[int]:
    order: list[int] = []
    while (claim := queue.claim_next(f"w/{len(order)}")) is not None:
        order.append(claim.job_id)
    return order


def test_claim_order_is_priority_then_age(make_job: MakeJob, queue: JobQueue) -> None:
    t0 = utcnow()
    old_low = make_job(priority=0, now=t0)
    new_high = make_job(priority=5, now=t0 + timedelta(seconds=2), owner=1)
    old_high = make_job(priority=5, now=t0 + timedelta(seconds=1), owner=2)
    new_low = make_job(priority=0, now=t0 + timedelta(seconds=3), owner=1)
    assert _claim_all(QueueWithoutLimit(queue)) == [old_high, new_high, old_low, new_low]


def QueueWithoutLimit(queue: JobQueue) -> JobQueue:
    config = QueueConfig(queue.config.output_root, queue.config.lease_seconds, None)
    return JobQueue(queue.factory, config)


def test_claim_sets_lease_output_dir_and_event(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job()
    claim = queue.claim_next("worker-a/1")
    assert claim is not None and claim.job_id == job_id and claim.attempt == 1
    job = load(session_factory, job_id)
    assert job.status == S.RUNNING and job.lease_owner == "worker-a/1"
    assert job.lease_expires_at is not None and job.lease_expires_at > utcnow()
    assert job.output_dir == str(queue.config.output_root / str(job_id))
    assert claim.output_dir == Path(job.output_dir)
    with session_factory() as session:
        messages = [e.message for e in repository.list_events(session, job_id)]
    assert messages == ["job created (queued)", "attempt 1 started"]
    assert queue.claim_next("worker-b/1") is None


def test_per_user_running_limit(make_job: MakeJob, queue: JobQueue) -> None:
    a1, a2, a3 = make_job(priority=9), make_job(priority=9), make_job(priority=9)
    b1 = make_job(owner=1)
    limited = JobQueue(queue.factory, QueueConfig(queue.config.output_root, 30, 2))
    claimed = _claim_all(limited)
    assert claimed == [a1, a2, b1]  # a3 waits: its owner already runs two
    first = Claim(a1, 0, 1, {}, Path(), Lease("w/0", 30))
    limited.finish(first, S.SUCCEEDED, result={})
    assert _claim_all(limited) == [a3]


def test_validating_jobs_are_not_claimed(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job(validating=True)
    assert queue.claim_next("w/1") is None
    with transaction(session_factory, immediate=True) as session:
        service.mark_files_validated(session, job_id)
    claim = queue.claim_next("w/1")
    assert claim is not None and claim.job_id == job_id


def test_heartbeat_extends_only_the_owners_lease(make_job: MakeJob, queue: JobQueue) -> None:
    make_job()
    claim = queue.claim_next("w/1")
    assert claim is not None
    assert queue.heartbeat(claim) == S.RUNNING
    stranger = Claim(claim.job_id, 0, 1, {}, Path(), Lease("w/2", 30))
    with pytest.raises(LeaseLost):
        queue.heartbeat(stranger)


def _expire(factory: sessionmaker[Session], job_id: int) -> None:
    with transaction(factory, immediate=True) as session:
        job = repository.get_job(session, job_id)
        job.lease_expires_at = utcnow() - timedelta(seconds=1)


def test_stalled_job_is_requeued_with_attempt_plus_one(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job(max_attempts=2)
    claim = queue.claim_next("w/1")
    assert claim is not None
    assert queue.requeue_stalled() == []  # the lease is live
    _expire(session_factory, job_id)
    assert queue.requeue_stalled() == [job_id]
    job = load(session_factory, job_id)
    assert (job.status, job.attempt, job.lease_owner) == (S.QUEUED, 2, None)
    assert job.error is not None and job.error["code"] == "worker_lost"
    with session_factory() as session:
        last = repository.list_events(session, job_id)[-1]
    assert "requeued after lost heartbeat" in last.message

    # The old worker lost its lease: it can neither heartbeat nor write a final status.
    with pytest.raises(LeaseLost):
        queue.heartbeat(claim)
    with pytest.raises(LeaseLost):
        queue.finish(claim, S.SUCCEEDED, result={"x": 1})

    second = queue.claim_next("w/2")
    assert second is not None and second.attempt == 2
    _expire(session_factory, job_id)
    queue.requeue_stalled()
    job = load(session_factory, job_id)
    assert job.status == S.FAILED and job.error is not None
    assert job.error["code"] == "worker_lost" and "attempt 2" in job.error["message"]


def test_lease_taken_over_blocks_the_old_owner(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job()
    old = queue.claim_next("w/old")
    assert old is not None
    _expire(session_factory, job_id)
    attempt = queue.claim(job_id, "w/new")  # the Celery path recovers and takes it
    assert attempt.state == ClaimState.CLAIMED and attempt.claim is not None
    assert attempt.claim.attempt == 2
    for write in (lambda: queue.finish(old, S.FAILED, error=ErrorItem("x", "y", None)),
                  lambda: queue.fail_or_retry(old, ErrorItem("x", "y", None)),
                  lambda: queue.release(old)):  # fmt: skip
        with pytest.raises(LeaseLost):
            write()
    assert queue.finish(attempt.claim, S.SUCCEEDED, result={"ok": True}) == S.SUCCEEDED
    assert load(session_factory, job_id).result == {"ok": True}


def test_claim_of_a_given_job(make_job: MakeJob, queue: JobQueue) -> None:
    job_id = make_job()
    assert queue.claim(10_000_000, "w/1").state == ClaimState.GONE
    first = queue.claim(job_id, "w/1")
    assert first.state == ClaimState.CLAIMED
    again = queue.claim(job_id, "w/2")  # a redelivered message
    assert again.state == ClaimState.BUSY and 0 < again.retry_after <= 31
    assert first.claim is not None
    queue.finish(first.claim, S.SUCCEEDED, result={})
    assert queue.claim(job_id, "w/3").state == ClaimState.GONE


def test_retryable_failure_requeues_until_max_attempts(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job(max_attempts=2)
    error = ErrorItem("child_crashed", "exit code 3", None)
    claim = queue.claim_next("w/1")
    assert claim is not None and queue.fail_or_retry(claim, error) == S.QUEUED
    claim = queue.claim_next("w/2")
    assert claim is not None and claim.attempt == 2
    assert queue.fail_or_retry(claim, error) == S.FAILED
    job = load(session_factory, job_id)
    assert job.error == error.as_dict() and job.finished_at is not None


def test_release_does_not_spend_an_attempt(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job()
    claim = queue.claim_next("w/1")
    assert claim is not None and queue.release(claim) == S.QUEUED
    job = load(session_factory, job_id)
    assert (job.status, job.attempt) == (S.QUEUED, 1)


def test_cancel_paths(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    queued, running = make_job(priority=0), make_job(priority=1)
    claim = queue.claim_next("w/1")
    assert claim is not None and claim.job_id == running
    with transaction(session_factory, immediate=True) as session:
        assert service.cancel_job(session, queued).status == S.CANCELLED
        job = service.cancel_job(session, running)
        assert job.status == S.CANCELLING and job.cancel_requested_at is not None
        assert service.cancel_job(session, running).status == S.CANCELLING
    assert queue.heartbeat(claim) == S.CANCELLING
    # A job that failed while cancelling still ends cancelled: the user asked for that.
    assert queue.fail_or_retry(claim, ErrorItem("x", "y", None)) == S.CANCELLED
    with transaction(session_factory, immediate=True) as session, pytest.raises(InvalidTransition):
        service.cancel_job(session, running)


def test_retry_gives_a_fresh_budget(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job(max_attempts=1)
    claim = queue.claim_next("w/1")
    assert claim is not None
    queue.fail_or_retry(claim, ErrorItem("child_crashed", "boom", None))
    with transaction(session_factory, immediate=True) as session:
        job = service.retry_job(session, job_id, attempts=3)
        assert (job.status, job.attempt, job.max_attempts) == (S.QUEUED, 2, 4)
        with pytest.raises(InvalidTransition, match="only failed or cancelled"):
            service.retry_job(session, job_id, attempts=3)


def test_progress_replay_never_duplicates_rows(
    make_job: MakeJob, queue: JobQueue, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job()
    claim = queue.claim_next("w/1")
    assert claim is not None
    lines = [
        '{"type":"event","message":"a"}',
        "garbage",
        '{"type":"metric","step":1,"loss":2}',
        '{"type":"metric","step":1,"eval_loss":3}',
        '{"type":"metric","step":2,"loss":1}',
    ]
    items = [parse_line(line) for line in lines]
    events = [
        SourcedEvent(f"1:abc:{n}", i) for n, i in enumerate(items) if isinstance(i, EventItem)
    ]
    metrics = [i for i in items if isinstance(i, MetricItem)]
    for _ in range(2):  # the same lines twice (a retried batch)
        queue.record(claim, events, metrics)
    resumed = parse_line('{"type":"metric","step":2,"loss":0.5}')
    assert isinstance(resumed, MetricItem)
    queue.record(claim, [], [resumed])
    with session_factory() as session:
        stored = repository.list_events(session, job_id)
        rows = repository.list_metrics(session, job_id)
        later = repository.list_events(session, job_id, after_seq=stored[-2].seq)
    assert [e.message for e in stored][-2:] == ["a", "garbage"]
    assert [e.seq for e in stored] == sorted({e.seq for e in stored})
    assert [e.message for e in later] == ["garbage"]
    assert [(m.step, m.kind, m.loss, m.eval_loss) for m in rows] == [
        (1, "eval", None, 3.0), (1, "train", 2.0, None), (2, "train", 0.5, None)]  # fmt: skip
