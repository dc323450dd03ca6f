"""The local worker: N slots, each running one claimed job in a child process.

Loop: recover stalled jobs, claim while a slot is free, wait. On SIGTERM/SIGINT it stops
claiming and lets running jobs go on for `shutdown_timeout_seconds`; jobs still running then
are stopped and released to the queue WITHOUT spending an attempt (a deploy or a reboot is
not the job's fault). A second signal releases them at once.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from functools import cache
from types import FrameType
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from easytune.jobs.execution import JobExecution, RunConfig, Shutdown
from easytune.jobs.queue import Claim, JobQueue
from easytune.jobs.runner import Runner
from easytune.jobs.slots import Reservation, SlotPool, job_processes, reserve, visible_devices
from easytune.settings import Settings

log = logging.getLogger("easytune.jobs.worker")


@cache
def hardware_facts() -> dict[str, Any]:
    """This machine's HardwareFacts as a dict, announced with the worker's first beat so jobs
    are planned for the hardware that runs them (detected once per process)."""
    from easytune.training.hardware import detect_hardware

    return asdict(detect_hardware())


def announce(queue: JobQueue, name: str, executor: str, slots: int) -> None:
    """Beat now; the first time, beat again once the hardware is known (detecting it imports
    torch, which takes seconds: the worker shows up online before that)."""
    known = hardware_facts.cache_info().currsize > 0
    queue.beat(name, executor, slots, hardware_facts() if known else None)
    if not known:
        queue.beat(name, executor, slots, hardware_facts())


def worker_devices() -> list[str] | None:
    """The GPU ids this worker's slots hand out (None without GPUs)."""
    return visible_devices(int(hardware_facts().get("gpu_count") or 0))


