"""CLI: db upgrade, user create/passwd/disable, serve, bad settings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from easytune.cli import main
from easytune.core.passwords import verify_password
from easytune.db import create_db_engine, make_session_factory
from easytune.db.migrate import current_revision, head_revision
from easytune.db.models import AuditEvent, User
from easytune.testing.fixtures import TEST_SECRET_KEY, platform_settings_for
from easytune.testing.live import free_port

PASSWORD = "a long cli passphrase"


@pytest.fixture
def cli_env(db_url: str, db_engine: object, tmp_path: Path) -> dict[str, str]:
    return {
        "EASYTUNE_DATABASE_URL": db_url,
        "EASYTUNE_DATA_DIR": str(tmp_path / "data"),
        "EASYTUNE_SECRET_KEY": TEST_SECRET_KEY,
        "EASYTUNE_ARGON2_TIME_COST": "1",
        "EASYTUNE_ARGON2_MEMORY_KIB": "8",
        "EASYTUNE_ARGON2_PARALLELISM": "1",
    }


def _invoke(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), env=env, input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def _user(db_url: str, name: str) -> User | None:
    engine = create_db_engine(db_url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalars(select(User).where(User.username == name)).one_or_none()
    finally:
        engine.dispose()


def test_db_upgrade_on_a_fresh_sqlite_database(tmp_path: Path) -> None:
    env = {"EASYTUNE_DATA_DIR": str(tmp_path / "fresh"), "EASYTUNE_SECRET_KEY": TEST_SECRET_KEY}
    output = _invoke(env, "db", "upgrade")
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fresh' / 'easytune.db'}")
    assert (
        current_revision(engine) == head_revision(engine) and str(head_revision(engine)) in output
    )
    engine.dispose()


def test_user_create_passwd_disable(cli_env: dict[str, str], db_url: str) -> None:
    output = _invoke(
        cli_env, "user", "create", "Ivan", "--role", "engineer", "--password", PASSWORD
    )
    assert "created user 'ivan'" in output
    new_password = "another long cli passphrase"
    _invoke(cli_env, "user", "passwd", "ivan", stdin=f"{new_password}\n{new_password}\n")
    user = _user(db_url, "ivan")
    assert user is not None and user.token_version == 1
    settings = platform_settings_for(db_url, Path(cli_env["EASYTUNE_DATA_DIR"]))
    assert verify_password(settings, user.password_hash, new_password)
    _invoke(cli_env, "user", "disable", "ivan")
    user = _user(db_url, "ivan")
    assert user is not None and not user.is_active
    engine = create_db_engine(db_url)
    with make_session_factory(engine)() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions == ["user.created", "user.password_changed", "user.disabled"]
    engine.dispose()


def test_cli_errors_are_clear(cli_env: dict[str, str]) -> None:
    weak = CliRunner().invoke(
        main, ["user", "create", "jo", "--password", "password1"], env=cli_env
    )
    assert weak.exit_code == 1 and "commonly used" in weak.output
    missing = CliRunner().invoke(main, ["user", "disable", "nobody"], env=cli_env)
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output
    bad_env = {**cli_env, "EASYTUNE_PORT": "http"}
    bad = CliRunner().invoke(main, ["db", "upgrade"], env=bad_env)
    assert bad.exit_code == 1 and "EASYTUNE_PORT" in bad.output


@pytest.mark.slow
def test_serve_starts_migrates_and_prints_the_admin_password_once(tmp_path: Path) -> None:
    port = free_port()
    src = str(Path(__file__).resolve().parents[2] / "src")
    # Without the demo assets: converting the demo GGUF at first start is its own slow test.
    env = {
        **os.environ,
        "EASYTUNE_DATA_DIR": str(tmp_path),
        "EASYTUNE_DEMO_ASSETS": "false",
        "PYTHONPATH": src,
    }
    env.pop("EASYTUNE_ADMIN_PASSWORD", None)
    command = [sys.executable, "-m", "easytune", "serve", "--port", str(port), "--no-worker"]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        _wait_ready(port)
        login = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/login",
            json={"username": "admin", "password": _printed_password(proc)},
        )
        assert login.status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("server did not become ready")


def _printed_password(proc: subprocess.Popen[str]) -> str:
    """The password from the box, which must come after uvicorn says it is listening."""
    assert proc.stderr is not None
    seen: list[str] = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("|     password: "):
            running = [i for i, s in enumerate(seen) if "Uvicorn running on" in s]
            box = [i for i, s in enumerate(seen) if "created the admin account" in s]
            assert running and box and running[0] < box[0], seen
            assert "easytune user passwd admin" in "".join(proc.stderr.readline() for _ in range(4))
            return line.split("password: ")[1].split()[0]
    raise AssertionError(f"no admin password printed: {seen}")
