"""pytest fixtures for tests on a real database (SQLite and PostgreSQL), loaded as a plugin.

`db_url` is parametrised over both backends; PostgreSQL gets one fresh, uniquely named
database per test session on 127.0.0.1:5432 (dropped at the end) and is skipped only when
the server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from easytune.db import Base, create_db_engine, make_session_factory
from easytune.db.migrate import upgrade_database

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
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture
def session_factory(db_engine: Engine) -> sessionmaker[Session]:
    """Session factory on the clean, migrated database."""
    return make_session_factory(db_engine)


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session; the test decides when to commit."""
    with session_factory() as session:
        yield session
