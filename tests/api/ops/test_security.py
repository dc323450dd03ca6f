"""SecurityHeadersMiddleware on a FastAPI app with its own docs pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from easytune.api.docs import install_offline_docs
from easytune.api.ops import DOCS_CSP, SPA_CSP, SecurityHeadersMiddleware

pytestmark = pytest.mark.anyio

ClientFor = Callable[..., httpx.AsyncClient]


def build_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None)
    install_offline_docs(app)

    @app.get("/api/v1/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "1"}

    @app.get("/embed")
    async def embed() -> JSONResponse:
        return JSONResponse({}, headers={"X-Frame-Options": "SAMEORIGIN"})

    app.add_middleware(SecurityHeadersMiddleware)
    return app


def csp_sources(policy: str, directive: str) -> list[str]:
    for part in policy.split(";"):
        name, *sources = part.split()
        if name == directive:
            return sources
    raise AssertionError(f"{directive} missing from {policy}")


async def test_headers_on_every_response(client_for: ClientFor) -> None:
    async with client_for(build_app()) as client:
        ok = await client.get("/api/v1/ping")
        missing = await client.get("/nope")
    for response in (ok, missing):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cross-origin-opener-policy"] == "same-origin"
        assert "camera=()" in response.headers["permissions-policy"]
        assert response.headers["content-security-policy"] == SPA_CSP
        assert "strict-transport-security" not in response.headers
    assert csp_sources(SPA_CSP, "script-src") == ["'self'"]
    assert csp_sources(SPA_CSP, "frame-ancestors") == ["'none'"]


async def test_hsts_only_over_https(client_for: ClientFor) -> None:
    async with client_for(build_app(), base_url="https://testserver") as client:
        response = await client.get("/api/v1/ping")
    assert response.headers["strict-transport-security"] == "max-age=31536000"


async def test_headers_set_by_the_app_win(client_for: ClientFor) -> None:
    async with client_for(build_app()) as client:
        response = await client.get("/embed")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_docs_policy_allows_exactly_what_the_docs_page_loads(
    client_for: ClientFor, path: str
) -> None:
    async with client_for(build_app()) as client:
        page = await client.get(path)
    assert page.headers["content-security-policy"] == DOCS_CSP
    # Every script, stylesheet and image the page names is served here: no CDN, no outside
    # origin (the server may have no internet), and each of them really exists.
    tags = {
        "script-src": re.findall(r'<script[^>]*src="([^"]+)"', page.text),
        "style-src": re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', page.text)
        + re.findall(r'<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"', page.text),
        "img-src": re.findall(r'<link[^>]*rel="shortcut icon"[^>]*href="([^"]+)"', page.text),
    }
    assert tags["script-src"], "the docs page should load a script"
    async with client_for(build_app()) as client:
        for directive, urls in tags.items():
            assert "'self'" in csp_sources(DOCS_CSP, directive)
            for url in urls:
                assert not urlsplit(url).netloc, f"{url} is loaded from another origin"
                assert (await client.get(url)).status_code == 200, url
    if path == "/docs":  # Swagger UI is started by an inline script
        assert re.search(r"<script>\s*\S", page.text)
        assert "'unsafe-inline'" in csp_sources(DOCS_CSP, "script-src")
