"""`easytune models import PATH --name NAME`: register a base model from the server's shell;
`easytune models import-adapter ZIP --name NAME --base ID`: import a scanned, probed adapter."""

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


@models_group.command("import-adapter")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", required=True, help="Registry name of the adapter.")
@click.option("--base", "base_model_id", required=True, help="Id of the base model it adapts.")
@click.option("--owner", default="admin", show_default=True, help="User who will own it.")
@with_settings
def models_import_adapter(
    settings: Settings, archive: str, name: str, base_model_id: str, owner: str
) -> None:
    """Import a PEFT LoRA adapter zip: scanned, then probed; usable once both pass."""
    from easytune.core.imports import probes

    model_id = _scan_and_register(settings, archive, name, base_model_id, owner)
    click.echo(f"scan passed: registered as {model_id}; running the probes...")
    with _db_session(settings) as session:
        model = _get(session, model_id)
        assert model.base_model_id is not None
        command = probes.probe_command(settings, _get(session, model.base_model_id), model)
    report = probes.run_probes(command, settings.import_probe_timeout_seconds)
    with _db_session(settings) as session:
        probes.record_verdict(session, model_id, report)
        status = _get(session, model_id).import_status
    click.echo(f"{model_id}: {status}")
    if status != "usable":
        raise SystemExit(1)


def _scan_and_register(
    settings: Settings, archive: str, name: str, base_model_id: str, owner: str
) -> str:
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
            model = import_adapter(session, settings, user, upload, CLI)
        except AdapterRefused as exc:  # the audit row of the refusal is committed
            refused = exc
        except EasyTuneError as exc:
            raise click.ClickException(exc.message) from None
        else:
            return model.id
    for reason in refused.problems:
        click.echo(f"refused: [{reason['code']}] {reason['message']}", err=True)
    raise SystemExit(1)


def _get(session: Any, model_id: str) -> Any:
    from easytune.db.repositories import models as models_repo

    model = models_repo.get(session, model_id)
    assert model is not None
    return model


def register(group: click.Group) -> None:
    """Attach `easytune models` to the `easytune` group."""
    group.add_command(models_group)
