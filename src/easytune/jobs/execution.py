"""Run one claimed job: write its spec, start the child, supervise it, write the outcome.

Used by the local worker's slots and by the Celery task alike. Supervision = read progress
lines into rows, heartbeat the lease, stop the child on cancel / stall / worker shutdown
(SIGTERM to its group, SIGKILL after the grace period), then classify how it ended.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from easytune.db.models.jobs import JobStatus
from easytune.jobs import messages as msg
from easytune.jobs.child import ChildProcess
from easytune.jobs.child_env import child_environment
from easytune.jobs.errors import LeaseLost
from easytune.jobs.kinds import get_kind
from easytune.jobs.outcome import ChildEnd, Outcome, StopReason, Verdict, classify
from easytune.jobs.progress import (
    ErrorItem,
    EventItem,
    MetricItem,
    ResultItem,
    SourcedEvent,
    parse_line,
)
from easytune.jobs.queue import Claim, JobQueue, warn
from easytune.jobs.runner import Runner

# The file the training child appends every progress line to (easytune.training.progress).
PROGRESS_FILE = "progress.jsonl"

log = logging.getLogger("easytune.jobs.worker")
SPEC_FILE = "spec.json"
LEASE_LOST = "lease_lost"
FINAL_WRITE_TRIES = 5


@dataclass(frozen=True)
class RunConfig:
    """Timings of one job's supervision."""

    heartbeat_seconds: float = 5.0
    tick_seconds: float = 0.2
    cancel_grace_seconds: float = 30.0
    stall_warn_seconds: float = 600.0
    stall_fail_seconds: float = 1800.0
    child_env: Mapping[str, str] = field(default_factory=dict)


