"""`easytune models import PATH --name NAME`: register a base model from the server's shell."""

from __future__ import annotations

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
    from easytune.db.models import Visibility

    visibility = Visibility.PRIVATE if private else Visibility.SHARED
    request = models.BaseModelRequest(path, name, visibility)
    with _db_session(settings) as session:
        model = _run_service(lambda: models.register_base_model(session, None, request))
        click.echo(f"registered {model.name} v{model.version} as {model.id} ({model.path})")


def register(group: click.Group) -> None:
    """Attach `easytune models` to the `easytune` group."""
    group.add_command(models_group)
