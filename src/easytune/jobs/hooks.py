"""What runs in the transaction that marks a job succeeded, registered by name.

Targets are "module:function" strings resolved on first use, so the queue needs no import of
the layers above it (the model registry in easytune.core registers the job's adapter). A hook
raising ArtifactRejected turns the success into a failure with that reason: only a verified
artifact makes a success.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from sqlalchemy.orm import Session

from easytune.db.models.jobs import Job

SuccessHook = Callable[[Session, Job], None]

SUCCESS_HOOKS: dict[str, str] = {
    "register_adapter": "easytune.core.adapters:register_job_adapter",
}


def register_success_hook(name: str, target: str) -> None:
    """Add a hook; names are unique."""
    if name in SUCCESS_HOOKS:
        raise ValueError(f"success hook {name!r} is already registered")
    SUCCESS_HOOKS[name] = target


@cache
def _resolve(target: str) -> SuccessHook:
    module, _, function = target.partition(":")
    hook: SuccessHook = getattr(importlib.import_module(module), function)
    return hook


def run_success_hooks(session: Session, job: Job) -> None:
    """Run every hook, in registration order, inside the caller's transaction."""
    for target in SUCCESS_HOOKS.values():
        _resolve(target)(session, job)
