"""The dashboard: what a user sees at a glance (their jobs, the registry, the workers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import access, datasets, models
from easytune.db import utcnow
from easytune.db.models import Job, JobStatus, ModelKind, ModelRecord, User, WorkerRecord
from easytune.db.repositories import workers as workers_repo
from easytune.jobs import repository as jobs_repo

RUNNING_SHOWN = 10
RECENT_ADAPTERS = 5
# A worker beats every 10 s or less; three missed beats and it counts as offline.
ONLINE_WINDOW = timedelta(seconds=45)
# Workers gone quiet stay listed (as offline) this long, so a crash is noticed.
LISTED_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class WorkerView:
    name: str
    hostname: str
    executor: str
    slots: int
    busy: int
    online: bool
    started_at: datetime
    last_seen_at: datetime
    hardware: dict[str, Any] | None


@dataclass(frozen=True)
class Dashboard:
    jobs_by_status: dict[str, int]
    datasets: int
    base_models: int
    adapters: int
    running_jobs: list[Job]
    recent_adapters: list[ModelRecord]
    workers: list[WorkerView]


def dashboard(session: Session, user: User) -> Dashboard:
    """Counts and short lists, scoped like the lists they summarise (admins: everything)."""
    owner = access.viewer_scope(user)
    by_status = {status.value: 0 for status in JobStatus}
    by_status.update(jobs_repo.count_by_status(session, owner))
    running, _ = jobs_repo.page(session, owner, JobStatus.RUNNING, 0, RUNNING_SHOWN)
    adapters, adapter_count = models.list_models(
        session, user, 0, RECENT_ADAPTERS, kind=ModelKind.ADAPTER
    )
    return Dashboard(
        jobs_by_status=by_status,
        datasets=datasets.list_datasets(session, user, 0, 1)[1],
        base_models=models.list_models(session, user, 0, 1, kind=ModelKind.BASE)[1],
        adapters=adapter_count,
        running_jobs=running,
        recent_adapters=adapters,
        workers=workers(session),
    )


def workers(session: Session, now: datetime | None = None) -> list[WorkerView]:
    """Workers heard from in the last day, online ones first, with their busy slots."""
    now = now or utcnow()
    rows = workers_repo.seen_since(session, now - LISTED_WINDOW)
    busy = jobs_repo.busy_slots(session, [row.name for row in rows])
    views = [_view(row, busy[row.name], now) for row in rows]
    return sorted(views, key=lambda view: (not view.online, view.name))


def online_hardware(session: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """The hardware facts of the online workers that announced theirs (for planning)."""
    now = now or utcnow()
    rows = workers_repo.seen_since(session, now - ONLINE_WINDOW)
    return [row.hardware for row in rows if _online(row, now) and row.hardware]


def _online(row: WorkerRecord, now: datetime) -> bool:
    return row.stopped_at is None and now - row.last_seen_at <= ONLINE_WINDOW


def _view(row: WorkerRecord, busy: int, now: datetime) -> WorkerView:
    online = _online(row, now)
    fields: dict[str, Any] = {
        "name": row.name, "hostname": row.hostname, "executor": row.executor,
        "slots": row.slots, "started_at": row.started_at, "last_seen_at": row.last_seen_at,
        "hardware": row.hardware,
    }  # fmt: skip
    return WorkerView(busy=busy, online=online, **fields)
