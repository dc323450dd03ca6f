"""Platform commands: `easytune serve`, `easytune db ...`, `easytune user ...`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import click

from easytune.settings import Settings, SettingsError, load_settings

P = ParamSpec("P")
R = TypeVar("R")


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def with_settings(func: Callable[..., R]) -> Callable[..., R]:
    """Load and validate settings before the command runs; invalid ones end it with the reason."""

    @wraps(func)
    def wrapper(*args: object, **kwargs: object) -> R:
        return func(_settings_or_exit(), *args, **kwargs)

    return wrapper


@click.group("db")
def db_group() -> None:
    """Database schema management."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_settings
def db_upgrade(settings: Settings, revision: str) -> None:
    """Apply database migrations (also done automatically by `easytune serve`)."""
    from easytune.db import create_db_engine
    from easytune.db.migrate import current_revision, upgrade_database

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.database_url)
    try:
        upgrade_database(engine, revision)
        click.echo(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@with_settings
def db_revision(settings: Settings, message: str) -> None:
    """Autogenerate a migration from the models (developers; upgrade the database first)."""
    from easytune.db import create_db_engine
    from easytune.db.migrate import make_revision

    engine = create_db_engine(settings.database_url)
    try:
        make_revision(engine, message)
    finally:
        engine.dispose()


def register(group: click.Group) -> None:
    """Attach the platform commands to the `easytune` group."""
    group.add_command(db_group)
