"""Job kinds, registered by name: the child command a kind runs and what its success does.

One queue, one status flow: a kind adds a child command and success hooks, nothing else.
`train` runs the configured runner (EASYTUNE_JOB_RUNNER); `export` runs the export engine;
`evaluation` runs the comparison of several models on the probe sets.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from easytune.db.models.jobs import JobKind
from easytune.jobs.runner import Runner

# The child command from (the worker's configured runner, the spec file).
KindCommand = Callable[[Runner, Path], list[str]]


@dataclass(frozen=True)
class KindEntry:
    """How a job of one kind runs and what its success registers."""

    name: str
    command: KindCommand
    # "module:function" targets run in the transaction that marks the job succeeded; one
    # raising ArtifactRejected turns the success into a failure (easytune.jobs.service).
    on_success: tuple[str, ...]
    # Targets run in the transaction that ends a job without success (failed, cancelled) or
    # queues it again on a user's retry; they read the job's new status.
    on_status: tuple[str, ...] = ()


def configured_command(runner: Runner, spec_path: Path) -> list[str]:
    """The worker's configured runner (the training engine, or the admin's own command)."""
    return runner(spec_path)


def export_command(runner: Runner, spec_path: Path) -> list[str]:
    """The export engine: merge, GGUF or GGUF LoRA, verified in llama.cpp."""
    return [sys.executable, "-m", "easytune.export", "run", str(spec_path)]


def evaluation_command(runner: Runner, spec_path: Path) -> list[str]:
    """The comparison child: every listed model answers the probe sets, then judged."""
    return [sys.executable, "-m", "easytune.training.evaluation", "run", str(spec_path)]


KINDS: dict[str, KindEntry] = {
    JobKind.TRAIN: KindEntry(
        JobKind.TRAIN, configured_command, ("easytune.core.adapters:register_job_adapter",)
    ),
    JobKind.EXPORT: KindEntry(
        JobKind.EXPORT, export_command, ("easytune.core.exports:register_job_export",)
    ),
    JobKind.EVALUATION: KindEntry(
        JobKind.EVALUATION,
        evaluation_command,
        (
            "easytune.core.comparisons:check_job_comparison",
            "easytune.core.imports.probes:record_probe_job",  # an imported adapter's probes
        ),
        ("easytune.core.imports.probes:probe_job_moved",),
    ),
}


def register_kind(entry: KindEntry) -> None:
    """Add a kind; names are unique and must be a JobKind value (the table's check)."""
    if entry.name in KINDS:
        raise ValueError(f"job kind {entry.name!r} is already registered")
    if entry.name not in set(JobKind):
        raise ValueError(f"job kind {entry.name!r} is not one of {[k.value for k in JobKind]}")
    KINDS[entry.name] = entry


def get_kind(name: str) -> KindEntry:
    """The entry of a kind; a clear error for one no worker here can run."""
    entry = KINDS.get(name)
    if entry is None:
        raise ValueError(f"no worker support for job kind {name!r}; known: {', '.join(KINDS)}")
    return entry
