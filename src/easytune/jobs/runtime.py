"""What a worker process needs, built once from the settings: engine, queue, runner."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from easytune.db import create_db_engine, make_session_factory
from easytune.db.migrate import upgrade_database
from easytune.jobs.execution import RunConfig, Shutdown
from easytune.jobs.queue import JobQueue, QueueConfig
from easytune.jobs.runner import Runner, resolve_runner
from easytune.jobs.worker import run_config
from easytune.settings import Settings


@dataclass
class WorkerRuntime:
    settings: Settings
    engine: Engine
    queue: JobQueue
    runner: Runner
    run_config: RunConfig
    shutdown: Shutdown = field(default_factory=Shutdown)

    def close(self) -> None:
        self.engine.dispose()


def open_runtime(settings: Settings) -> WorkerRuntime:
    """Connect (migrating first when EASYTUNE_AUTO_MIGRATE is on) and resolve the runner."""
    runner = resolve_runner(settings)  # a bad runner setting fails before anything starts
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.database_url)
    if settings.auto_migrate:
        upgrade_database(engine)
    queue = JobQueue(make_session_factory(engine), QueueConfig.from_settings(settings))
    return WorkerRuntime(settings, engine, queue, runner, run_config(settings))
