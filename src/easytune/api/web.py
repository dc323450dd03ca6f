"""Serve the built web UI (web/dist) at `/`, with the history-API fallback a SPA needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

# Paths the UI never owns: an unknown one is an API 404, never index.html.
RESERVED_PREFIXES = ("/api", "/v1", "/docs", "/redoc", "/openapi.json", "/metrics")
RESERVED_PATHS = frozenset({"/healthz", "/readyz"})
# Vite puts content-hashed files under assets/: their name changes with their content.
HASHED_DIR = "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
# index.html names the current hashed files, so it must be revalidated on every load.
REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>EasyTune</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>EasyTune API is running</h1>
<p>The web UI is not built. Build it with <code>make web-build</code>
(or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>) and restart, or point
<code>EASYTUNE_WEB_DIST</code> at a built <code>dist</code> folder.</p>
<p>The API is at <a href="/api/v1">/api/v1</a>, its documentation at <a href="/docs">/docs</a>.</p>
</body></html>
"""


def is_ui_path(path: str) -> bool:
    """True for paths the UI may answer: everything outside the API and ops endpoints."""
    if path in RESERVED_PATHS:
        return False
    return not any(path == p or path.startswith(p + "/") for p in RESERVED_PREFIXES)


class UiRoute(Route):
    """A catch-all that matches only GET/HEAD on UI paths, so API paths keep 404/405 as they are."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        if not is_ui_path(scope["path"]):
            return Match.NONE, {}
        return super().matches(scope)


def mount_web(app: FastAPI, dist: Path | None) -> None:
    """Add the UI route last, after every API route: the built app, or a note on building it."""
    if dist is None:
        app.router.routes.append(Route("/", _not_built, methods=["GET", "HEAD"]))
        return
    app.router.routes.append(UiRoute("/{path:path}", _ui_endpoint(dist.resolve())))


async def _not_built(_request: Request) -> Response:
    return HTMLResponse(NOT_BUILT, headers={"Cache-Control": REVALIDATE})


def _ui_endpoint(dist: Path) -> Callable[[Request], Awaitable[Response]]:
    async def serve_ui(request: Request) -> Response:
        path = request.path_params["path"]
        file = _real_file(dist, path)
        if file is not None:
            cache = IMMUTABLE if file.is_relative_to(dist / HASHED_DIR) else REVALIDATE
            return FileResponse(file, headers={"Cache-Control": cache})
        if path.split("/", 1)[0] == HASHED_DIR:
            # A missing hashed file (a tab open across a deploy) must fail as such: index.html
            # in its place would be run as a script and break with a confusing MIME error.
            raise HTTPException(404, f"/{path} is not a file of the web UI (reload the page)")
        return FileResponse(dist / "index.html", headers={"Cache-Control": REVALIDATE})

    return serve_ui


def _real_file(dist: Path, path: str) -> Path | None:
    """The file `path` names inside `dist`; None when missing or outside it (`..`, links)."""
    if not path:
        return None
    candidate = (dist / path).resolve()
    if not candidate.is_relative_to(dist) or not candidate.is_file():
        return None
    return candidate
