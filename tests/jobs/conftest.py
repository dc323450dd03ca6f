"""Fixtures for the jobs tests: users, a queue on the real database, a test child runner."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jobhelpers import CHILD, FAST, MakeJob
from sqlalchemy.orm import Session, sessionmaker

from easytune.db import transaction, utcnow
from easytune.db.models import Role, User
from easytune.jobs import service
from easytune.jobs.execution import RunConfig
from easytune.jobs.queue import JobQueue, QueueConfig
from easytune.jobs.runner import Runner, command_runner
from easytune.jobs.worker import Worker, WorkerConfig


@pytest.fixture
def users(session_factory: sessionmaker[Session]) -> list[int]:
    """Three users; their ids."""
    with transaction(session_factory) as session:
        rows = [User(username=f"u{i}", password_hash="x", role=Role.ENGINEER) for i in range(3)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


@pytest.fixture
def make_job(session_factory: sessionmaker[Session], users: list[int]) -> MakeJob:
    """Enqueue a job (committed) and return its id; spec defaults to a succeeding child."""

    def make(mode: str = "succeed", *, owner: int = 0, **kwargs: Any) -> int:
        spec = {"mode": mode, **kwargs.pop("spec", {})}
        with transaction(session_factory, immediate=True) as session:
            job = service.enqueue(
                session, owner_id=users[owner], name=kwargs.pop("name", mode), spec=spec,
                now=kwargs.pop("now", None) or utcnow(), **kwargs,
            )  # fmt: skip
            return job.id

    return make


@pytest.fixture
def queue(session_factory: sessionmaker[Session], tmp_path: Path) -> JobQueue:
    return JobQueue(session_factory, QueueConfig(output_root=tmp_path / "jobs", lease_seconds=30))


@pytest.fixture
def runner() -> Runner:
    return command_runner(f"{sys.executable} {CHILD} {{spec}}")


@pytest.fixture
def make_worker(queue: JobQueue, runner: Runner) -> Callable[..., Worker]:
    def make(run: RunConfig = FAST, **kwargs: Any) -> Worker:
        config = WorkerConfig(poll_seconds=0.05, sweep_seconds=0.2, run=run, **kwargs)
        return Worker(queue, runner, config)

    return make


@pytest.fixture
def background() -> Iterator[Callable[[Worker], threading.Thread]]:
    """Run workers in threads; stopped (jobs released at once) after the test."""
    started: list[tuple[Worker, threading.Thread]] = []

    def start(worker: Worker) -> threading.Thread:
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        started.append((worker, thread))
        return thread

    yield start
    for worker, thread in started:
        worker.stop(0)
        thread.join(timeout=15)
