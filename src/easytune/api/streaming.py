"""Streaming responses that stop the work behind them when the client goes away."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator

from fastapi.concurrency import iterate_in_threadpool


async def until_gone(frames: Iterator[str], stop: threading.Event) -> AsyncIterator[str]:
    """The frames; when the client goes away Starlette cancels this, and `stop` is set so the
    model stops generating at its next token instead of finishing an answer nobody reads."""
    try:
        async for frame in iterate_in_threadpool(frames):
            yield frame
    finally:
        stop.set()
