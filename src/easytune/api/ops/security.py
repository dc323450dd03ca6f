"""ASGI middleware adding security headers to every HTTP response (the app's own win)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _csp(**directives: str) -> str:
    return "; ".join(f"{name.replace('_', '-')} {value}" for name, value in directives.items())


# The React SPA is served from the same origin: scripts only from it. Ant Design 5 injects its
# CSS-in-JS <style> tags at run time, hence 'unsafe-inline' for styles (never for scripts).
SPA_CSP = _csp(
    default_src="'self'",
    script_src="'self'",
    style_src="'self' 'unsafe-inline'",
    img_src="'self' data: blob:",
    font_src="'self' data:",
    connect_src="'self'",
    worker_src="'self' blob:",
    object_src="'none'",
    base_uri="'self'",
    form_action="'self'",
    frame_ancestors="'none'",
)

# The /docs and /redoc pages (easytune.api.docs) load Swagger UI / ReDoc from this server and
# start them with an inline script; this looser policy applies only to those pages.
DOCS_CSP = _csp(
    default_src="'self'",
    script_src="'self' 'unsafe-inline'",
    style_src="'self' 'unsafe-inline'",
    img_src="'self' data:",
    font_src="'self' data:",
    connect_src="'self'",
    worker_src="'self' blob:",
    object_src="'none'",
    base_uri="'self'",
    form_action="'self'",
    frame_ancestors="'none'",
)

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Adds BASE_HEADERS, a CSP (DOCS_CSP under `docs_paths`, else `csp`), and HSTS on https."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        csp: str = SPA_CSP,
        docs_csp: str = DOCS_CSP,
        docs_paths: Iterable[str] = ("/docs", "/docs/oauth2-redirect", "/redoc"),
        hsts_max_age: int = 31_536_000,
    ) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)  # exact paths: /docsX is not a docs page
        base = _encode(BASE_HEADERS)
        self._plain = [*base, *_encode({"Content-Security-Policy": csp})]
        self._docs = [*base, *_encode({"Content-Security-Policy": docs_csp})]
        self._hsts = _encode({"Strict-Transport-Security": f"max-age={hsts_max_age}"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._headers_for(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _merge(message.get("headers", []), extra)}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers_for(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        headers = self._docs if scope["path"] in self.docs_paths else self._plain
        # HSTS over plain http is ignored by browsers and would be wrong behind no TLS at all;
        # behind a TLS proxy, uvicorn --proxy-headers makes the scheme https.
        return [*headers, *self._hsts] if scope.get("scheme") == "https" else headers


def _encode(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


def _merge(
    existing: Iterable[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    headers = list(existing)
    present = {name.lower() for name, _ in headers}
    return [*headers, *((k, v) for k, v in extra if k not in present)]
