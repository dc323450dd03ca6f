"""The one place where HTTP middleware is added to the app.

Generic middleware (rate limits, request size, security headers, metrics, JSON logs with a
request id) comes from `easytune.api.ops`; `add_middleware` chooses its settings.
"""

from __future__ import annotations

import hashlib

from fastapi import FastAPI, Request

from easytune.api.ops import install_ops, make_rate_limiter
from easytune.api.ops.ratelimit_middleware import IdentityFn
from easytune.core.errors import EasyTuneError
from easytune.core.tokens import decode_token
from easytune.settings import Settings

# Uploads stream to disk and carry their own, larger limit.
UPLOAD_PREFIXES = ("/api/v1/datasets",)
PAT_PREFIX = "et_pat_"


def add_middleware(app: FastAPI, settings: Settings) -> None:
    """Wrap `app` in the ops layer; the limiter is closed when the app shuts down."""
    limiter = make_rate_limiter(
        settings.redis_url or None, limit=settings.rate_limit_per_minute, window_s=60.0
    )
    app.state.rate_limiter = limiter
    app.state.ops = install_ops(
        app,
        rate_limiter=limiter,
        identity=_identity_for(settings),
        max_body_bytes=settings.max_request_bytes,
        body_limit_overrides=dict.fromkeys(UPLOAD_PREFIXES, settings.max_upload_bytes),
    )


def _identity_for(settings: Settings) -> IdentityFn:
    def identity(request: Request) -> str | None:
        """The rate-limit key: the signed-in user, else None (the client address is used)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        if token.startswith(PAT_PREFIX):
            # Checking a personal token needs the database; its hash is a stable key, and a
            # forged one is refused by the route right after.
            return "pat:" + hashlib.sha256(token.encode()).hexdigest()[:24]
        try:
            return f"user:{decode_token(settings, token, 'access').user_id}"
        except EasyTuneError:
            return None

    return identity
