"""Workers that announced themselves: what they are, how many slots, when last seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from easytune.db.base import Base


class WorkerRecord(Base):
    """One worker process (`host:pid`), refreshed by its heartbeat; the dashboard reads it."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    executor: Mapped[str] = mapped_column(String(20))
    slots: Mapped[int]
    # HardwareFacts as a dict: jobs are planned for the hardware of the workers that run them.
    hardware: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)
