"""How a child's end becomes a job outcome: one ordered table of rules, first match wins."""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from easytune.jobs.progress import ErrorItem

# Shell wrappers (accelerate, torchrun, bash) report a child killed by signal N as 128 + N.
SHELL_SIGNAL_BASE = 128


class StopReason(StrEnum):
    """Why the worker itself stopped the child, if it did."""

    CANCEL = "cancel"
    STALLED = "stalled"
    RELEASE = "release"  # worker shutdown


class Verdict(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # final: no retry
    RETRY = "retry"  # failed, but another attempt may succeed (attempts permitting)
    CANCELLED = "cancelled"
    RELEASED = "released"  # back to the queue, no attempt spent


@dataclass(frozen=True)
class ChildEnd:
    """Everything known when the child is gone."""

    returncode: int
    result: dict[str, Any] | None = None
    error: ErrorItem | None = None
    stop: StopReason | None = None
    stall_detail: str = ""
    stderr_tail: str = ""

    @property
    def signal(self) -> int | None:
        if self.returncode < 0:
            return -self.returncode
        if SHELL_SIGNAL_BASE < self.returncode <= SHELL_SIGNAL_BASE + 64:
            return self.returncode - SHELL_SIGNAL_BASE
        return None

    @property
    def clean_success(self) -> bool:
        return self.returncode == 0 and self.result is not None and self.error is None


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    error: ErrorItem | None = None
    result: dict[str, Any] | None = None


def classify(end: ChildEnd) -> Outcome:
    """The outcome of a finished child (see RULES)."""
    for _name, applies, decide in RULES:
        if applies(end):
            return decide(end)
    raise AssertionError("the last rule matches everything")


def _error(code: str, message: str, end: ChildEnd, param: str | None = None) -> ErrorItem:
    tail = f"\nlast stderr lines:\n{end.stderr_tail}" if end.stderr_tail else ""
    return ErrorItem(code, message + tail, param)


def _succeeded(end: ChildEnd) -> Outcome:
    return Outcome(Verdict.SUCCEEDED, result=end.result)


def _stalled(end: ChildEnd) -> Outcome:
    message = f"no progress from the training process: {end.stall_detail}; it was stopped"
    return Outcome(Verdict.RETRY, ErrorItem("stalled", message, None))


def _reported_error(end: ChildEnd) -> Outcome:
    # The engine knows what went wrong (bad data line, NaN loss, GPU OOM): retrying won't help.
    return Outcome(Verdict.FAILED, end.error)


def _no_result(end: ChildEnd) -> Outcome:
    message = (
        "the training process exited with code 0 but reported no result, so no adapter is "
        "known to be complete; see the job events and stderr.log in the job folder"
    )
    return Outcome(Verdict.FAILED, _error("no_result", message, end))


def _killed(end: ChildEnd) -> Outcome:
    message = (
        "the training process was killed with SIGKILL; most likely the host ran out of memory "
        "(the kernel's OOM killer): lower the batch size or max length, or free host memory"
    )
    return Outcome(Verdict.RETRY, _error("killed_out_of_memory", message, end))


def _signalled(end: ChildEnd) -> Outcome:
    name = _signal_name(end.signal)
    message = f"the training process died from signal {name}"
    return Outcome(Verdict.RETRY, _error("child_signalled", message, end))


def _crashed(end: ChildEnd) -> Outcome:
    message = f"the training process crashed with exit code {end.returncode}"
    return Outcome(Verdict.RETRY, _error("child_crashed", message, end))


def _signal_name(number: int | None) -> str:
    try:
        return signal.Signals(number or 0).name
    except ValueError:
        return str(number)


Rule = tuple[str, Callable[[ChildEnd], bool], Callable[[ChildEnd], Outcome]]

# Ordered: the first rule whose condition holds decides. A child that finished cleanly
# before a stop signal reached it keeps its success.
RULES: tuple[Rule, ...] = (
    ("exit 0 with a result line", lambda e: e.clean_success, _succeeded),
    ("stopped on user cancel", lambda e: e.stop == StopReason.CANCEL,
     lambda e: Outcome(Verdict.CANCELLED)),
    ("stopped at worker shutdown", lambda e: e.stop == StopReason.RELEASE,
     lambda e: Outcome(Verdict.RELEASED)),
    ("stopped by the stall watchdog", lambda e: e.stop == StopReason.STALLED, _stalled),
    ("an error line", lambda e: e.error is not None, _reported_error),
    ("exit 0 without a result", lambda e: e.returncode == 0, _no_result),
    ("killed by SIGKILL", lambda e: e.signal == signal.SIGKILL, _killed),
    ("killed by another signal", lambda e: e.signal is not None, _signalled),
    ("non-zero exit", lambda e: True, _crashed),
)  # fmt: skip
