"""Triggers that make audit_events append-only in the database itself, for every client.

An UPDATE or DELETE of an audit row is refused on SQLite and PostgreSQL; the one change let
through is the foreign key's own ON DELETE SET NULL of `actor_id` when a user is deleted
(every other column unchanged; the row keeps `actor_username`). The database owner can still
drop the triggers: ship the rows to an external log for a guarantee against that account.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

_COLUMNS = ("id", "created_at", "action", "actor_username", "target_type", "target_id",
            "client_address")  # fmt: skip
MESSAGE = "audit_events is append-only"

_SQLITE_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in (*_COLUMNS, "detail"))
SQLITE_INSTALL = (
    f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    WHEN NOT (NEW.actor_id IS NULL AND {_SQLITE_SAME})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
)
SQLITE_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_events_no_update",
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
)

_PG_NEW = ", ".join([*(f"NEW.{c}" for c in _COLUMNS), "NEW.detail::text"])
_PG_OLD = ", ".join([*(f"OLD.{c}" for c in _COLUMNS), "OLD.detail::text"])
POSTGRES_INSTALL = (
    f"""CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
         AND ROW({_PG_NEW}) IS NOT DISTINCT FROM ROW({_PG_OLD}) THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION '{MESSAGE}';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
)
POSTGRES_REMOVE = (
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
)


def install(connection: Connection) -> None:
    """Create the guard (a migration step)."""
    _run(connection, POSTGRES_INSTALL if _is_postgres(connection) else SQLITE_INSTALL)


def remove(connection: Connection) -> None:
    """Drop the guard (the migration's downgrade; the test suite's table cleanup)."""
    _run(connection, POSTGRES_REMOVE if _is_postgres(connection) else SQLITE_REMOVE)


def _is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _run(connection: Connection, statements: tuple[str, ...]) -> None:
    for statement in statements:
        connection.execute(text(statement))
