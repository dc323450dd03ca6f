"""Real `easytune worker` processes: SIGKILL one mid-run, a second one recovers the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jobhelpers import CHILD, MakeJob, load, wait_for
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from easytune.db.models import JobStatus
from easytune.jobs import repository

SRC = Path(__file__).resolve().parents[2] / "src"
S = JobStatus


def worker_env(db_engine: Engine, data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment of a worker process on the test database, running the test child."""
    return {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "EASYTUNE_DATABASE_URL": db_engine.url.render_as_string(hide_password=False),
        "EASYTUNE_DATA_DIR": str(data_dir),
        "EASYTUNE_JOB_RUNNER": "command",
        "EASYTUNE_JOB_COMMAND": f"{sys.executable} {CHILD} {{spec}}",
        "EASYTUNE_JOB_LEASE_SECONDS": "2",
        "EASYTUNE_JOB_HEARTBEAT_SECONDS": "0.4",
        "EASYTUNE_JOB_POLL_SECONDS": "0.2",
        "EASYTUNE_JOBS_PER_USER_RUNNING": "0",
        **extra,
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "easytune", "worker"], env=env, stdout=out, stderr=out
        )


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in "ZX"


def _wait_step(factory: sessionmaker[Session], job_id: int, step: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with factory() as session:
            if any(m.step >= step for m in repository.list_metrics(session, job_id)):
                return
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached step {step}")


@pytest.mark.slow
def test_sigkilled_worker_job_is_recovered_and_resumed(
    make_job: MakeJob, db_engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    job_id = make_job("resume", spec={"steps": 25, "sleep": 0.1}, max_attempts=3)
    env = worker_env(db_engine, tmp_path / "data")
    first = start_worker(env, tmp_path / "worker1.log")
    second = None
    try:
        _wait_step(session_factory, job_id, 5, timeout=30)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        with session_factory() as session:
            started = [
                e for e in repository.list_events(session, job_id) if e.message == "starting"
            ]
        orphan = started[0].data["pid"]
        time.sleep(0.3)
        assert not _alive(orphan), "the child of a killed worker must die with it"

        second = start_worker(env, tmp_path / "worker2.log")
        job = wait_for(session_factory, job_id, {S.SUCCEEDED, S.FAILED}, timeout=40)
        assert job.status == S.SUCCEEDED, (tmp_path / "worker2.log").read_text()[-3000:]
        assert job.attempt == 2 and job.result is not None
        assert job.result["resumed_from"] >= 5  # resumed from its checkpoint, not from 0
        with session_factory() as session:
            events = [e.message for e in repository.list_events(session, job_id)]
            steps = [(m.step, m.kind) for m in repository.list_metrics(session, job_id)]
        assert any("requeued after lost heartbeat" in m for m in events)
        assert steps == [(step, "train") for step in range(1, 26)]  # every step once
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=20)
    assert second is not None and second.returncode == 0  # graceful stop on SIGTERM
    assert load(session_factory, job_id).status == S.SUCCEEDED
