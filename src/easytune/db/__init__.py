"""Database layer: models, repositories (all queries), migrations, engine and sessions."""

from easytune.db.base import Base, UTCDateTime, utcnow
from easytune.db.engine import (
    begin_immediate,
    create_db_engine,
    make_session_factory,
    transaction,
)

__all__ = [
    "Base",
    "UTCDateTime",
    "begin_immediate",
    "create_db_engine",
    "make_session_factory",
    "transaction",
    "utcnow",
]
