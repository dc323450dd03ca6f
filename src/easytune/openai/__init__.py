"""The OpenAI-compatible API under /v1, mapped onto the services of easytune.core."""

from __future__ import annotations

from fastapi import FastAPI

from easytune.openai.errors import PREFIX, OpenAIErrorShape
from easytune.openai.routes import files, fine_tuning, inference

ROUTERS = (inference.router, files.router, fine_tuning.router)


def install_openai(app: FastAPI) -> None:
    """Mount the /v1 routers and give every /v1 error OpenAI's shape (call after the other
    middleware, so that the rate limiter's and body limit's refusals are reshaped too)."""
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX)
    app.add_middleware(OpenAIErrorShape)
