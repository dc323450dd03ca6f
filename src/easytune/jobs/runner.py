"""Runners: how a job's child command is built from its spec file, registered by name."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from easytune.settings import Settings

Runner = Callable[[Path], list[str]]
RunnerFactory = Callable[[Settings], Runner]

SPEC_PLACEHOLDER = "{spec}"


def training_command(spec_path: Path) -> list[str]:
    """The training engine: reads the spec, writes progress lines and artifacts."""
    return [sys.executable, "-m", "easytune.training", "run", str(spec_path)]


def command_runner(template: str) -> Runner:
    """A runner from an argv template such as `python wrapper.py {spec}` (set by the admin)."""
    argv = shlex.split(template)
    if not argv or not any(SPEC_PLACEHOLDER in part for part in argv):
        raise ValueError(
            f"EASYTUNE_JOB_COMMAND: {template!r} must be a command containing {SPEC_PLACEHOLDER}"
            ", e.g. 'python /opt/engine.py {spec}'"
        )

    def build(spec_path: Path) -> list[str]:
        return [part.replace(SPEC_PLACEHOLDER, str(spec_path)) for part in argv]

    return build


RUNNERS: dict[str, RunnerFactory] = {
    "training": lambda settings: training_command,
    "command": lambda settings: command_runner(settings.job_command),
}


def register_runner(name: str, factory: RunnerFactory) -> None:
    """Add a runner; names are unique."""
    if name in RUNNERS:
        raise ValueError(f"runner {name!r} is already registered")
    RUNNERS[name] = factory


def resolve_runner(settings: Settings) -> Runner:
    """The runner named by EASYTUNE_JOB_RUNNER."""
    factory = RUNNERS.get(settings.job_runner)
    if factory is None:
        known = ", ".join(sorted(RUNNERS))
        raise ValueError(
            f"EASYTUNE_JOB_RUNNER: unknown runner {settings.job_runner!r}; use {known}"
        )
    return factory(settings)
