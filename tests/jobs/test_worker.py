"""The worker against real child processes and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from threading import Thread

import pytest
from jobhelpers import MakeJob, load, wait_for
from sqlalchemy.orm import Session, sessionmaker

from easytune.db import transaction
from easytune.db.models import EventLevel, JobStatus
from easytune.jobs import repository, service
from easytune.jobs.execution import RunConfig
from easytune.jobs.queue import JobQueue, QueueConfig
from easytune.jobs.runner import Runner
from easytune.jobs.worker import Worker, WorkerConfig

S = JobStatus
MakeWorker = Callable[..., Worker]


def _events(factory: sessionmaker[Session], job_id: int) -> list[tuple[str, str]]:
    with factory() as session:
        return [(e.level, e.message) for e in repository.list_events(session, job_id)]


def test_success_stores_metrics_result_and_spec(
    make_job: MakeJob, make_worker: MakeWorker, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job("succeed", spec={"steps": 4})
    make_worker().run(burst=True)
    job = load(session_factory, job_id)
    assert job.status == S.SUCCEEDED and job.error is None and job.attempt == 1
    assert job.result is not None and job.result["steps"] == 4
    assert job.lease_owner is None and job.finished_at is not None
    with session_factory() as session:
        metrics = repository.list_metrics(session, job_id)
    assert [(m.step, m.loss) for m in metrics] == [(1, 1.0), (2, 0.5), (3, 1 / 3), (4, 0.25)]
    assert job.output_dir is not None
    spec = json.loads((Path(job.output_dir) / "spec.json").read_text())
    assert spec == {"mode": "succeed", "steps": 4, "output_dir": job.output_dir}


def test_always_crashing_child_fails_after_max_attempts(
    make_job: MakeJob, make_worker: MakeWorker, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job("crash", max_attempts=3)
    make_worker().run(burst=True)
    job = load(session_factory, job_id)
    assert (job.status, job.attempt) == (S.FAILED, 3)
    assert job.error is not None and job.error["code"] == "child_crashed"
    assert "exit code 3" in job.error["message"]
    assert "boom in attempt 3" in job.error["message"]  # the last attempt's stderr
    messages = [m for _, m in _events(session_factory, job_id)]
    assert sum("attempt 2 of 3 queued" in m for m in messages) == 1
    assert sum(m == "about to crash" for m in messages) == 3


@pytest.mark.parametrize(
    ("mode", "code", "attempts"),
    [("error_line", "bad_data", 1), ("no_result", "no_result", 1),
     ("sigkill_self", "killed_out_of_memory", 2)],
)  # fmt: skip
def test_failures_are_classified(
    mode: str, code: str, attempts: int, make_job: MakeJob, make_worker: MakeWorker,
    session_factory: sessionmaker[Session],
) -> None:  # fmt: skip
    job_id = make_job(mode, max_attempts=2)
    make_worker().run(burst=True)
    job = load(session_factory, job_id)
    assert job.status == S.FAILED and job.error is not None
    assert job.error["code"] == code and job.attempt == attempts
    if mode == "error_line":
        assert job.error == {
            "code": "bad_data", "message": "line 17: missing 'output'", "param": "data.train_path"
        }  # fmt: skip
    if mode == "sigkill_self":
        assert "out of memory" in job.error["message"]


def test_garbage_lines_become_log_events(
    make_job: MakeJob, make_worker: MakeWorker, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job("garbage")
    make_worker().run(burst=True)
    assert load(session_factory, job_id).status == S.SUCCEEDED
    with session_factory() as session:
        events = repository.list_events(session, job_id)
        metrics = repository.list_metrics(session, job_id)
    logs = [e.message for e in events if e.data.get("kind") == "log"]
    assert logs == ["plain text from a library", '{"half": ', "[1, 2]", '{"type": "mystery"}',
                    '{"type": "metric", "step": "x"}']  # fmt: skip
    assert (EventLevel.WARN, "real event") in [(e.level, e.message) for e in events]
    assert [(m.step, m.loss, m.extra) for m in metrics] == [
        (1, None, {"grad_norm": 2.5, "loss": "nan"})
    ]


def test_cancel_stops_a_child_that_ignores_sigterm(
    make_job: MakeJob, make_worker: MakeWorker, background: Callable[[Worker], Thread],
    session_factory: sessionmaker[Session],
) -> None:  # fmt: skip
    job_id = make_job("ignore_term")
    background(make_worker())
    wait_for(session_factory, job_id, {S.RUNNING})
    time.sleep(0.3)  # let it emit a few lines
    asked = time.monotonic()
    with session_factory() as session:  # a fresh session: cancel takes the write lock itself
        assert service.cancel_job(session, job_id).status == S.CANCELLING
        session.commit()
    job = wait_for(session_factory, job_id, {S.CANCELLED}, timeout=10)
    # heartbeat (0.3 s) + grace (1 s) + slack for a busy machine
    assert time.monotonic() - asked < 4.0
    assert job.finished_at is not None and job.error is None
    messages = [m for _, m in _events(session_factory, job_id)]
    assert any("sent SIGTERM" in m for m in messages)
    assert any("ignored SIGTERM; sent SIGKILL" in m for m in messages)


def test_stall_watchdog_warns_then_fails(
    make_job: MakeJob, make_worker: MakeWorker, session_factory: sessionmaker[Session]
) -> None:
    job_id = make_job("hang", max_attempts=1)
    run = RunConfig(heartbeat_seconds=0.3, tick_seconds=0.05, cancel_grace_seconds=0.5,
                    stall_warn_seconds=0.5, stall_fail_seconds=1.2)  # fmt: skip
    make_worker(run=run).run(burst=True)
    job = load(session_factory, job_id)
    assert job.status == S.FAILED and job.error is not None and job.error["code"] == "stalled"
    assert "no progress line for" in job.error["message"]
    assert "started, now silent" in job.error["message"]  # says where it stands
    assert any(level == "warn" and "no progress for a while" in m
               for level, m in _events(session_factory, job_id))  # fmt: skip


def test_unwritable_data_dir_fails_the_job_with_the_path(
    make_job: MakeJob, session_factory: sessionmaker[Session], runner: Runner, tmp_path: Path
) -> None:
    blocked = tmp_path / "data"
    if os.geteuid() == 0:  # root ignores permission bits: a file where a folder must go
        blocked.write_text("not a directory")
    else:
        blocked.mkdir(mode=0o500)
    queue = JobQueue(session_factory, QueueConfig(blocked / "jobs", 30, None))
    first, second = make_job("succeed"), make_job("succeed")
    Worker(queue, runner, WorkerConfig(poll_seconds=0.05)).run(burst=True)
    for job_id in (first, second):  # each fails once, clearly; the worker keeps going
        job = load(session_factory, job_id)
        assert job.status == S.FAILED and job.attempt == 1 and job.error is not None
        assert job.error["code"] == "output_dir_unwritable"
        assert str(blocked / "jobs" / str(job_id)) in job.error["message"]
        assert job.error["param"] == "data_dir"


def test_shutdown_lets_short_jobs_finish_and_releases_long_ones(
    make_job: MakeJob, make_worker: MakeWorker, background: Callable[[Worker], Thread],
    session_factory: sessionmaker[Session],
) -> None:  # fmt: skip
    short = make_job("succeed", spec={"steps": 3, "sleep": 0.3}, priority=1)
    long = make_job("hang")
    worker = make_worker(slots=2)
    thread = background(worker)
    wait_for(session_factory, short, {S.RUNNING})
    wait_for(session_factory, long, {S.RUNNING})
    worker.stop(timeout=2.0)
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert load(session_factory, short).status == S.SUCCEEDED
    released = load(session_factory, long)
    assert (released.status, released.attempt, released.lease_owner) == (S.QUEUED, 1, None)
    assert any("released back to the queue" in m for _, m in _events(session_factory, long))


def test_worker_that_lost_its_lease_stops_and_writes_nothing(
    make_job: MakeJob, make_worker: MakeWorker, background: Callable[[Worker], Thread],
    session_factory: sessionmaker[Session], queue: JobQueue,
) -> None:  # fmt: skip
    job_id = make_job("ignore_term")
    background(make_worker())
    wait_for(session_factory, job_id, {S.RUNNING})
    with transaction(session_factory, immediate=True) as session:  # another worker takes over
        job = repository.get_job(session, job_id)
        job.lease_owner = "other-worker/1"
    time.sleep(1.5)  # a few heartbeats
    job = load(session_factory, job_id)
    assert (job.status, job.lease_owner, job.finished_at) == (S.RUNNING, "other-worker/1", None)
    finals = ("job succeeded", "job failed", "job cancelled")
    assert not any(m.startswith(finals) for _, m in _events(session_factory, job_id))
    with session_factory() as session:  # the child was killed: no more progress rows
        before = len(repository.list_metrics(session, job_id))
        time.sleep(0.6)
        assert len(repository.list_metrics(session, job_id)) == before


def test_a_retry_recovers_metrics_its_killed_predecessor_never_stored(
    make_job: MakeJob,
    make_worker: MakeWorker,
    session_factory: sessionmaker[Session],
    queue: JobQueue,
) -> None:
    # Attempt 1 wrote steps 1-6 to progress.jsonl and checkpointed at 6, but its worker died
    # before storing any of them; attempt 2 resumes at step 7 and must not leave a hole.
    job_id = make_job("resume", spec={"steps": 8})
    with transaction(session_factory, immediate=True) as session:
        repository.get_job(session, job_id, lock=True).attempt = 2
    out = queue.config.output_root / str(job_id)
    (out / "checkpoints").mkdir(parents=True)
    (out / "checkpoints" / "last_step").write_text("6")
    lines = [{"type": "metric", "step": n, "loss": 1.0 / n} for n in range(1, 7)]
    (out / "progress.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    make_worker().run(burst=True)
    job = load(session_factory, job_id)
    assert job.status == S.SUCCEEDED and job.result["resumed_from"] == 6
    with session_factory() as session:
        steps = [m.step for m in repository.list_metrics(session, job_id)]
    assert steps == list(range(1, 9))
