"""Job kinds are registry entries: each has its child command and success hooks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from easytune.db.models import JobKind
from easytune.jobs.kinds import KINDS, KindEntry, get_kind, register_kind
from easytune.jobs.runner import command_runner


def test_train_runs_the_configured_runner_and_the_others_their_engines() -> None:
    runner = command_runner("python /opt/engine.py {spec}")
    spec = Path("/data/jobs/7/spec.json")
    assert get_kind("train").command(runner, spec) == ["python", "/opt/engine.py", str(spec)]
    assert get_kind("export").command(runner, spec) == [
        sys.executable, "-m", "easytune.export", "run", str(spec),
    ]  # fmt: skip
    assert get_kind("evaluation").command(runner, spec) == [
        sys.executable, "-m", "easytune.training.evaluation", "run", str(spec),
    ]  # fmt: skip


def test_every_kind_is_a_job_kind_with_importable_hooks() -> None:
    import importlib

    assert set(KINDS) == set(JobKind)  # every kind a job row may have, a worker can run
    for name, entry in KINDS.items():
        assert name in set(JobKind) and entry.name == name
        for target in entry.on_success:
            module, _, function = target.partition(":")
            assert callable(getattr(importlib.import_module(module), function))


def test_duplicates_and_unknown_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_kind(KindEntry("train", lambda r, s: [], ()))
    with pytest.raises(ValueError, match="not one of"):
        register_kind(KindEntry("distill", lambda r, s: [], ()))
    with pytest.raises(ValueError, match="no worker support for job kind 'distill'"):
        get_kind("distill")
