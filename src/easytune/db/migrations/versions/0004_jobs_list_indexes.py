"""Jobs list indexes: one owner's jobs and one status's jobs, newest first, read in id order.

The list pages `ORDER BY id DESC` filtered by owner (engineers) and/or status; with only
`ix_jobs_owner_id` PostgreSQL walked the primary key backwards and filtered out the other
owners' rows. (owner_id, id) serves the owner filter and its order (and the foreign key, so it
replaces the single-column index); (status, id) serves the status filter and its count.

Revision ID: 0004_jobs_list_indexes
Revises: 0003_registry
Create Date: 2026-11-27 09:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004_jobs_list_indexes"
down_revision: str | None = "0003_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_owner_id_id", ["owner_id", "id"], unique=False)
        batch_op.create_index("ix_jobs_status_id", ["status", "id"], unique=False)
        batch_op.drop_index("ix_jobs_owner_id")


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_owner_id", ["owner_id"], unique=False)
        batch_op.drop_index("ix_jobs_status_id")
        batch_op.drop_index("ix_jobs_owner_id_id")
