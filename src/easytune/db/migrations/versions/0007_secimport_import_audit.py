"""Imported adapters (scan and probe verdicts on models) and the append-only audit guard.

Revision ID: 0007_secimport_import_audit
Revises: 0006_job_kinds_exports
Create Date: 2026-12-04 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from easytune.db import audit_guard

revision: str = "0007_secimport_import_audit"
down_revision: str | None = "0006_job_kinds_exports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("import_report", sa.JSON(), nullable=True))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_target_id"), ["target_id"])
    audit_guard.install(op.get_bind())


def downgrade() -> None:
    audit_guard.remove(op.get_bind())
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_target_id"))
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_column("import_report")
        batch_op.drop_column("import_status")
