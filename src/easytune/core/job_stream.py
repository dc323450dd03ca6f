"""Server-Sent Events of a job's events and metrics, resumable with Last-Event-ID.

Each message's id is "<event seq>.<metric row>": the newest of each the client has seen. A
reconnecting client sends it back and gets only what came after. The stream polls the
database (the system of record) on its own short sessions, re-checks the caller's access at
each keep-alive, and ends after the job has ended and everything was sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy.orm import Session, sessionmaker

from easytune.db import transaction
from easytune.db.models import JobEvent, JobMetric, JobStatus
from easytune.jobs import repository as jobs_repo
from easytune.jobs.status import TERMINAL

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
# The `end` frame's reason when the caller lost access mid-stream (signed out, disabled,
# role changed, token revoked or expired): reconnect with fresh credentials.
ACCESS_ENDED = "access_ended"


@dataclass
class Cursor:
    """The newest event seq and metric row id sent."""

    seq: int = 0
    metric: int = 0

    @classmethod
    def parse(cls, value: str | None) -> Cursor:
        """From a Last-Event-ID header; anything unreadable starts from the beginning."""
        seq, _, metric = (value or "").partition(".")
        try:
            return cls(int(seq), int(metric))
        except ValueError:
            return cls()

    def __str__(self) -> str:
        return f"{self.seq}.{self.metric}"


@dataclass(frozen=True)
class StreamContext:
    """How a stream reads the database: short sessions in threads bounded by `limiter`, and
    `still_allowed` (run at each keep-alive) re-checking the caller's access."""

    factory: sessionmaker[Session]
    limiter: anyio.CapacityLimiter
    still_allowed: Callable[[Session], bool]
    poll_seconds: float = POLL_SECONDS
    keepalive_seconds: float = KEEPALIVE_SECONDS

    async def read(self, job_id: int, cursor: Cursor) -> tuple[JobStatus, list[str]]:
        """New rows after `cursor`, on a session that lives for this one read."""
        return await anyio.to_thread.run_sync(self._read, job_id, cursor, limiter=self.limiter)

    def _read(self, job_id: int, cursor: Cursor) -> tuple[JobStatus, list[str]]:
        with self.factory() as session:
            return _poll(session, job_id, cursor)

    async def allowed(self) -> bool:
        """Whether the caller may still watch (signed in, active, role, job visible)."""
        return await anyio.to_thread.run_sync(self._allowed, limiter=self.limiter)

    def _allowed(self) -> bool:
        with transaction(self.factory) as session:
            return self.still_allowed(session)


async def stream(ctx: StreamContext, job_id: int, cursor: Cursor) -> AsyncIterator[str]:
    """SSE text frames until the job has ended and every row was sent, or access ends.

    Between reads it sleeps in the event loop: an idle stream holds no thread, no connection.
    """
    yield "retry: 2000\n\n"
    quiet_since = time.monotonic()
    while True:
        status, frames = await ctx.read(job_id, cursor)
        for frame in frames:
            yield frame
        if frames:
            quiet_since = time.monotonic()
        if status in TERMINAL and not frames:
            yield _frame("end", {"status": status}, cursor)
            return
        if time.monotonic() - quiet_since >= ctx.keepalive_seconds:
            quiet_since = time.monotonic()
            if not await ctx.allowed():
                yield _frame("end", {"status": status, "reason": ACCESS_ENDED}, cursor)
                return
            yield ": keep-alive\n\n"
        await anyio.sleep(ctx.poll_seconds)


def _poll(session: Session, job_id: int, cursor: Cursor) -> tuple[JobStatus, list[str]]:
    # Status first: rows written before a final status are then surely read below.
    status = JobStatus(jobs_repo.get_job(session, job_id).status)
    frames = []
    for event in jobs_repo.list_events(session, job_id, after_seq=cursor.seq):
        cursor.seq = event.seq
        frames.append(_frame("event", event_dict(event), cursor))
    for metric in jobs_repo.metrics_after(session, job_id, cursor.metric):
        cursor.metric = metric.id
        frames.append(_frame("metric", metric_dict(metric), cursor))
    return status, frames


def _frame(kind: str, data: dict[str, Any], cursor: Cursor) -> str:
    return f"id: {cursor}\nevent: {kind}\ndata: {json.dumps(data, default=str)}\n\n"


def event_dict(event: JobEvent) -> dict[str, Any]:
    """An event as JSON."""
    return {
        "seq": event.seq, "attempt": event.attempt, "level": event.level,
        "message": event.message, "data": event.data, "created_at": event.created_at,
        "code": event.code, "params": event.params,
    }  # fmt: skip


def metric_dict(metric: JobMetric) -> dict[str, Any]:
    """A metric row as JSON."""
    return {
        "step": metric.step, "kind": metric.kind, "attempt": metric.attempt,
        "epoch": metric.epoch, "loss": metric.loss, "eval_loss": metric.eval_loss,
        "lr": metric.lr, "tokens_per_s": metric.tokens_per_s, "cf_score": metric.cf_score,
        "extra": metric.extra, "created_at": metric.created_at,
    }  # fmt: skip
