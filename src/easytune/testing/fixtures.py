"""pytest fixtures for tests on a real database (SQLite and PostgreSQL), loaded as a plugin.

`db_url` is parametrised over both backends; PostgreSQL gets one fresh, uniquely named
database per test session on 127.0.0.1:5432 (dropped at the end) and is skipped only when
the server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from easytune.api.state import app_state
from easytune.db import Base, audit_guard, create_db_engine, make_session_factory
from easytune.db.migrate import upgrade_database
from easytune.settings import Settings

# The admin connection used to create and drop the per-session test database.
PG_ADMIN_DSN = os.environ.get("EASYTUNE_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
PG_HOST_URL = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")


def _pg_connect() -> object:
    import psycopg

    return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test session."""
    import psycopg

    try:
        admin = _pg_connect()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {PG_ADMIN_DSN} unreachable: {exc}")
    name = f"easytune_test_{uuid.uuid4().hex[:12]}"
    with admin as conn:  # type: ignore[attr-defined]
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG_HOST_URL}/{name}"
    with _pg_connect() as conn:  # type: ignore[attr-defined]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'easytune.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def migrated_engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head, shared by the session."""
    engine = create_db_engine(db_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_engine(migrated_engine: Engine) -> Iterator[Engine]:
    """The migrated engine; every table is emptied after the test."""
    yield migrated_engine
    with migrated_engine.begin() as conn:
        audit_guard.remove(conn)  # the append-only guard, lifted for the cleanup only
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
        audit_guard.install(conn)


@pytest.fixture
def session_factory(db_engine: Engine) -> sessionmaker[Session]:
    """Session factory on the clean, migrated database."""
    return make_session_factory(db_engine)


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session; the test decides when to commit."""
    with session_factory() as session:
        yield session


# --- API fixtures ------------------------------------------------------------------------

TEST_SECRET_KEY = "test-only-key-" + "9fQ2xL7mR4vB8nK1pZ6wT3yH5cJ0dG" * 2
TEST_PASSWORD = "correct horse battery staple"


def platform_settings_for(db_url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for tests: the given database, a fixed key, and cheap argon2 (fast tests)."""
    values: dict[str, Any] = {
        "database_url": db_url,
        "data_dir": data_dir,
        "secret_key": TEST_SECRET_KEY,
        "admin_password": TEST_PASSWORD,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8,
        "argon2_parallelism": 1,
        "demo_assets": False,  # the demo GGUF takes a while to convert; its own slow test
        "web_dist": None,  # API tests do not depend on whether the UI was built
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def platform_settings(db_url: str, db_engine: Engine, tmp_path: Path) -> Settings:
    """Settings on the clean test database (override with platform_settings_for)."""
    return platform_settings_for(db_url, tmp_path / "data")


@pytest.fixture
def app(platform_settings: Settings) -> FastAPI:
    """The API app built by the real factory."""
    from easytune.api import create_app

    return create_app(platform_settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Anonymous client; entering it runs the lifespan (migrations, bootstrap admin)."""
    with TestClient(app) as test_client:
        yield test_client


def create_user_row(app: FastAPI, username: str, role: str, password: str = TEST_PASSWORD) -> int:
    """Create a user through the service layer, committed; returns its id."""
    state = app_state(app)
    return create_user_in(state.session_factory, state.settings, username, role, password)


def create_user_in(
    factory: sessionmaker[Session],
    settings: Settings,
    username: str,
    role: str,
    password: str = TEST_PASSWORD,
) -> int:
    """Create a user in the database `factory` opens (a server's, from another process)."""
    from easytune.core import users
    from easytune.core.audit import Origin
    from easytune.db import transaction
    from easytune.db.models import Role

    with transaction(factory) as session:
        user = users.create_user(
            session, settings, username, password, Role(role), Origin(via="test")
        )
        return user.id


def login_headers(
    client: TestClient, username: str, password: str = TEST_PASSWORD
) -> dict[str, str]:
    """Sign in through the API; returns the Authorization header."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def auth_headers(client: TestClient, app: FastAPI) -> dict[str, dict[str, str]]:
    """Bearer headers per role: {"admin": ..., "engineer": ..., "viewer": ...}."""
    create_user_row(app, "engineer1", "engineer")
    create_user_row(app, "viewer1", "viewer")
    return {
        "admin": login_headers(client, "admin"),
        "engineer": login_headers(client, "engineer1"),
        "viewer": login_headers(client, "viewer1"),
    }


@pytest.fixture
def client_as(
    client: TestClient, auth_headers: dict[str, dict[str, str]]
) -> Callable[[str], TestClient]:
    """client_as("engineer") -> a client that sends that role's bearer token."""

    def make(role: str) -> TestClient:
        return TestClient(client.app, headers=auth_headers[role])

    return make
