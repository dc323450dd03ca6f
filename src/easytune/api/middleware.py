"""The one place where HTTP middleware is added to the app.

Generic middleware (rate limits, request size, security headers, metrics, JSON logs with a
request id) is registered here by `add_middleware`, in the order it should wrap requests.
"""

from __future__ import annotations

from fastapi import FastAPI

from easytune.settings import Settings


def add_middleware(app: FastAPI, settings: Settings) -> None:
    """Wrap `app` in the platform's middleware; the last one added runs first."""
    del app, settings  # nothing yet: the generic middleware is wired in here when merged
