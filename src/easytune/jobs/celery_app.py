"""The Celery executor's app: one task that runs THE given job after claiming its lease.

The database stays the system of record: a delivery first claims the job's lease, so a
redelivered or duplicated message finds the job running or finished and does nothing.
Messages are acked late and requeued if a worker process dies; leases of dead workers are
also recovered by a sweeper thread in every Celery worker, which re-sends those jobs.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

from celery import Celery, Task
from celery.signals import worker_ready, worker_shutting_down

from easytune.jobs.execution import JobExecution
from easytune.jobs.runtime import WorkerRuntime, open_runtime
from easytune.jobs.service import ClaimState
from easytune.jobs.slots import SlotPool, reserve
from easytune.jobs.worker import announce, default_worker_name, worker_devices
from easytune.settings import Settings

log = logging.getLogger("easytune.jobs.celery")
TASK_NAME = "easytune.run_job"


class _Holder:
    """The worker runtime, opened on first use in the worker process (never at import)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runtime: WorkerRuntime | None = None
        self._lock = threading.Lock()
        self._pool: SlotPool | None = None
        self.slots = settings.worker_slots  # the pool's size: Celery's concurrency (ready)

    @property
    def pool(self) -> SlotPool:
        """One pool per worker process, shared by its Celery threads."""
        with self._lock:
            if self._pool is None:
                self._pool = SlotPool(self.slots, worker_devices())
            return self._pool

    def get(self) -> WorkerRuntime:
        with self._lock:
            if self._runtime is None:
                self._runtime = open_runtime(self.settings)
            return self._runtime


def make_celery_app(settings: Settings) -> Celery:
    """A Celery app over EASYTUNE_BROKER_URL with the run-job task and the stall sweeper."""
    app = Celery("easytune", broker=settings.celery_broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=settings.celery_queue,
        task_acks_late=True,  # a worker killed mid-job gets its message redelivered
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a job is hours long: never hoard messages
        task_ignore_result=True,  # results live in the database
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    holder = _Holder(settings)

    @app.task(name=TASK_NAME, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
    def run_job(self: Task, job_id: int) -> str:
        return _run_job(self, holder.get(), holder.pool, job_id)

    _connect_signals(app, holder)
    return app


def submit(app: Celery, settings: Settings, job_id: int) -> None:
    """Send the job id to the Celery queue (call after the job's transaction committed)."""
    app.send_task(TASK_NAME, args=[job_id], queue=settings.celery_queue)


def _run_job(task: Task, runtime: WorkerRuntime, pool: SlotPool, job_id: int) -> str:
    owner = f"{default_worker_name()}/{uuid.uuid4().hex[:12]}"
    attempt = runtime.queue.claim(job_id, owner)
    extra = {"action": "celery_delivery", "job_id": job_id, "state": attempt.state}
    log.info("delivery of job %s: %s", job_id, attempt.state, extra=extra)
    if attempt.state in (ClaimState.BUSY, ClaimState.WAITING):
        raise task.retry(countdown=attempt.retry_after)
    if attempt.claim is None:
        return str(attempt.state)
    reservation = reserve(runtime.queue, pool, attempt.claim)
    if reservation is None:  # released to wait for free slots (or failed: it never fits)
        raise task.retry(countdown=runtime.settings.job_poll_seconds * 5)
    execution = JobExecution(
        runtime.queue, attempt.claim, runtime.runner, runtime.run_config, runtime.shutdown,
        reservation.env(),
    )  # fmt: skip
    try:
        status = execution.run()
    finally:
        pool.give_back(reservation)
    if status == "queued":  # a retryable failure or a release: the next attempt needs a message
        submit(task.app, runtime.settings, job_id)
    return status


def _connect_signals(app: Celery, holder: _Holder) -> None:
    def ready(sender: Any = None, **_: Any) -> None:
        if getattr(sender, "app", None) is app:
            controller = getattr(sender, "controller", None)
            slots = getattr(controller, "concurrency", None) or holder.settings.worker_slots
            holder.slots = int(slots)
            args = (app, holder, int(slots))
            threading.Thread(target=_sweep_forever, args=args, daemon=True).start()

    def shutting_down(**_: Any) -> None:
        # Running jobs get the shutdown timeout, then go back to the queue (and are re-sent).
        holder.get().shutdown.request(holder.settings.job_shutdown_timeout_seconds)

    worker_ready.connect(ready, weak=False)
    worker_shutting_down.connect(shutting_down, weak=False)


def _sweep_forever(app: Celery, holder: _Holder, slots: int) -> None:
    runtime = holder.get()
    interval = min(runtime.settings.job_lease_seconds / 2, 10.0)
    name = default_worker_name()  # solo/threads pools: one process, so one name
    while not runtime.shutdown.requested.is_set():
        try:
            announce(runtime.queue, name, "celery", slots)
            for job_id in runtime.queue.requeue_stalled():
                log.warning("requeued job %s after lost heartbeat", job_id,
                            extra={"action": "job_requeued", "job_id": job_id})  # fmt: skip
                submit(app, runtime.settings, job_id)
        except Exception:
            log.exception("stalled-job sweep failed", extra={"action": "sweep_failed"})
        time.sleep(interval)
    try:
        runtime.queue.worker_stopped(name)
    except Exception:
        log.exception("could not record the worker stop", extra={"action": "beat_failed"})
