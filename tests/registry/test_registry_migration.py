"""The 0003_registry migration matches the models and downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from easytune.db import create_db_engine
from easytune.db.migrate import alembic_config, head_revision, schema_drift, upgrade_database


def test_registry_migration_downgrades_and_upgrades(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade_database(engine)
    assert head_revision(engine) == "0003_registry"
    command.downgrade(alembic_config(engine), "0002_jobs")
    assert not {"datasets", "models"} & set(inspect(engine).get_table_names())
    upgrade_database(engine)
    assert {"datasets", "models"} <= set(inspect(engine).get_table_names())
    assert schema_drift(engine) == []
    engine.dispose()
