"""The training child: spawned in its own process group, stdout read line by line in a thread.

The group matters: SIGTERM/SIGKILL go to the child and everything it started (data loader
workers, torchrun ranks), so a cancelled job leaves nothing behind holding GPU memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

MAX_LINE_BYTES = 1 << 20
STDERR_TAIL_BYTES = 4096
PR_SET_PDEATHSIG = 1
# Loaded before any fork: the function run between fork and exec must not import or allocate.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_worker() -> None:
    """Runs in the child before exec: SIGKILL it if the worker (thread) that started it dies.

    Otherwise a SIGKILLed worker leaves an orphan training on, next to the resumed attempt.
    """
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class ChildProcess:
    """One running child: its lines arrive on `lines` as (line number, text), then None."""

    def __init__(
        self, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], stderr_path: Path
    ) -> None:
        self.stderr_path = stderr_path
        self.lines: queue.Queue[tuple[int, str] | None] = queue.Queue()
        with stderr_path.open("ab") as stderr:
            self.process = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,  # own session and process group (pgid == pid)
                preexec_fn=_die_with_worker,  # only calls prctl (libc preloaded): thread-safe
            )
        assert self.process.stdout is not None
        self._reader = threading.Thread(
            target=self._read, args=(self.process.stdout,), name=f"child-{self.pid}", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self, stream: IO[bytes]) -> None:
        try:
            for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES), b""), 1):
                self.lines.put((number, raw.decode("utf-8", errors="replace")))
        finally:
            stream.close()
            self.lines.put(None)

    def poll(self) -> int | None:
        """The exit code (negative: killed by that signal), or None while it runs."""
        return self.process.poll()

    def signal_group(self, sig: signal.Signals) -> None:
        """Send `sig` to the child's whole process group (gone already is fine)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the exit, then make sure nothing of the group lingers and output is read."""
        code = self.process.wait(timeout)
        self.signal_group(signal.SIGKILL)
        self._reader.join(timeout=5)
        return code

    def stderr_tail(self, max_lines: int = 15) -> str:
        """The last lines the child wrote to stderr (for error messages)."""
        try:
            with self.stderr_path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - STDERR_TAIL_BYTES))
                text = handle.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-max_lines:])
