"""The 0002_jobs migration matches the models and downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect

from easytune.db import create_db_engine
from easytune.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    schema_drift,
    upgrade_database,
)


def test_jobs_tables_do_not_drift(migrated_engine: Engine) -> None:
    # Later migrations (0003_registry, ...) build on 0002_jobs; the database is at the head.
    assert current_revision(migrated_engine) == head_revision(migrated_engine)
    assert schema_drift(migrated_engine) == []


def test_jobs_migration_downgrades_and_upgrades(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade_database(engine)
    command.downgrade(alembic_config(engine), "0001")
    assert "jobs" not in inspect(engine).get_table_names()
    upgrade_database(engine)
    assert {"jobs", "job_events", "job_metrics"} <= set(inspect(engine).get_table_names())
    assert schema_drift(engine) == []
    engine.dispose()
