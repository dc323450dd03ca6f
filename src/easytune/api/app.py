"""The app factory: settings in, FastAPI app out; nothing is built at import time."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from easytune import __version__
from easytune.api.docs import install_offline_docs
from easytune.api.embedded_worker import start_embedded_worker
from easytune.api.errors import install_error_handlers
from easytune.api.middleware import add_middleware
from easytune.api.routes import API_ROUTERS, health
from easytune.api.web import mount_web
from easytune.core.inference import InferenceCache
from easytune.core.users import BOOTSTRAP_ADMIN, bootstrap_admin
from easytune.db import create_db_engine, make_session_factory, transaction
from easytune.db.migrate import upgrade_database
from easytune.jobs.executors import get_executor
from easytune.settings import Settings, load_settings

API_PREFIX = "/api/v1"
log = logging.getLogger("easytune.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API app; without settings they are loaded from the environment."""
    settings = settings or load_settings()
    engine = create_db_engine(settings.database_url)
    app = FastAPI(
        title="EasyTune",
        version=__version__,
        description="Intent-driven LoRA/PEFT fine-tuning for teams.",
        lifespan=_lifespan,
        docs_url=None,  # served from local files by install_offline_docs, never a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.executor = get_executor(settings)
    app.state.inference = InferenceCache(
        settings.playground_cache_bases, settings.playground_cache_adapters
    )
    install_error_handlers(app)
    install_offline_docs(app)
    add_middleware(app, settings)
    app.include_router(health.router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    mount_web(app, settings.web_dist)  # last: its catch-all must not shadow an API route
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    await run_in_threadpool(prepare_database, app)
    worker = await run_in_threadpool(start_embedded_worker, app.state.settings)
    try:
        yield
    finally:
        if worker is not None:
            await run_in_threadpool(worker.stop)
        await app.state.rate_limiter.aclose()
        app.state.engine.dispose()


def prepare_database(app: FastAPI) -> None:
    """Migrate (unless disabled) and create the first admin on an empty database."""
    settings: Settings = app.state.settings
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.auto_migrate:
        upgrade_database(app.state.engine)
    with transaction(app.state.session_factory, immediate=True) as session:
        generated = bootstrap_admin(session, settings)
    if generated:
        # Printed once, never stored in clear: the only way to learn the first password.
        print(
            f"\n*** EasyTune created the admin account: username {BOOTSTRAP_ADMIN!r}, "
            f"password {generated!r}. Change it after signing in. ***\n",
            file=sys.stderr,
            flush=True,
        )
    if settings.demo_assets:
        register_demo(app)


def register_demo(app: FastAPI) -> None:
    """Register the demo model and dataset once; a failure is logged, never fatal."""
    from easytune.core.demo_assets import register_demo_assets

    try:
        with transaction(app.state.session_factory, immediate=True) as session:
            added = register_demo_assets(session, app.state.settings)
    except Exception:
        log.exception("demo registration failed", extra={"action": "demo_failed"})
        return
    if added:
        log.info("demo assets registered: %s", ", ".join(added), extra={"action": "demo_added"})
