"""Runners: how a job's child command is built from its spec file, registered by name."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from easytune.settings import Settings

Runner = Callable[[Path], list[str]]
RunnerFactory = Callable[[Settings], Runner]

SPEC_PLACEHOLDER = "{spec}"


def training_command(spec_path: Path) -> list[str]:
    """The training engine: reads the spec, writes progress lines and artifacts; under
    torchrun (one process per device) when the spec asks for several processes."""
    engine = ["-m", "easytune.training", "run", str(spec_path)]
    processes = spec_processes(spec_path)
    if processes > 1:
        return [sys.executable, *torchrun_args(processes), *engine]
    return [sys.executable, *engine]


def torchrun_args(processes: int) -> list[str]:
    """torchrun on this host: its own rendezvous on a free local port, no restarts (the
    queue retries a failed attempt from its newest checkpoint instead)."""
    return [
        "-m", "torch.distributed.run", "--standalone",
        f"--nproc-per-node={processes}", "--max-restarts=0",
    ]  # fmt: skip


def spec_processes(spec_path: Path) -> int:
    """train.num_processes of a spec file (1 when absent or unreadable: the engine reports)."""
    try:
        value = json.loads(spec_path.read_text(encoding="utf-8"))["train"]["num_processes"]
    except (OSError, ValueError, KeyError, TypeError):
        return 1
    return value if isinstance(value, int) and value > 0 else 1


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