class Shutdown:
    """Set by the worker on SIGTERM/SIGINT; jobs may run on until the deadline."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.deadline = float("inf")

    def request(self, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout
        self.requested.set()

    def due(self) -> bool:
        return self.requested.is_set() and time.monotonic() >= self.deadline


@dataclass
class _State:
    """What supervision has seen so far."""

    started: float
    last_progress: float
    last_heartbeat: float
    last_seen: str = "nothing yet"
    stall_warned: bool = False
    stop: StopReason | None = None
    stop_sent: float = 0.0
    killed: bool = False
    eof: bool = False
    result: dict[str, Any] | None = None
    error: ErrorItem | None = None
    events: list[SourcedEvent] = field(default_factory=list)
    metrics: list[MetricItem] = field(default_factory=list)


class JobExecution:
    """The life of one attempt, from spec file to final status."""

    def __init__(
        self,
        queue: JobQueue,
        claim: Claim,
        runner: Runner,
        config: RunConfig,
        shutdown: Shutdown | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.queue = queue
        self.env = dict(env or {})  # this job's own: the GPUs of its slots
        self.claim = claim
        self.runner = runner
        self.config = config
        self.shutdown = shutdown or Shutdown()
        self.extra = {"job_id": claim.job_id, "attempt": claim.attempt}
        # Keys child lines by this run, so a replay of the same lines stores nothing twice.
        self.run_tag = f"{claim.attempt}:{claim.lease.owner[-12:]}"

    def run(self) -> str:
        """Run to the end; returns the job's new status, or "lease_lost"."""
        self._log("job_started", "running job %s attempt %s", self.claim.job_id, self.claim.attempt)
        try:
            spec_path = self._prepare()
        except OSError as exc:
            return self._conclude(Outcome(Verdict.FAILED, self._unwritable(exc)))
        self._recover_metrics()
        try:
            child = self._spawn(spec_path)
        except OSError as exc:
            message = f"could not start the training command {self._argv(spec_path)}: {exc}"
            return self._conclude(Outcome(Verdict.FAILED, ErrorItem("spawn_failed", message, None)))
        return self._run_child(child)

    def _run_child(self, child: ChildProcess) -> str:
        try:
            end = self._supervise(child)
        except LeaseLost as exc:
            child.signal_group(signal.SIGKILL)
            child.wait()
            self._log("lease_lost", "%s; child stopped", exc, level=logging.WARNING)
            return LEASE_LOST
        except BaseException:
            child.signal_group(signal.SIGKILL)
            raise
        return self._conclude(classify(end))

    # --- start ------------------------------------------------------------------------------

    def _prepare(self) -> Path:
        out = self.claim.output_dir
        (out / "logs").mkdir(parents=True, exist_ok=True)
        spec = {**self.claim.spec, "output_dir": str(out)}
        target = out / SPEC_FILE
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(spec, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(target)
        return target

    def _recover_metrics(self) -> None:
        """Store metrics an earlier attempt wrote to progress.jsonl but its worker never stored.

        A worker killed between reading a line and committing it loses that line; the child
        also appends every line to OUTPUT/progress.jsonl, and metric upserts make a replay
        harmless. Steps after the checkpoint the retry resumes from are overwritten by it.
        """
        path = self.claim.output_dir / PROGRESS_FILE
        if self.claim.attempt == 1 or not path.is_file():
            return
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        metrics = [item for item in map(parse_line, lines) if isinstance(item, MetricItem)]
        if metrics:
            self.queue.record(self.claim, [], metrics)

    def _unwritable(self, exc: OSError) -> ErrorItem:
        path = exc.filename or self.claim.output_dir
        message = (
            f"cannot write the job folder {path}: {exc.strerror or exc}; make the data "
            f"directory ({self.claim.output_dir.parent.parent}) writable by the user running "
            "the worker, or point EASYTUNE_DATA_DIR at a writable place"
        )
        return ErrorItem("output_dir_unwritable", message, "data_dir")

    def _argv(self, spec_path: Path) -> list[str]:
        return get_kind(self.claim.kind).command(self.runner, spec_path)

    def _spawn(self, spec_path: Path) -> ChildProcess:
        env = {
            # PATH, CUDA_VISIBLE_DEVICES, HF_HOME... but not the server's secrets.
            **child_environment(os.environ),
            **self.config.child_env,
            **self.env,
            "PYTHONUNBUFFERED": "1",
            "EASYTUNE_JOB_ID": str(self.claim.job_id),
            "EASYTUNE_JOB_ATTEMPT": str(self.claim.attempt),
        }
        stderr_path = self.claim.output_dir / "logs" / f"attempt-{self.claim.attempt}.stderr.log"
        out = self.claim.output_dir
        child = ChildProcess(self._argv(spec_path), cwd=out, env=env, stderr_path=stderr_path)
        self._log("child_started", "child pid %s started", child.pid)
        return child

    # --- supervise --------------------------------------------------------------------------

    def _supervise(self, child: ChildProcess) -> ChildEnd:
        now = time.monotonic()
        state = _State(started=now, last_progress=now, last_heartbeat=now)
        while True:
            self._read(child, state, timeout=self.config.tick_seconds)
            self._flush(state)
            if child.poll() is not None:
                break
            now = time.monotonic()
            self._heartbeat(child, state, now)
            self._watch_stall(child, state, now)
            if self.shutdown.due() and state.stop is None:
                self._stop(child, state, StopReason.RELEASE, "worker shutting down")
            self._escalate(child, state, now)
        return self._ended(child, state)

    def _ended(self, child: ChildProcess, state: _State) -> ChildEnd:
        code = child.wait()
        for _ in range(3):  # the reader has been joined: its last lines are queued already
            if state.eof or self._read(child, state, timeout=2.0):
                break
        self._flush(state, must=True)
        self._log("child_exited", "child exited with %s", code)
        return ChildEnd(
            returncode=code,
            result=state.result,
            error=state.error,
            stop=state.stop,
            stall_detail=self._stall_detail(state, time.monotonic()),
            stderr_tail=child.stderr_tail(),
        )

    def _read(self, child: ChildProcess, state: _State, timeout: float) -> bool:
        """Take the lines available now (waiting up to `timeout` for the first); True at EOF."""
        if state.eof:
            time.sleep(timeout)
            return True
        try:
            entry = child.lines.get(timeout=timeout)
            while entry is not None:
                self._take(state, *entry)
                entry = child.lines.get_nowait()
        except queue.Empty:
            return False
        state.eof = True
        return True

    def _take(self, state: _State, number: int, line: str) -> None:
        if not line.strip():
            return
        item = parse_line(line)
        _TAKERS[type(item)](self, state, number, item)
        if not (isinstance(item, EventItem) and item.data.get("kind") == "log"):
            state.last_progress = time.monotonic()
            state.last_seen = _describe(item)

    def _take_event(self, state: _State, number: int, item: Any) -> None:
        state.events.append(SourcedEvent(f"{self.run_tag}:{number}", item))

    def _take_metric(self, state: _State, number: int, item: Any) -> None:
        state.metrics.append(item)

    def _take_result(self, state: _State, number: int, item: Any) -> None:
        state.result = item.data

    def _take_error(self, state: _State, number: int, item: Any) -> None:
        state.error = item

    def _flush(self, state: _State, must: bool = False) -> None:
        if not (state.events or state.metrics):
            return
        try:
            self.queue.record(self.claim, state.events, state.metrics)
        except SQLAlchemyError:
            # Kept for the next flush: event sources and metric upserts make a retry harmless.
            self._log("record_failed", "could not store progress", level=logging.WARNING)
            if must:
                raise
            return
        state.events, state.metrics = [], []

    def _heartbeat(self, child: ChildProcess, state: _State, now: float) -> None:
        if now - state.last_heartbeat < self.config.heartbeat_seconds:
            return
        try:
            status = self.queue.heartbeat(self.claim)
        except SQLAlchemyError:
            self._log("heartbeat_failed", "heartbeat failed; retrying", level=logging.WARNING)
            return
        state.last_heartbeat = now
        if status == JobStatus.CANCELLING and state.stop is None:
            self._stop(child, state, StopReason.CANCEL, "cancel requested")

    def _watch_stall(self, child: ChildProcess, state: _State, now: float) -> None:
        silent = now - state.last_progress
        if silent >= self.config.stall_warn_seconds and not state.stall_warned:
            state.stall_warned = True
            stalled = msg.STALLED(seconds=f"{silent:.0f}", last_seen=state.last_seen)
            self._event(warn(stalled, silent_seconds=round(silent)))
        if silent >= self.config.stall_fail_seconds and state.stop is None:
            self._stop(child, state, StopReason.STALLED, "stall watchdog")

    def _stall_detail(self, state: _State, now: float) -> str:
        silent = now - state.last_progress
        return f"no progress line for {silent:.0f} s; last seen: {state.last_seen}"

    def _stop(self, child: ChildProcess, state: _State, reason: StopReason, why: str) -> None:
        state.stop, state.stop_sent = reason, time.monotonic()
        child.signal_group(signal.SIGTERM)
        grace = self.config.cancel_grace_seconds
        self._event(warn(msg.STOPPING(why=why, grace=f"{grace:g}")))
        self._log("child_stopping", "%s: SIGTERM sent", why)

    def _escalate(self, child: ChildProcess, state: _State, now: float) -> None:
        if state.stop is None or state.killed:
            return
        if now - state.stop_sent >= self.config.cancel_grace_seconds:
            state.killed = True
            child.signal_group(signal.SIGKILL)
            self._event(warn(msg.KILLED()))
            self._log("child_killed", "grace period over: SIGKILL sent")

    def _event(self, item: EventItem) -> None:
        try:
            self.queue.event(self.claim, item)
        except SQLAlchemyError:
            self._log(
                "event_failed", "could not store event %r", item.message, level=logging.WARNING
            )

    # --- end --------------------------------------------------------------------------------

    def _conclude(self, outcome: Outcome) -> str:
        """Write the outcome, retrying transient database errors; "lease_lost" if not ours."""
        for attempt in range(1, FINAL_WRITE_TRIES + 1):
            try:
                status = _CONCLUDERS[outcome.verdict](self.queue, self.claim, outcome)
            except LeaseLost as exc:
                self._log("lease_lost", "%s", exc, level=logging.WARNING)
                return LEASE_LOST
            except SQLAlchemyError:
                if attempt == FINAL_WRITE_TRIES:
                    raise
                time.sleep(attempt)
                continue
            self._log(
                "job_finished", "job %s: %s", self.claim.job_id, status, outcome=outcome.verdict
            )
            return str(status)
        raise AssertionError("unreachable")

    def _log(
        self, action: str, message: str, *args: Any, level: int = logging.INFO, **extra: Any
    ) -> None:
        log.log(level, message, *args, extra={"action": action, **self.extra, **extra})


def _describe(item: Any) -> str:
    if isinstance(item, MetricItem):
        return f"metric at step {item.step}"
    if isinstance(item, EventItem):
        return f"event {item.message[:80]!r}"
    return type(item).__name__


_TAKERS: dict[type, Callable[[JobExecution, _State, int, Any], None]] = {
    EventItem: JobExecution._take_event,
    MetricItem: JobExecution._take_metric,
    ResultItem: JobExecution._take_result,
    ErrorItem: JobExecution._take_error,
}

_CONCLUDERS: dict[Verdict, Callable[[JobQueue, Claim, Outcome], JobStatus]] = {
    Verdict.SUCCEEDED: lambda q, c, o: q.finish(c, JobStatus.SUCCEEDED, result=o.result),
    Verdict.FAILED: lambda q, c, o: q.finish(c, JobStatus.FAILED, error=o.error),
    Verdict.RETRY: lambda q, c, o: q.fail_or_retry(c, _required(o.error)),
    Verdict.CANCELLED: lambda q, c, o: q.finish(c, JobStatus.CANCELLED),
    Verdict.RELEASED: lambda q, c, o: q.release(c),
}


def _required(error: ErrorItem | None) -> ErrorItem:
    assert error is not None, "a retryable outcome always carries its error"
    return error
