"""The app factory: settings in, FastAPI app out; nothing is built at import time."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine
from sqlalchemy.pool import NullPool

from easytune import __version__
from easytune.api.banner import print_admin_password
from easytune.api.deps import track_connections
from easytune.api.docs import install_offline_docs
from easytune.api.embedded_worker import start_embedded_worker
from easytune.api.errors import install_error_handlers
from easytune.api.middleware import add_middleware
from easytune.api.routes import API_ROUTERS, health
from easytune.api.state import STREAM_POLL_THREADS, app_state, build_state
from easytune.api.web import mount_web
from easytune.core.auth_cache import install_invalidation
from easytune.core.users import BOOTSTRAP_ADMIN, bootstrap_admin
from easytune.db import create_db_engine, make_session_factory, transaction
from easytune.db.migrate import upgrade_database
from easytune.jobs.executors import get_executor
from easytune.openai import install_openai
from easytune.settings import Settings, load_settings

API_PREFIX = "/api/v1"
log = logging.getLogger("easytune.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API app; without settings they are loaded from the environment."""
    settings = settings or load_settings()
    engine = _api_engine(settings)
    app = FastAPI(
        title="EasyTune",
        version=__version__,
        description="Intent-driven LoRA/PEFT fine-tuning for teams.",
        lifespan=_lifespan,
        docs_url=None,  # served from local files by install_offline_docs, never a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    # /readyz opens its own connection: it answers even when the shared pool is exhausted.
    probe_engine = create_db_engine(settings.database_url, poolclass=NullPool)
    session_factory = make_session_factory(engine)
    track_connections(session_factory)
    install_invalidation()
    state = build_state(settings, engine, session_factory, probe_engine, get_executor(settings))
    app.state.easytune = state
    install_error_handlers(app)
    install_offline_docs(app)
    add_middleware(app, settings, state.rate_limiter, state.verified_tokens)
    app.include_router(health.router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    install_openai(app)  # after add_middleware: its error shape wraps the ops refusals too
    mount_web(app, settings.web_dist)  # last: its catch-all must not shadow an API route
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    await run_in_threadpool(prepare_database, app)
    state = app_state(app)
    worker = await run_in_threadpool(start_embedded_worker, state.settings)
    if not state.banner_after_startup:
        print_admin_password(app)  # else `easytune serve` prints it once uvicorn listens
    try:
        yield
    finally:
        if worker is not None:
            await run_in_threadpool(worker.stop)
        await state.rate_limiter.aclose()
        state.engine.dispose()
        state.probe_engine.dispose()


def _api_engine(settings: Settings) -> Engine:
    """The shared pool, sized to what may use it at once: the admitted requests (the gate),
    the stream polls, and a little headroom (start-up, the embedded worker's sweeps)."""
    return create_db_engine(
        settings.database_url,
        pool_size=settings.api_concurrency + STREAM_POLL_THREADS + 2,
        max_overflow=4,
        pool_timeout=settings.db_pool_timeout_seconds,
    )


def prepare_database(app: FastAPI) -> None:
    """Migrate (unless disabled) and create the first admin on an empty database."""
    state = app_state(app)
    settings = state.settings
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.auto_migrate:
        upgrade_database(state.engine)
    if settings.is_sqlite:
        restrict_data_files(settings)
    with transaction(state.session_factory, immediate=True) as session:
        generated = bootstrap_admin(session, settings)
    # Kept in memory until printed once (api.banner), never stored in clear: the only way to
    # learn a generated first password.
    state.first_admin_password = generated
    state.first_admin_username = BOOTSTRAP_ADMIN
    if settings.demo_assets:
        register_demo(app)


def restrict_data_files(settings: Settings) -> None:
    """The data dir 0700 and the SQLite files 0600, like the secret key: accounts, token
    hashes and datasets are nobody else's business on a shared host."""
    os.chmod(settings.data_dir, 0o700)
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        if path.is_file():
            os.chmod(path, 0o600)


def register_demo(app: FastAPI) -> None:
    """Register the demo model and dataset once; a failure is logged, never fatal."""
    from easytune.core.demo_assets import register_demo_assets

    try:
        state = app_state(app)
        with transaction(state.session_factory, immediate=True) as session:
            added = register_demo_assets(session, state.settings)
    except Exception:
        log.exception("demo registration failed", extra={"action": "demo_failed"})
        return
    if added:
        log.info("demo assets registered: %s", ", ".join(added), extra={"action": "demo_added"})
