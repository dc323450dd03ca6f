"""Migration 0006: existing jobs become `train` jobs; the exports table comes and goes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from easytune.db import create_db_engine
from easytune.db.migrate import alembic_config, schema_drift, upgrade_database


def test_existing_jobs_become_train_jobs_and_the_migration_reverses(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'm.db'}")
    command.upgrade(alembic_config(engine), "0005_eval_report")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (username, password_hash, role, is_active, created_at, updated_at,"
            " token_version, password_changed_at) VALUES ('a', 'x', 'admin', 1, '2026-01-01',"
            " '2026-01-01', 0, '2026-01-01')"
        ))  # fmt: skip
        conn.execute(text("INSERT INTO jobs (owner_id, name, status, priority, spec, attempt, "
                          "max_attempts, event_seq, created_at, updated_at) VALUES (1, 'old', "
                          "'queued', 0, '{}', 1, 3, 0, '2026-01-01', '2026-01-01')"))  # fmt: skip
    upgrade_database(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT kind FROM jobs")).scalar_one() == "train"
    assert "exports" in inspect(engine).get_table_names() and schema_drift(engine) == []
    command.downgrade(alembic_config(engine), "0005_eval_report")
    assert "exports" not in inspect(engine).get_table_names()
    assert "kind" not in {c["name"] for c in inspect(engine).get_columns("jobs")}
    engine.dispose()
