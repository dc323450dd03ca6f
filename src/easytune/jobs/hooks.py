"""What runs in the transaction that marks a job succeeded: the hooks of the job's kind.

Targets are "module:function" strings (easytune.jobs.kinds) resolved on first use, so the
queue needs no import of the layers above it (the model registry in easytune.core registers
the job's adapter or export). A hook raising ArtifactRejected turns the success into a
failure with that reason: only a verified artifact makes a success. Status hooks run when a
job ends without success or is queued again by a retry (an imported adapter's probe job
marks the adapter `probe_failed`, then `probing` again).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from sqlalchemy.orm import Session

from easytune.db.models.jobs import Job
from easytune.jobs.kinds import get_kind

SuccessHook = Callable[[Session, Job], None]


@cache
def _resolve(target: str) -> SuccessHook:
    module, _, function = target.partition(":")
    hook: SuccessHook = getattr(importlib.import_module(module), function)
    return hook


def run_success_hooks(session: Session, job: Job) -> None:
    """Run the job kind's hooks, in order, inside the caller's transaction."""
    for target in get_kind(job.kind).on_success:
        _resolve(target)(session, job)


def run_status_hooks(session: Session, job: Job) -> None:
    """Run the kind's status hooks (failed, cancelled, retried) in the caller's transaction."""
    for target in get_kind(job.kind).on_status:
        _resolve(target)(session, job)
