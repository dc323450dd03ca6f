"""Alembic environment: the engine comes from easytune (config.attributes), never from an ini."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Engine

from easytune.db import models  # noqa: F401  (registers every table on the metadata)
from easytune.db.base import Base, UTCDateTime

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through `easytune db upgrade`, not the alembic command")


def _render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    # Render our column type by its short name so generated scripts read cleanly.
    if kind == "type" and isinstance(obj, UTCDateTime):
        autogen.imports.add("from easytune.db.base import UTCDateTime")
        return "UTCDateTime()"
    return False


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_item=_render_item,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
