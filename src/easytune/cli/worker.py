"""`easytune worker`: run jobs from the queue (local executor) or from Celery."""

from __future__ import annotations

import logging

import click

from easytune.cli.platform import with_settings
from easytune.settings import Settings


@click.command("worker")
@click.option(
    "--slots",
    type=click.IntRange(1, 64),
    default=None,
    help="Jobs run at once (default EASYTUNE_WORKER_SLOTS, 1).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "celery"]),
    default=None,
    help="Where jobs come from (default EASYTUNE_EXECUTOR, local).",
)
@click.option("--burst", is_flag=True, help="Local executor: exit once no job is left to run.")
@with_settings
def worker_command(
    settings: Settings, slots: int | None, executor: str | None, burst: bool
) -> None:  # fmt: skip
    """Claim queued jobs and run each in a training child process."""
    from easytune.jobs.executors import get_executor

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        get_executor(settings, executor).run_worker(slots=slots, burst=burst)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def register(group: click.Group) -> None:
    """Attach `easytune worker`."""
    group.add_command(worker_command)
