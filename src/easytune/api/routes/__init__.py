"""Routers of the REST API; each area adds its router to API_ROUTERS."""

from __future__ import annotations

from fastapi import APIRouter

from easytune.api.routes import (
    audit,
    auth,
    dashboard,
    datasets,
    evaluations,
    exports,
    jobs,
    model_import,
    models,
    playground,
    users,
)

# Mounted under /api/v1, in this order.
API_ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    audit.router,
    datasets.router,
    model_import.router,
    models.router,
    exports.router,
    evaluations.router,
    jobs.router,
    playground.router,
    dashboard.router,
)
