"""Platform commands: `easytune serve`, `easytune db ...`, `easytune user ...`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from easytune.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from easytune.db.models import User

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


@click.command("serve")
@click.option("--host", default=None, help="Address to bind [default: EASYTUNE_HOST].")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="[EASYTUNE_PORT]")
@click.option("--no-worker", is_flag=True, help="Do not run a job worker inside the API process.")
@click.option("--ssl-certfile", default=None, type=click.Path(exists=True, dir_okay=False),
              help="PEM certificate (chain): serve https (HSTS on) instead of http")  # fmt: skip
@click.option("--ssl-keyfile", default=None, type=click.Path(exists=True, dir_okay=False),
              help="PEM private key of --ssl-certfile")  # fmt: skip
@with_settings
def serve(
    settings: Settings, host: str | None, port: int | None, no_worker: bool,
    ssl_certfile: str | None, ssl_keyfile: str | None,
) -> None:  # fmt: skip
    """Run the API server (migrates the database and creates the first admin at start)."""
    import uvicorn

    from easytune.api import create_app
    from easytune.api.state import app_state
    from easytune.logs import configure_logging

    check_tls_pair(ssl_certfile, ssl_keyfile)

    configure_logging(settings.log_level, json=settings.log_json)
    # Single-machine mode: a local worker runs inside the API process unless told otherwise.
    settings = settings.model_copy(update={"embedded_worker": not no_worker})
    app = create_app(settings)
    app_state(app).banner_after_startup = True
    config = uvicorn.Config(
        app, host=host or settings.host, port=port or settings.port, log_config=None,
        ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
        timeout_keep_alive=int(max(1, settings.http_keepalive_seconds)),
    )  # fmt: skip
    _banner_server(config, app).run()


def check_tls_pair(certfile: str | None, keyfile: str | None) -> None:
    """Both TLS files or neither: a key alone or a certificate alone is a typo, not http."""
    if (certfile is None) != (keyfile is None):
        raise click.UsageError("give both --ssl-certfile and --ssl-keyfile to serve https")


def _banner_server(config: Any, app: Any) -> Any:
    """A uvicorn server that prints the first admin password after its "running on" lines."""
    import uvicorn

    from easytune.api.banner import print_admin_password

    class BannerServer(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if not self.should_exit:
                scheme = "https" if self.config.is_ssl else "http"
                url = f"{scheme}://{self.config.host}:{self.config.port}"
                print_admin_password(app, url)

    return BannerServer(config)


@contextmanager
def _db_session(settings: Settings) -> Iterator[Session]:
    from easytune.db import create_db_engine, make_session_factory, transaction
    from easytune.db.migrate import upgrade_database

    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_db_engine(settings.database_url)
    try:
        upgrade_database(engine)
        with transaction(make_session_factory(engine), immediate=True) as session:
            yield session
    finally:
        engine.dispose()


def _run_service(action: Callable[[], R]) -> R:
    from easytune.core.errors import EasyTuneError

    try:
        return action()
    except EasyTuneError as exc:
        raise click.ClickException(exc.message) from None


@click.group("user")
def user_group() -> None:
    """Manage accounts from the server's shell (no sign-in needed)."""


_password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given (safer than the command line).",
)


@user_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["admin", "engineer", "viewer"]),
    default="viewer",
    show_default=True,
)
@_password_option
@with_settings
def user_create(settings: Settings, username: str, role: str, password: str) -> None:
    """Create an account."""
    from easytune.core import users
    from easytune.core.audit import CLI
    from easytune.db.models import Role

    with _db_session(settings) as session:
        user = _run_service(
            lambda: users.create_user(session, settings, username, password, Role(role), CLI)
        )
        click.echo(f"created user {user.username!r} (id {user.id}, role {user.role})")


@user_group.command("passwd")
@click.argument("username")
@_password_option
@with_settings
def user_passwd(settings: Settings, username: str, password: str) -> None:
    """Set a user's password; their open sessions end."""
    from easytune.core import users
    from easytune.core.audit import CLI

    with _db_session(settings) as session:
        user = _find_user(session, username)
        _run_service(lambda: users.set_password(session, settings, user, password, CLI))
        click.echo(f"password of {user.username!r} changed; their sessions were ended")


@user_group.command("disable")
@click.argument("username")
@with_settings
def user_disable(settings: Settings, username: str) -> None:
    """Disable an account; its sessions and tokens stop working at once."""
    from easytune.core import users
    from easytune.core.audit import CLI

    with _db_session(settings) as session:
        user = _find_user(session, username)
        changes = users.UserChanges(is_active=False)
        _run_service(lambda: users.update_user(session, settings, user, changes, CLI))
        click.echo(f"user {user.username!r} disabled")


def _find_user(session: Session, username: str) -> User:
    from easytune.core.auth import normalize_username
    from easytune.db.repositories import users as repo

    user = repo.get_by_username(session, normalize_username(username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}; list them with the API")
    return user


@click.command("openapi")
def openapi_command() -> None:
    """Print the REST API's OpenAPI schema as JSON (the web client's types are built from it)."""
    print(json.dumps(openapi_schema(), indent=2, ensure_ascii=False))


def openapi_schema() -> dict[str, Any]:
    """The OpenAPI schema of the app; building it touches no database and no data folder."""
    import secrets
    import tempfile

    from easytune.api import create_app

    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(data_dir=Path(folder), secret_key=secrets.token_urlsafe(48))
        schema: dict[str, Any] = create_app(settings).openapi()
    return schema


def register(group: click.Group) -> None:
    """Attach the platform commands to the `easytune` group."""
    for command in (serve, db_group, user_group, openapi_command):
        group.add_command(command)
