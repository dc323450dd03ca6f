"""A training child gets a minimal environment: never the server's secrets (issue 11)."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from jobhelpers import MakeJob, wait_for
from sqlalchemy.orm import Session, sessionmaker

from easytune.db.models import JobStatus
from easytune.jobs.runner import Runner, command_runner
from easytune.jobs.worker import Worker

DUMP = "import json, os; json.dump(dict(os.environ), open('env.json', 'w'))"


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    script = tmp_path / "dump_env.py"
    script.write_text(DUMP + "\n")
    return command_runner(f"{sys.executable} {script} {{spec}}")


def test_the_child_sees_no_secrets(
    monkeypatch: pytest.MonkeyPatch,
    make_job: MakeJob,
    make_worker: Callable[..., Worker],
    background: Callable[[Worker], threading.Thread],
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("EASYTUNE_SECRET_KEY", "server-signing-key-never-for-children")
    monkeypatch.setenv("EASYTUNE_ADMIN_PASSWORD", "the first admin password")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "cloud credentials")
    monkeypatch.setenv("HF_HOME", "/models/hf")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    job_id = make_job()
    background(make_worker())
    wait_for(session_factory, job_id, {JobStatus.FAILED, JobStatus.SUCCEEDED}, timeout=60)
    env = json.loads(next((tmp_path / "jobs").rglob("env.json")).read_text())
    secrets = {"EASYTUNE_SECRET_KEY", "EASYTUNE_ADMIN_PASSWORD", "AWS_SECRET_ACCESS_KEY"}
    assert not secrets & set(env)
    assert env["HF_HOME"] == "/models/hf" and env["CUDA_VISIBLE_DEVICES"] == "0"
    assert env["PATH"] and env["EASYTUNE_JOB_ID"] == str(job_id)
