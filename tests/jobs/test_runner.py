"""Runner registry, executor registry and the jobs settings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from easytune.jobs.executors import LocalExecutor, get_executor
from easytune.jobs.runner import command_runner, register_runner, resolve_runner
from easytune.settings import Settings, SettingsError, load_settings


def test_training_runner_is_the_engine_cli(tmp_path: Path) -> None:
    runner = resolve_runner(Settings(data_dir=tmp_path))
    assert runner(Path("/j/spec.json")) == [
        sys.executable, "-m", "easytune.training", "run", "/j/spec.json"
    ]  # fmt: skip


def test_command_runner_needs_the_spec_placeholder(tmp_path: Path) -> None:
    assert command_runner("python x.py --spec {spec}")(Path("/s.json"))[-1] == "/s.json"
    with pytest.raises(ValueError, match=r"EASYTUNE_JOB_COMMAND.*\{spec\}"):
        resolve_runner(Settings(data_dir=tmp_path, job_runner="command", job_command="python"))
    with pytest.raises(ValueError, match="unknown runner 'nope'; use command, training"):
        resolve_runner(Settings(data_dir=tmp_path, job_runner="nope"))
    with pytest.raises(ValueError, match="already registered"):
        register_runner("training", lambda settings: command_runner("{spec}"))


def test_executor_registry(tmp_path: Path) -> None:
    assert isinstance(get_executor(Settings(data_dir=tmp_path)), LocalExecutor)
    with pytest.raises(ValueError, match="unknown executor"):
        get_executor(Settings(data_dir=tmp_path), "k8s")


def test_heartbeat_must_fit_in_the_lease(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="EASYTUNE_JOB_HEARTBEAT_SECONDS: must be at most"):
        load_settings(data_dir=tmp_path, job_lease_seconds=10, job_heartbeat_seconds=6)
