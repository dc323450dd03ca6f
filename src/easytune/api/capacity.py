"""Admission control: requests that use the database wait for a slot in the event loop (no
thread, no connection held), bounded to the pool; past the wait they get 503 + Retry-After.
Open job streams are counted per user and refused past a cap (429 + Retry-After).
"""

from __future__ import annotations

import asyncio
import math
import threading
import weakref
from collections import Counter
from collections.abc import Callable
from typing import Any

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from easytune.core.errors import Overloaded, TooManyAttempts


class Gate:
    """At most `slots` holders at once; a waiter gives up after `wait_seconds` with Overloaded."""

    def __init__(self, slots: int, wait_seconds: float) -> None:
        self.slots = slots
        self.wait_seconds = wait_seconds
        # asyncio primitives belong to one loop; a server has one, test clients start several.
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._by_loop = weakref.WeakKeyDictionary()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop not in self._by_loop:
            self._by_loop[loop] = asyncio.Semaphore(self.slots)
        return self._by_loop[loop]

    async def acquire(self) -> Callable[[], None]:
        """Wait for a slot; returns its (idempotent) release. Overloaded after the wait."""
        semaphore = self._semaphore()
        try:
            await asyncio.wait_for(semaphore.acquire(), self.wait_seconds)
        except TimeoutError:
            retry = max(1, math.ceil(self.wait_seconds))
            raise Overloaded(
                f"the server is busy ({self.slots} requests in progress); retry in {retry} s",
                retry_after=retry,
            ) from None
        return _once(semaphore.release)


def _once(release: Callable[[], None]) -> Callable[[], None]:
    done = threading.Event()

    def run() -> None:
        if not done.is_set():
            done.set()
            release()

    return run


class StreamSlots:
    """Open event streams per user, capped; thread-safe (routes run in worker threads)."""

    def __init__(
        self, per_user: int, retry_after_seconds: int, what: str = "event streams",
        setting: str = "EASYTUNE_STREAMS_PER_USER", code: str = "too_many_streams",
    ) -> None:  # fmt: skip
        self.per_user = per_user
        self.retry_after_seconds = retry_after_seconds
        self.what, self.setting, self.code = what, setting, code
        self._open: Counter[int] = Counter()
        self._lock = threading.Lock()

    def acquire(self, user_id: int) -> Callable[[], None]:
        """Count one more stream for `user_id`, or 429 when the user has `per_user` open."""
        with self._lock:
            if self._open[user_id] >= self.per_user:
                raise TooManyAttempts(
                    f"you have {self._open[user_id]} {self.what} open, the most allowed "
                    f"({self.setting}); wait for one to finish (another tab or script) and "
                    "retry",
                    retry_after=self.retry_after_seconds,
                    code=self.code,
                )
            self._open[user_id] += 1
        return _once(lambda: self._release(user_id))

    def _release(self, user_id: int) -> None:
        with self._lock:
            self._open[user_id] -= 1
            if self._open[user_id] <= 0:
                del self._open[user_id]

    def open_for(self, user_id: int) -> int:
        """How many streams `user_id` has open now."""
        with self._lock:
            return self._open[user_id]


class SlotStream(StreamingResponse):
    """A streaming response that gives its stream slot back however the stream ends."""

    def __init__(self, content: Any, release: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()
