"""Every migration, one revision at a time, up to head and back down to base, on SQLite and
PostgreSQL: each downgrade restores exactly the schema its revision had on the way up."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from easytune.db.engine import create_db_engine
from easytune.db.migrate import alembic_config, current_revision, schema_drift
from easytune.testing.fixtures import PG_HOST_URL, _pg_connect

Schema = dict[str, list[str]]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of its own (the session's shared one stays at head)."""
    if request.param == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_path / 'steps.db'}")
        yield engine
        engine.dispose()
        return
    import psycopg

    try:
        admin = _pg_connect()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    name = f"easytune_steps_{uuid.uuid4().hex[:12]}"
    with admin as conn:  # type: ignore[attr-defined]
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_db_engine(f"{PG_HOST_URL}/{name}")
    yield engine
    engine.dispose()
    with _pg_connect() as conn:  # type: ignore[attr-defined]
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _schema(engine: Engine) -> Schema:
    inspector = inspect(engine)
    return {
        table: sorted(column["name"] for column in inspector.get_columns(table))
        for table in sorted(inspector.get_table_names())
        if table != "alembic_version"
    }


def test_each_revision_upgrades_and_downgrades_one_step_at_a_time(empty_engine: Engine) -> None:
    config = alembic_config(empty_engine)
    walk = ScriptDirectory.from_config(config).walk_revisions()
    revisions = [script.revision for script in reversed(list(walk))]
    assert len(revisions) >= 6, revisions
    seen: dict[str | None, Schema] = {None: _schema(empty_engine)}
    for revision in revisions:
        command.upgrade(config, revision)
        assert current_revision(empty_engine) == revision
        seen[revision] = _schema(empty_engine)
    assert schema_drift(empty_engine) == []
    for previous in reversed([None, *revisions[:-1]]):
        command.downgrade(config, previous or "base")
        assert current_revision(empty_engine) == previous
        assert _schema(empty_engine) == seen[previous], f"downgrade to {previous} left a residue"
    assert seen[None] == {}
    command.upgrade(config, "head")
    assert schema_drift(empty_engine) == []
