"""Database layer on real SQLite and PostgreSQL: migrations, drift, SQLite tuning, UTC times."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from easytune.db import begin_immediate, create_db_engine, make_session_factory, transaction
from easytune.db.migrate import current_revision, head_revision, schema_drift, upgrade_database
from easytune.db.models import Role, User


def test_models_and_migrations_do_not_drift(migrated_engine: Engine) -> None:
    assert schema_drift(migrated_engine) == []
    assert current_revision(migrated_engine) == head_revision(migrated_engine)


def test_upgrade_is_idempotent(migrated_engine: Engine) -> None:
    upgrade_database(migrated_engine)
    assert current_revision(migrated_engine) == head_revision(migrated_engine)


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade_database(engine)
    from alembic import command

    from easytune.db.migrate import alembic_config

    command.downgrade(alembic_config(engine), "base")
    assert current_revision(engine) is None
    upgrade_database(engine)
    assert schema_drift(engine) == []
    engine.dispose()


def test_sqlite_connections_use_wal_and_busy_timeout(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def _user(name: str) -> User:
    return User(username=name, password_hash="x", role=Role.VIEWER)


def test_timestamps_come_back_as_aware_utc(db_session: Session) -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8)))
    user = _user("tz")
    user.last_login_at = moment
    db_session.add(user)
    db_session.commit()
    db_session.expire_all()
    loaded = db_session.scalars(select(User).where(User.username == "tz")).one()
    assert loaded.last_login_at == moment and loaded.last_login_at.tzinfo == UTC
    assert loaded.created_at.tzinfo == UTC


def test_naive_datetimes_are_refused(db_session: Session) -> None:
    user = _user("naive")
    user.last_login_at = datetime(2030, 1, 1)
    db_session.add(user)
    with pytest.raises(Exception, match="naive datetime"):
        db_session.flush()


def test_transaction_commits_or_rolls_back(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        session.add(_user("kept"))
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        session.add(_user("dropped"))
        session.flush()
        raise RuntimeError("boom")
    with session_factory() as session:
        names = set(session.scalars(select(User.username)))
    assert names == {"kept"}


def test_begin_immediate_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        begin_immediate(session)
        session.execute(select(User)).all()  # a read only: a deferred BEGIN would lock nothing
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        session.rollback()
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()
    engine.dispose()


def test_a_read_then_write_survives_a_commit_by_another_process_in_between(
    tmp_path: Path,
) -> None:
    # The failure this guards against: a sign-in reads the user, hashes the password while a
    # worker commits a heartbeat, then writes its session row. With a deferred BEGIN the read
    # snapshot is stale by then and SQLite refuses the write at once ("database is locked",
    # SQLITE_BUSY_SNAPSHOT, which the busy timeout does not cover): HTTP 500 on sign-in.
    path = tmp_path / "x.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    factory = make_session_factory(engine)
    with factory() as request:
        assert request.execute(select(User)).all() == []  # the read part
        other = sqlite3.connect(path, timeout=5, isolation_level=None)  # e.g. the worker
        other.execute(
            "INSERT INTO users (username, password_hash, role, is_active, token_version,"
            " created_at, updated_at, password_changed_at)"
            " VALUES ('w', 'x', 'viewer', 1, 0, '2026-01-01', '2026-01-01', '2026-01-01')"
        )
        request.add(_user("api"))  # the write part
        request.commit()
        other.close()
    with factory() as session:
        assert sorted(u.username for u in session.scalars(select(User))) == ["api", "w"]
    engine.dispose()


def test_a_write_holds_the_lock_until_commit_and_others_wait_for_it(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        session.add(_user("first"))
        session.flush()  # the first write opened BEGIN IMMEDIATE
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        session.rollback()
    other.execute("BEGIN IMMEDIATE")  # free again after the rollback
    other.execute("ROLLBACK")
    other.close()
    with factory() as session:
        assert session.execute(select(User)).all() == []  # the rollback undid the write
    engine.dispose()


def test_begin_immediate_refuses_open_transaction(db_session: Session) -> None:
    db_session.execute(text("SELECT 1"))
    with pytest.raises(RuntimeError, match="before the transaction starts"):
        begin_immediate(db_session)
