"""Queue latency: time from `queued` to `running` with an idle local worker.

Starts a real `easytune worker` process on a fresh database, submits ~20 jobs one at a time
(each with a trivial child that prints a result line), and prints p50/p95 of
started_at - queued_at and of finished_at - queued_at.

    .venv/bin/python bench/queue_latency.py [--jobs 20] [--poll 1.0] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from easytune.db import create_db_engine, make_session_factory, transaction  # noqa: E402
from easytune.db.migrate import upgrade_database  # noqa: E402
from easytune.db.models import Job, JobStatus, Role, User  # noqa: E402
from easytune.jobs import repository, service  # noqa: E402
from easytune.testing.benchprint import emit, percentile  # noqa: E402

CHILD = 'import json; print(json.dumps({"type": "result", "ok": True}), flush=True)'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--poll", type=float, default=1.0, help="EASYTUNE_JOB_POLL_SECONDS")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="easytune-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        user = User(username=f"bench{os.getpid()}", password_hash="x", role=Role.ENGINEER)
        session.add(user)
        session.flush()
        owner = user.id
    child = tmp / "child.py"
    child.write_text(CHILD + "\n")
    env = {
        **os.environ, "PYTHONPATH": str(SRC), "EASYTUNE_DATABASE_URL": url,
        "EASYTUNE_DATA_DIR": str(tmp / "data"), "EASYTUNE_JOB_RUNNER": "command",
        "EASYTUNE_JOB_COMMAND": f"{sys.executable} {child} {{spec}}",
        "EASYTUNE_JOB_POLL_SECONDS": str(args.poll),
    }  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-m", "easytune", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        to_running, to_done = run_jobs(factory, owner, args.jobs)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        engine.dispose()
    rows = [row("queued -> running", to_running), row("queued -> succeeded", to_done)]
    p95 = rows[0]["p95 ms"]
    emit("queue_latency", rows, summary={"queued -> running p95 ms (target < 1000)": p95},
         notes=[f"{url.split(':', 1)[0]}, worker poll {args.poll:g} s"])  # fmt: skip


def run_jobs(
    factory: sessionmaker[Session], owner: int, count: int
) -> tuple[list[float], list[float]]:
    to_running, to_done = [], []
    for index in range(count + 1):
        time.sleep(random.uniform(0.05, 0.5))  # do not phase-lock with the worker's poll
        with transaction(factory, immediate=True) as session:
            job_id = service.submit_job(session, owner_id=owner, name=f"b{index}", spec={}).id
        job = wait_done(factory, job_id)
        assert job.status == JobStatus.SUCCEEDED, job.error
        if index == 0:
            continue  # the first one includes the worker's start-up
        assert job.started_at and job.queued_at and job.finished_at
        to_running.append((job.started_at - job.queued_at).total_seconds())
        to_done.append((job.finished_at - job.queued_at).total_seconds())
    return to_running, to_done


def wait_done(factory: sessionmaker[Session], job_id: int) -> Job:
    while True:
        with factory() as session:
            job = repository.get_job(session, job_id)
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return job
        time.sleep(0.02)


def row(name: str, values: list[float]) -> dict[str, str | int | float]:
    return {
        "interval": name, "n": len(values), "p50 ms": statistics.median(values) * 1000,
        "p95 ms": percentile(values, 95) * 1000, "max ms": max(values) * 1000,
    }  # fmt: skip


if __name__ == "__main__":
    main()
