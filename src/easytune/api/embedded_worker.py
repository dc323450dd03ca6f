"""The local worker inside `easytune serve` (single-machine mode): a thread started in the
app's lifespan, stopped gracefully with it (running jobs get the shutdown timeout, then go back
to the queue without spending an attempt)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from easytune.jobs.runtime import WorkerRuntime, open_runtime
from easytune.jobs.worker import Worker, WorkerConfig
from easytune.settings import Settings

log = logging.getLogger("easytune.api.worker")


@dataclass
class EmbeddedWorker:
    runtime: WorkerRuntime
    worker: Worker
    thread: threading.Thread

    def stop(self) -> None:
        """Stop claiming, let running jobs end (or release them), then close."""
        self.worker.stop()
        self.thread.join()
        self.runtime.close()


def start_embedded_worker(settings: Settings) -> EmbeddedWorker | None:
    """Start a worker thread when EASYTUNE_EMBEDDED_WORKER is on and the executor is local."""
    if not settings.embedded_worker or settings.executor != "local":
        return None
    runtime = open_runtime(settings)
    worker = Worker(runtime.queue, runtime.runner, WorkerConfig.from_settings(settings))
    thread = threading.Thread(target=worker.run, name="embedded-worker", daemon=True)
    thread.start()
    log.info("embedded worker started", extra={"action": "embedded_worker_started"})
    return EmbeddedWorker(runtime, worker, thread)
