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
    if url in ("sqlite://", "sqlite:///:memory:"):
        # One shared in-memory connection (SingletonThreadPool): pool sizes do not apply.
        kwargs = {k: v for k, v in kwargs.items() if not k.startswith(("pool_", "max_overflow"))}
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    event.listen(engine, "before_cursor_execute", _sqlite_before_execute)
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
    # IMMEDIATE (claims, CLI, start-up): take the write lock now. Otherwise nothing yet: reads
    # run in autocommit, each seeing the latest commit (like PostgreSQL's READ COMMITTED), and
    # the first write opens BEGIN IMMEDIATE (see _sqlite_before_execute). A deferred BEGIN
    # would hold a read snapshot, and upgrading a snapshot that another process wrote past
    # fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT; the busy timeout does
    # not apply) — a sign-in hashing its password while a worker records metrics hit it.
    if connection.get_execution_options().get(SQLITE_BEGIN_OPTION) == "IMMEDIATE":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# SAVEPOINT too: outside a transaction SQLite would open a deferred one for it.
_WRITE_VERBS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP", "SAVEPOINT"}
)


def _sqlite_before_execute(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    # The first write of a SQLAlchemy transaction starts SQLite's: BEGIN IMMEDIATE waits for
    # the write lock (busy timeout) instead of failing, and holds it until commit/rollback.
    dbapi = conn.connection.dbapi_connection
    if dbapi.in_transaction or not conn.in_transaction():
        return
    words = statement.split(None, 1)
    if words and words[0].upper() in _WRITE_VERBS:
        dbapi.execute("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def begin_immediate(session: Session) -> None:
    """Take SQLite's write lock now (no-op on PostgreSQL); call before the session's first query.

    For a read-then-write that must see no other writer in between (a claim): the reads then
    run inside the write lock instead of in autocommit.
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
