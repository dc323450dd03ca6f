"""Executors: how a queued job reaches a worker (Airflow-style), registered by name.

`local`: workers claim jobs from the database; `submit` has nothing to do.
`celery`: `submit` sends the job id over the broker; Celery workers claim and run it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from easytune.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger("easytune.jobs.executors")


class Executor(Protocol):
    """API side: `submit` after commit. Worker side: `run_worker` until stopped."""

    def submit(self, job_id: int) -> None: ...

    def run_worker(self, *, slots: int | None = None, burst: bool = False) -> None: ...


class LocalExecutor:
    """Workers poll the database; nothing else to run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def submit(self, job_id: int) -> None:
        """Nothing to send: an idle worker finds the job within EASYTUNE_JOB_POLL_SECONDS."""

    def run_worker(self, *, slots: int | None = None, burst: bool = False) -> None:
        """Run a local worker in this process until SIGTERM/SIGINT (or idle, with burst)."""
        from easytune.jobs.runtime import open_runtime
        from easytune.jobs.worker import Worker, WorkerConfig

        runtime = open_runtime(self.settings)
        worker = Worker(
            runtime.queue, runtime.runner, WorkerConfig.from_settings(self.settings, slots)
        )
        worker.install_signal_handlers()
        try:
            worker.run(burst=burst)
        finally:
            runtime.close()


class CeleryExecutor:
    """Job ids travel over Celery (Redis by default); the database still decides who runs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def app(self) -> Celery:
        from easytune.jobs.celery_app import make_celery_app

        return make_celery_app(self.settings)

    def submit(self, job_id: int) -> None:
        """Send the job id to the Celery queue."""
        from easytune.jobs.celery_app import submit

        submit(self.app, self.settings, job_id)

    def run_worker(self, *, slots: int | None = None, burst: bool = False) -> None:
        """Run a Celery worker on EASYTUNE_CELERY_QUEUE with `slots` concurrent jobs."""
        if burst:
            raise ValueError("--burst works with the local executor only")
        count = slots or self.settings.worker_slots
        pool = "solo" if count == 1 else "threads"  # the jobs' work happens in child processes
        self.app.worker_main(
            ["worker", f"--pool={pool}", f"--concurrency={count}",
             "-Q", self.settings.celery_queue, "--loglevel=INFO"]
        )  # fmt: skip


EXECUTORS: dict[str, Callable[[Settings], Executor]] = {
    "local": LocalExecutor,
    "celery": CeleryExecutor,
}


def get_executor(settings: Settings, name: str | None = None) -> Executor:
    """The executor named (default: EASYTUNE_EXECUTOR)."""
    chosen = name or settings.executor
    if chosen not in EXECUTORS:
        raise ValueError(f"unknown executor {chosen!r}; use one of {', '.join(sorted(EXECUTORS))}")
    return EXECUTORS[chosen](settings)
