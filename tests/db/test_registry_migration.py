"""The registry migrations (0003_registry, 0004_progress_workers) match the models and
downgrade cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from easytune.db import create_db_engine
from easytune.db.migrate import alembic_config, head_revision, schema_drift, upgrade_database


def test_registry_migration_downgrades_and_upgrades(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade_database(engine)
    config = alembic_config(engine)
    assert head_revision(engine) == ScriptDirectory.from_config(config).get_current_head()
    command.downgrade(alembic_config(engine), "0002_jobs")
    assert not {"datasets", "models"} & set(inspect(engine).get_table_names())
    upgrade_database(engine)
    assert {"datasets", "models"} <= set(inspect(engine).get_table_names())
    assert schema_drift(engine) == []
    engine.dispose()


def test_progress_and_workers_migration_downgrades_and_upgrades(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade_database(engine)
    command.downgrade(alembic_config(engine), "0003_registry")
    assert "workers" not in inspect(engine).get_table_names()
    assert "progress" not in {c["name"] for c in inspect(engine).get_columns("jobs")}
    upgrade_database(engine)
    assert "progress" in {c["name"] for c in inspect(engine).get_columns("jobs")}
    assert schema_drift(engine) == []
    engine.dispose()
