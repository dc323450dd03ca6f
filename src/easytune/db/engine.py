"""Engine and session factory; SQLite gets WAL, a busy timeout and explicit BEGIN handling."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Execution option read by the "begin" hook: which BEGIN flavour SQLite should use.
SQLITE_BEGIN_OPTION = "easytune_sqlite_begin"


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite connections are tuned for a multi-process server."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first write, which breaks
    # read consistency and BEGIN IMMEDIATE; we switch it off and emit BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def begin_immediate(session: Session) -> None:
    """Take SQLite's write lock now (no-op on PostgreSQL); call before the session's first query.

    A claim read-then-write inside a deferred transaction can fail with "database is locked"
    when two writers race; BEGIN IMMEDIATE makes the second one wait for the busy timeout.
    """
    if session.in_transaction():
        raise RuntimeError("begin_immediate() must be called before the transaction starts")
    session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})


@contextmanager
def transaction(factory: sessionmaker[Session], *, immediate: bool = False) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error (workers, CLI)."""
    with factory() as session:
        if immediate:
            begin_immediate(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
