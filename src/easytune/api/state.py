"""The application's state: one typed object, built by create_app and held on `app.state`.

Routes never read `request.app.state`; they take the pieces through the dependency aliases
in api/deps.py (SessionFactoryDep, InferenceDep, AppStateDep).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from anyio import CapacityLimiter
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from easytune.api.capacity import Gate, StreamSlots
from easytune.api.middleware import VerifiedTokens
from easytune.api.ops import RateLimiter, make_rate_limiter
from easytune.core.auth_cache import AuthCache
from easytune.core.inference import InferenceCache
from easytune.jobs.service import Submitter
from easytune.settings import Settings

# Threads (and connections) that open job streams may use at once to read new rows.
STREAM_POLL_THREADS = 4


@dataclass
class AppState:
    """Everything one API app holds for its lifetime."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    probe_engine: Engine  # /readyz's own connection: answers even with the pool exhausted
    db_gate: Gate
    stream_slots: StreamSlots
    generations: StreamSlots
    stream_polls: CapacityLimiter
    probe_threads: CapacityLimiter
    executor: Submitter
    inference: InferenceCache
    rate_limiter: RateLimiter
    verified_tokens: VerifiedTokens
    auth_cache: AuthCache  # who an access token belongs to, for its short life
    # Kept in memory until printed once (api.banner), never stored in clear.
    first_admin_username: str = ""
    first_admin_password: str | None = None
    banner_after_startup: bool = False


def build_state(
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    probe_engine: Engine,
    executor: Submitter,
) -> AppState:
    """The state for `settings`: capacity gates, caches and the rate limiter."""
    return AppState(
        settings=settings, engine=engine, session_factory=session_factory,
        probe_engine=probe_engine,
        db_gate=Gate(settings.api_concurrency, settings.api_queue_seconds),
        stream_slots=StreamSlots(
            settings.streams_per_user, math.ceil(settings.stream_keepalive_seconds)
        ),
        generations=StreamSlots(
            settings.playground_generations_per_user, 5, "playground generations",
            "EASYTUNE_PLAYGROUND_GENERATIONS_PER_USER", "too_many_generations",
        ),
        stream_polls=CapacityLimiter(STREAM_POLL_THREADS),
        probe_threads=CapacityLimiter(2),
        executor=executor,
        inference=InferenceCache(
            settings.playground_cache_bases, settings.playground_cache_adapters
        ),
        rate_limiter=make_rate_limiter(
            settings.redis_url or None, limit=settings.rate_limit_per_minute, window_s=60.0
        ),
        verified_tokens=VerifiedTokens(),
        auth_cache=AuthCache(settings.auth_cache_seconds),
    )  # fmt: skip


def app_state(app: Starlette) -> AppState:
    """The AppState create_app put on `app`."""
    state = app.state.easytune
    assert isinstance(state, AppState), "not an app built by easytune.api.create_app"
    return state
