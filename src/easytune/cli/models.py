"""`easytune models import PATH --name NAME`: register a base model from the server's shell;
`easytune models import-adapter ZIP --name NAME --base ID`: import a scanned, probed adapter;
`easytune models reprobe ID`: run an imported adapter's probes again.

The probes are a queued job of kind `evaluation`, like any job: with --wait (the default) this
command runs it here through the queue (or follows the worker that claimed it first)."""

from __future__ import annotations

from typing import Any

import click

from easytune.cli.platform import _db_session, _run_service, with_settings
from easytune.settings import Settings


@click.group("models")
def models_group() -> None:
    """The model registry."""


@models_group.command("import")
@click.argument("path")
@click.option("--name", default=None, help="Registry name [default: the folder or file name].")
@click.option(
    "--private", is_flag=True, help="Visible to admins only (default: shared with everyone)."
)
@with_settings
def models_import(settings: Settings, path: str, name: str | None, private: bool) -> None:
    """Register a Hugging Face folder or a GGUF file as a base model (checked: it loads)."""
    from easytune.core import models
    from easytune.core.audit import CLI
    from easytune.db.models import Visibility

    visibility = Visibility.PRIVATE if private else Visibility.SHARED
    request = models.BaseModelRequest(path, name, visibility)
    with _db_session(settings) as session:
        model = _run_service(lambda: models.register_base_model(session, None, request, CLI))
        click.echo(f"registered {model.name} v{model.version} as {model.id} ({model.path})")


WAIT_HELP = (
    "Run the probe job here and wait for its verdict (default); --no-wait leaves it queued "
    "for `easytune worker`."
)


@models_group.command("import-adapter")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", required=True, help="Registry name of the adapter.")
@click.option("--base", "base_model_id", required=True, help="Id of the base model it adapts.")
@click.option("--owner", default="admin", show_default=True, help="User who will own it.")
@click.option("--wait/--no-wait", default=True, help=WAIT_HELP)
@with_settings
def models_import_adapter(
    settings: Settings, archive: str, name: str, base_model_id: str, owner: str, wait: bool
) -> None:
    """Import a PEFT LoRA adapter zip: scanned, then probed by a queued job; usable once both
    pass (exit 1 otherwise)."""
    model_id, job_id = _scan_and_register(settings, archive, name, base_model_id, owner)
    click.echo(f"scan passed: registered as {model_id}; probe job {job_id} queued")
    _finish(settings, model_id, job_id, wait)


@models_group.command("reprobe")
@click.argument("model_id")
@click.option("--wait/--no-wait", default=True, help=WAIT_HELP)
@with_settings
def models_reprobe(settings: Settings, model_id: str, wait: bool) -> None:
    """Run the safety and general probes of an imported adapter again (it is unusable until
    the new verdict); exit 1 unless it comes out usable."""
    from easytune.core.audit import CLI
    from easytune.core.imports import probes
    from easytune.db.repositories import users as user_repo

    with _db_session(settings) as session:
        model = session.get(_model_class(), model_id)
        owner = user_repo.get(session, model.owner_id) if model and model.owner_id else None
        if owner is None:
            raise click.ClickException(f"no imported adapter {model_id}")
        model = _run_service(
            lambda: probes.reprobe(session, settings, owner, model_id, _executor(settings), CLI)
        )
        job_id = _probe_job_id(model)
    click.echo(f"{model_id}: probe job {job_id} queued")
    _finish(settings, model_id, job_id, wait)


def _finish(settings: Settings, model_id: str, job_id: int, wait: bool) -> None:
    if not wait:
        click.echo(f"{model_id}: probing (an `easytune worker` runs job {job_id})")
        return
    job_status = _run_job_here(settings, job_id)
    with _db_session(settings) as session:
        model = session.get(_model_class(), model_id)
        status = model.import_status if model is not None else "deleted"
    click.echo(f"probe job {job_id}: {job_status}")
    click.echo(f"{model_id}: {status}")
    if status != "usable":
        raise SystemExit(1)


def _run_job_here(settings: Settings, job_id: int) -> str:
    """Run one queued job through the queue, as a worker slot would, until it is final (a
    worker that claimed it first is followed instead); its final status."""
    import os
    import time

    from easytune.db.models import Job
    from easytune.jobs.execution import JobExecution
    from easytune.jobs.runtime import open_runtime
    from easytune.jobs.service import ClaimState

    runtime = open_runtime(settings)
    try:
        while True:
            attempt = runtime.queue.claim(job_id, f"cli-{os.getpid()}/1")
            if attempt.state == ClaimState.CLAIMED and attempt.claim is not None:
                JobExecution(runtime.queue, attempt.claim, runtime.runner, runtime.run_config).run()
                continue  # a retryable failure queues the next attempt
            with runtime.queue.factory() as session:
                job = session.get(Job, job_id)
                status = str(job.status) if job else "gone"
            if attempt.state == ClaimState.GONE and status in {"succeeded", "failed", "cancelled"}:
                return status
            time.sleep(max(attempt.retry_after, 1.0))
    finally:
        runtime.close()


def _executor(settings: Settings) -> Any:
    from easytune.jobs.executors import get_executor

    return get_executor(settings)


def _probe_job_id(model: Any) -> int:
    return int((model.import_report or {})["probe_job_id"])


def _model_class() -> Any:
    from easytune.db.models import ModelRecord

    return ModelRecord


def _scan_and_register(
    settings: Settings, archive: str, name: str, base_model_id: str, owner: str
) -> tuple[str, int]:
    from pathlib import Path

    from easytune.core.audit import CLI
    from easytune.core.errors import EasyTuneError
    from easytune.core.imports.service import AdapterRefused, AdapterUpload, import_adapter
    from easytune.core.storage import CHUNK_BYTES
    from easytune.db.repositories import users as user_repo

    with _db_session(settings) as session, Path(archive).open("rb") as handle:
        user = user_repo.get_by_username(session, owner)
        if user is None:
            raise click.BadParameter(f"no user {owner!r}", param_hint="--owner")
        chunks = iter(lambda: handle.read(CHUNK_BYTES), b"")
        upload = AdapterUpload(chunks, name, base_model_id)
        try:
            model = import_adapter(session, settings, user, upload, CLI, _executor(settings))
        except AdapterRefused as exc:  # the audit row of the refusal is committed
            refused = exc
        except EasyTuneError as exc:
            raise click.ClickException(exc.message) from None
        else:
            return model.id, _probe_job_id(model)
    for reason in refused.problems:
        click.echo(f"refused: [{reason['code']}] {reason['message']}", err=True)
    raise SystemExit(1)


def register(group: click.Group) -> None:
    """Attach `easytune models` to the `easytune` group."""
    group.add_command(models_group)
