"""The one place where HTTP middleware is added to the app.

Generic middleware (rate limits, request size, security headers, metrics, JSON logs with a
request id) comes from `easytune.api.ops`; `add_middleware` chooses its settings.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

from fastapi import FastAPI, Request

from easytune.api.ops import RateLimiter, install_ops
from easytune.api.ops.ratelimit_middleware import IdentityFn
from easytune.core.errors import EasyTuneError
from easytune.core.tokens import decode_token
from easytune.settings import Settings

# Uploads stream to disk and carry their own, larger limit.
UPLOAD_PREFIXES = ("/api/v1/datasets", "/v1/files")
IMPORT_PATH = "/api/v1/models/import"  # adapter zips, EASYTUNE_IMPORT_MAX_BYTES
PAT_PREFIX = "et_pat_"


def add_middleware(
    app: FastAPI, settings: Settings, limiter: RateLimiter, verified: VerifiedTokens
) -> None:
    """Wrap `app` in the ops layer with the app's limiter (its lifespan closes it)."""
    install_ops(
        app,
        rate_limiter=limiter,
        identity=_identity_for(settings, verified),
        max_body_bytes=settings.max_request_bytes,
        body_limit_overrides={
            **dict.fromkeys(UPLOAD_PREFIXES, settings.max_upload_bytes),
            IMPORT_PATH: settings.import_max_bytes,
        },
        metrics_token=(
            settings.metrics_token.get_secret_value() if settings.metrics_token else None
        ),
    )


class VerifiedTokens:
    """Hashes of personal tokens that authenticated recently (bounded, expiring).

    The rate limiter gives a personal token its own bucket only once the token has proved
    itself; until then (and for forged values) it counts against the client's address.
    """

    def __init__(self, ttl_seconds: float = 300.0, max_entries: int = 10_000) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, token: str) -> None:
        """Remember that `token` authenticated just now."""
        with self._lock:
            self._seen[_token_key(token)] = time.monotonic() + self.ttl_seconds
            self._seen.move_to_end(_token_key(token))
            while len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)

    def key_for(self, token: str) -> str | None:
        """The token's bucket key if it authenticated within the TTL, else None."""
        key = _token_key(token)
        with self._lock:
            expires = self._seen.get(key)
            if expires is None or expires < time.monotonic():
                self._seen.pop(key, None)
                return None
        return "pat:" + key


def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:24]


def _identity_for(settings: Settings, verified: VerifiedTokens) -> IdentityFn:
    def identity(request: Request) -> str | None:
        """The rate-limit key: the signed-in user, else None (the client address is used)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        if token.startswith(PAT_PREFIX):
            # Checking a personal token needs the database: only tokens that authenticated
            # recently get their own bucket, anything else counts against the address.
            return verified.key_for(token)
        try:
            return f"user:{decode_token(settings, token, 'access').user_id}"
        except EasyTuneError:
            return None

    return identity
