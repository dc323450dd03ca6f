"""The 0004 migration: the jobs list's indexes exist, match the models and downgrade cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from easytune.db import create_db_engine
from easytune.db.migrate import alembic_config, schema_drift, upgrade_database


def _job_indexes(engine: object) -> dict[str, list[str]]:
    return {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("jobs")}  # type: ignore[misc]


def test_jobs_list_indexes_migrate_both_ways(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade_database(engine)
    indexes = _job_indexes(engine)
    assert indexes["ix_jobs_owner_id_id"] == ["owner_id", "id"]
    assert indexes["ix_jobs_status_id"] == ["status", "id"]
    assert "ix_jobs_owner_id" not in indexes  # the composite one serves the foreign key too
    command.downgrade(alembic_config(engine), "0003_registry")
    assert _job_indexes(engine).get("ix_jobs_owner_id") == ["owner_id"]
    upgrade_database(engine)
    assert schema_drift(engine) == []
    engine.dispose()
