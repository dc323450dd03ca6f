"""The ops layer as wired into the real app: limits, headers, metrics and request ids."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from easytune.api import create_app
from easytune.testing.fixtures import login_headers, platform_settings_for


def _client(tmp_path: Path, **overrides: object) -> TestClient:
    settings = platform_settings_for(
        f"sqlite:///{tmp_path / 'ops.db'}", tmp_path / "data", **overrides
    )
    return TestClient(create_app(settings))


def test_rate_limit_is_per_user_and_answers_429_with_retry_after(tmp_path: Path) -> None:
    with _client(tmp_path, rate_limit_per_minute=5) as client:
        headers = login_headers(client, "admin")  # the login itself counts for the address
        codes = [client.get("/api/v1/auth/me", headers=headers).status_code for _ in range(7)]
        assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
        refused = client.get("/api/v1/auth/me", headers=headers)
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"]["code"] == "rate_limited"
        assert client.get("/healthz").status_code == 200  # probes are exempt


def test_oversized_body_is_refused_before_the_route(tmp_path: Path) -> None:
    with _client(tmp_path, max_request_bytes=2048) as client:
        response = client.post(
            "/api/v1/auth/login",
            content=b"{" + b" " * 4096 + b"}",
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "request_too_large"


def test_headers_request_id_and_route_metrics(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        headers = login_headers(client, "admin")
        response = client.get("/api/v1/users/1", headers={**headers, "X-Request-ID": "abc-123"})
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "abc-123"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        metrics = client.get("/metrics").text
        assert 'route="/api/v1/users/{user_id}"' in metrics
        assert 'route="/api/v1/users/1"' not in metrics
