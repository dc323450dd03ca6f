"""A worker's slots: one per GPU. A job takes as many as its training processes, and the
child sees only those GPUs (CUDA_VISIBLE_DEVICES), so two jobs never share a device."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from easytune.db.models.jobs import JobStatus
from easytune.jobs import messages as msg
from easytune.jobs.progress import ErrorItem
from easytune.jobs.queue import Claim, JobQueue


def job_processes(spec: Mapping[str, Any]) -> int:
    """train.num_processes of a job's spec (1 for other job kinds and older specs)."""
    train = spec.get("train")
    value = train.get("num_processes", 1) if isinstance(train, Mapping) else 1
    return value if isinstance(value, int) and value > 0 else 1


def visible_devices(gpu_count: int) -> list[str] | None:
    """The GPU ids this worker may hand out: its own CUDA_VISIBLE_DEVICES (a container's
    reservation), else 0..gpu_count-1; None on a machine without GPUs."""
    if gpu_count <= 0:
        return None
    # The worker's environment is the device contract (Docker's --gpus / compose reservation).
    own = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
    if own:
        return [part.strip() for part in own.split(",") if part.strip()]
    return [str(index) for index in range(gpu_count)]


@dataclass(frozen=True)
class Reservation:
    """Slots held by one job, and the child environment that confines it to their GPUs."""

    slots: tuple[int, ...]
    devices: tuple[str, ...] = ()

    def env(self) -> dict[str, str]:
        return {"CUDA_VISIBLE_DEVICES": ",".join(self.devices)} if self.devices else {}


class SlotPool:
    """Thread-safe: local worker slots and Celery threads take and give back slots here."""

    def __init__(self, total: int, devices: Sequence[str] | None = None) -> None:
        self.total = total
        self.devices = list(devices) if devices else None
        self._free = list(range(total))
        self._lock = threading.Lock()

    @property
    def free(self) -> int:
        with self._lock:
            return len(self._free)

    def take(self, count: int) -> Reservation | None:
        """`count` slots (the lowest free ones), or None when fewer are free now."""
        with self._lock:
            if count > len(self._free):
                return None
            taken, self._free = tuple(self._free[:count]), self._free[count:]
        return Reservation(taken, self._devices_of(taken))

    def give_back(self, reservation: Reservation) -> None:
        with self._lock:
            self._free = sorted({*self._free, *reservation.slots})

    def _devices_of(self, slots: tuple[int, ...]) -> tuple[str, ...]:
        if self.devices is None:
            return ()
        return tuple(self.devices[slot % len(self.devices)] for slot in slots)

    def too_big(self, count: int) -> str | None:
        """Why a job of `count` processes can never run on this worker, or None."""
        if count <= self.total:
            return None
        return (
            f"the job needs {count} training processes (train.num_processes) but this worker "
            f"has {self.total} slot(s), one per GPU; run it on a worker with more GPUs or "
            "lower train.num_processes"
        )


def reserve(queue: JobQueue, pool: SlotPool, claim: Claim) -> Reservation | None:
    """Slots for a claimed job. Without them the job goes back to the queue (no attempt
    spent) to wait for a worker with enough free slots, or fails if it can never fit here."""
    count = job_processes(claim.spec)
    reservation = pool.take(count)
    if reservation is not None:
        return reservation
    reason = pool.too_big(count)
    if reason is not None:
        queue.finish(claim, JobStatus.FAILED, error=ErrorItem("not_enough_slots", reason,
                                                              "train.num_processes"))  # fmt: skip
        return None
    why = msg.WAITING_SLOTS(count=count, free=pool.free)
    queue.release(claim, why, keep_place=True)
    return None
