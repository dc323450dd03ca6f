"""The Celery executor with a real `celery worker` process over the real Redis."""

from __future__ import annotations

import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from jobhelpers import load, wait_for
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from test_worker_process import worker_env

from easytune.core import dashboard
from easytune.db.models import JobStatus
from easytune.jobs import repository, service
from easytune.jobs.executors import CeleryExecutor, get_executor
from easytune.settings import Settings

BROKER = "redis://127.0.0.1:6379/0"
S = JobStatus


@pytest.fixture
def celery_setup(db_engine: Engine, tmp_path: Path) -> Iterator[Settings]:
    """A celery worker on a queue of its own; yields the API side's settings."""
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis at {BROKER} unreachable: {exc}")
    queue = f"easytune-test-{uuid.uuid4().hex[:10]}"
    env = worker_env(
        db_engine, tmp_path / "data", EASYTUNE_BROKER_URL=BROKER, EASYTUNE_CELERY_QUEUE=queue
    )
    log = (tmp_path / "celery.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "easytune.jobs.celery_worker", "worker",
         "--pool=solo", "-Q", queue, "--loglevel=INFO", "--without-heartbeat",
         "--without-gossip", "--without-mingle"],
        env=env, stdout=log, stderr=log,
    )  # fmt: skip
    settings = Settings(
        data_dir=tmp_path / "api", database_url=env["EASYTUNE_DATABASE_URL"],
        executor="celery", broker_url=BROKER, celery_queue=queue,
    )  # fmt: skip
    try:
        yield settings
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
            redis.Redis.from_url(BROKER).delete(queue)
    assert proc.returncode == 0, (tmp_path / "celery.log").read_text()[-3000:]


def _submit(factory: sessionmaker[Session], executor: CeleryExecutor, owner: int, mode: str,
            **kwargs: object) -> int:  # fmt: skip
    with factory() as session:
        job = service.submit_job(session, owner_id=owner, name=mode, spec={"mode": mode},
                                 executor=executor, **kwargs)  # type: ignore[arg-type]  # fmt: skip
        session.commit()  # the task is sent only now
        return job.id


@pytest.mark.slow
def test_celery_worker_runs_jobs_and_ignores_redelivery(
    celery_setup: Settings, users: list[int], session_factory: sessionmaker[Session]
) -> None:
    executor = get_executor(celery_setup)
    assert isinstance(executor, CeleryExecutor)
    ok = _submit(session_factory, executor, users[0], "succeed")
    crashing = _submit(session_factory, executor, users[0], "crash", max_attempts=2)
    job = wait_for(session_factory, ok, {S.SUCCEEDED, S.FAILED}, timeout=60)
    assert job.status == S.SUCCEEDED and job.result is not None

    executor.submit(ok)  # a duplicated / redelivered message: harmless
    failed = wait_for(session_factory, crashing, {S.FAILED}, timeout=60)
    assert failed.attempt == 2 and failed.error is not None  # the retry was re-sent
    assert failed.error["code"] == "child_crashed"
    with session_factory() as session:
        started = [e for e in repository.list_events(session, ok) if "started" in e.message]
    assert len(started) == 1 and load(session_factory, ok).attempt == 1
    with session_factory() as session:  # the Celery worker announced itself to the dashboard
        [worker] = [w for w in dashboard.workers(session) if w.executor == "celery"]
    assert worker.online and worker.slots >= 1


def test_rolled_back_submission_sends_nothing(
    users: list[int], session_factory: sessionmaker[Session]
) -> None:
    sent: list[int] = []

    class Recorder:
        def submit(self, job_id: int) -> None:
            sent.append(job_id)

    with session_factory() as session:
        service.submit_job(session, owner_id=users[0], name="x", spec={}, executor=Recorder())
        session.rollback()
        session.commit()  # a later commit must not announce the rolled-back job
        job = service.submit_job(session, owner_id=users[0], name="y", spec={},
                                 executor=Recorder())  # fmt: skip
        assert sent == []
        session.commit()
    assert sent == [job.id]