def default_worker_name() -> str:
    """host:pid, the prefix of every lease this process takes."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


@dataclass(frozen=True)
class WorkerConfig:
    """How many jobs at once, how often to look for work, how long shutdown waits."""

    slots: int = 1
    poll_seconds: float = 1.0
    sweep_seconds: float = 15.0
    beat_seconds: float = 10.0  # how often the worker refreshes its row in the workers table
    shutdown_timeout_seconds: float = 60.0
    name: str = field(default_factory=default_worker_name)
    run: RunConfig = field(default_factory=RunConfig)

    @classmethod
    def from_settings(cls, settings: Settings, slots: int | None = None) -> WorkerConfig:
        return cls(
            slots=slots or settings.worker_slots,
            poll_seconds=settings.job_poll_seconds,
            sweep_seconds=min(settings.job_lease_seconds / 2, 30.0),
            shutdown_timeout_seconds=settings.job_shutdown_timeout_seconds,
            run=run_config(settings),
        )


def run_config(settings: Settings) -> RunConfig:
    """Supervision timings from the settings."""
    return RunConfig(
        heartbeat_seconds=settings.job_heartbeat_seconds,
        tick_seconds=min(0.2, settings.job_heartbeat_seconds / 2),
        cancel_grace_seconds=settings.job_cancel_grace_seconds,
        stall_warn_seconds=settings.job_stall_warn_minutes * 60,
        stall_fail_seconds=settings.job_stall_fail_minutes * 60,
    )


class Worker:
    """Claims queued jobs from the database and runs them, `config.slots` at a time."""

    def __init__(self, queue: JobQueue, runner: Runner, config: WorkerConfig) -> None:
        self.queue = queue
        self.runner = runner
        self.config = config
        self.shutdown = Shutdown()
        self._wake = threading.Event()
        self._running: dict[threading.Thread, Claim] = {}
        self._extra = {"worker": config.name}
        self.pool = SlotPool(config.slots)  # devices known after the first beat (run)
        self._need = 1  # free slots wanted before the next claim (a bigger job is waiting)

    def run(self, *, burst: bool = False) -> None:
        """Work until stopped (or, with `burst`, until nothing is left to run)."""
        self._log(
            logging.INFO, "worker_started", "worker started with %s slot(s)", self.config.slots
        )
        next_sweep = next_beat = 0.0
        self.pool = SlotPool(self.config.slots, worker_devices())
        while not self.shutdown.requested.is_set():
            self._reap()
            if time.monotonic() >= next_beat:
                self._beat()
                next_beat = time.monotonic() + self.config.beat_seconds
            if time.monotonic() >= next_sweep:
                self._sweep()
                next_sweep = time.monotonic() + self.config.sweep_seconds
            claimed = self._fill_slots()
            if burst and not claimed and not self._running:
                break
            if not claimed:
                self._wake.wait(self.config.poll_seconds)
                self._wake.clear()
        self._drain()

    def stop(self, timeout: float | None = None) -> None:
        """Stop claiming; running jobs get `timeout` seconds (default: the config's) to end."""
        limit = self.config.shutdown_timeout_seconds if timeout is None else timeout
        self._log(logging.INFO, "worker_stopping", "worker stopping; jobs get %.0f s", limit)
        self.shutdown.request(limit)
        self._wake.set()

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT: graceful stop; a second one releases running jobs at once."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop(0 if self.shutdown.requested.is_set() else None)

    @property
    def busy_slots(self) -> int:
        return self.pool.total - self.pool.free

    def _fill_slots(self) -> int:
        claimed = 0
        while self.pool.free >= self._need and not self.shutdown.requested.is_set():
            claim = self._claim()
            if claim is None:
                break
            reservation = reserve(self.queue, self.pool, claim)
            # A job waiting for more slots than are free: claim nothing until one frees up.
            self._need = 1 if reservation else min(job_processes(claim.spec), self.pool.total)
            if reservation is None:
                continue  # it waits (the loop ends until slots free up) or failed: claim on
            thread = threading.Thread(
                target=self._execute, args=(claim, reservation), name=f"job-{claim.job_id}",
                daemon=True,
            )  # fmt: skip
            self._running[thread] = claim
            thread.start()
            claimed += 1
        return claimed

    def _claim(self) -> Claim | None:
        owner = f"{self.config.name}/{uuid.uuid4().hex[:12]}"
        try:
            claim = self.queue.claim_next(owner)
        except SQLAlchemyError:
            self._log(logging.ERROR, "claim_failed", "claim failed", exc_info=True)
            return None
        if claim is not None:
            self._log(logging.INFO, "job_claimed", "claimed job", job_id=claim.job_id)
        return claim

    def _execute(self, claim: Claim, reservation: Reservation) -> None:
        try:
            JobExecution(
                self.queue, claim, self.runner, self.config.run, self.shutdown, reservation.env()
            ).run()
        except Exception:
            # The lease will expire and the job be recovered; the worker itself lives on.
            self._log(logging.ERROR, "job_crashed", "job execution crashed",
                      job_id=claim.job_id, exc_info=True)  # fmt: skip
        finally:
            self.pool.give_back(reservation)
            self._wake.set()

    def _sweep(self) -> None:
        try:
            requeued = self.queue.requeue_stalled()
        except SQLAlchemyError:
            log.exception(
                "stalled-job sweep failed", extra={"action": "sweep_failed", **self._extra}
            )
            return
        for job_id in requeued:
            self._log(
                logging.WARNING, "job_requeued", "requeued after lost heartbeat", job_id=job_id
            )

    def _beat(self) -> None:
        try:
            announce(self.queue, self.config.name, "local", self.config.slots)
        except SQLAlchemyError:
            self._log(logging.WARNING, "beat_failed", "worker heartbeat failed", exc_info=True)

    def _reap(self) -> None:
        for thread in [t for t in self._running if not t.is_alive()]:
            thread.join()
            del self._running[thread]

    def _drain(self) -> None:
        for thread in list(self._running):
            thread.join()
        self._reap()
        try:
            self.queue.worker_stopped(self.config.name)
        except SQLAlchemyError:
            self._log(logging.WARNING, "beat_failed", "could not record the stop", exc_info=True)
        self._log(logging.INFO, "worker_stopped", "worker stopped")

    def _log(
        self, level: int, action: str, message: str, *args: object,
        exc_info: bool = False, **extra: object,
    ) -> None:  # fmt: skip
        log.log(level, message, *args, exc_info=exc_info,
                extra={"action": action, **self._extra, **extra})  # fmt: skip
