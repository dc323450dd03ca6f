"""Many workers claiming at once: every job is claimed exactly once (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from jobhelpers import MakeJob
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from easytune.db import create_db_engine, make_session_factory
from easytune.jobs.queue import JobQueue, QueueConfig


def _claim_until_empty(queue: JobQueue, name: str, out: list[int], pause: float = 0.0) -> None:
    while (claim := queue.claim_next(f"{name}/{len(out)}")) is not None:
        out.append(claim.job_id)
        # A worker starts the job before it claims again. Without that gap, SQLite's busy
        # handler (waiters sleep 1, 2, 5, ... ms) can let one thread win every claim in a row.
        time.sleep(pause)


def _race(queue: JobQueue, workers: int) -> list[list[int]]:
    results: list[list[int]] = [[] for _ in range(workers)]
    barrier = threading.Barrier(workers)

    def run(index: int) -> None:
        barrier.wait()
        _claim_until_empty(queue, f"t{index}", results[index], pause=0.005)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_threads_never_claim_the_same_job(
    make_job: MakeJob, db_engine: Engine, tmp_path: Path
) -> None:
    jobs = {make_job(owner=i % 3, priority=i % 4) for i in range(40)}
    queue = JobQueue(make_session_factory(db_engine), QueueConfig(tmp_path, 30, None))
    results = _race(queue, workers=8)
    counts = Counter(job for claimed in results for job in claimed)
    assert set(counts) == jobs and set(counts.values()) == {1}
    assert sum(1 for claimed in results if claimed) >= 2  # really concurrent


def test_per_user_limit_holds_under_concurrency(
    make_job: MakeJob, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    for _ in range(12):
        make_job(owner=0)
    make_job(owner=1)
    queue = JobQueue(session_factory, QueueConfig(tmp_path, 30, 2))
    results = _race(queue, workers=8)
    claimed = [job for part in results for job in part]
    assert len(claimed) == 3 and len(set(claimed)) == 3  # two of user 0, one of user 1


def _claim_in_process(url: str, root: str, name: str, out: multiprocessing.Queue) -> None:
    engine = create_db_engine(url)
    queue = JobQueue(make_session_factory(engine), QueueConfig(Path(root), 30, None))
    claimed: list[int] = []
    _claim_until_empty(queue, name, claimed)
    out.put(claimed)
    engine.dispose()


@pytest.mark.slow
def test_processes_never_claim_the_same_job(
    make_job: MakeJob, db_engine: Engine, tmp_path: Path
) -> None:
    jobs = {make_job(owner=i % 3) for i in range(40)}
    url = db_engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    procs = [
        context.Process(target=_claim_in_process, args=(url, str(tmp_path), f"p{i}", out))
        for i in range(3)
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    counts = Counter(job for claimed in results for job in claimed)
    assert set(counts) == jobs and set(counts.values()) == {1}
