"""Every route declares exactly one access rule, and each role gets exactly what it may."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from easytune.api import create_app
from easytune.api.deps import PermissionCheck, PublicAccess
from easytune.core.permissions import ROLE_PERMISSIONS, Permission
from easytune.db.models import Role
from easytune.testing.fixtures import platform_settings_for

PUBLIC = "public"
P = Permission
# (method, path) -> what it needs. A route missing here fails test_every_route_is_listed.
MATRIX: dict[tuple[str, str], Permission | str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/refresh"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): P.ACCOUNT_SELF,
    ("GET", "/api/v1/auth/me"): P.ACCOUNT_SELF,
    ("POST", "/api/v1/auth/password"): P.ACCOUNT_SELF,
    ("POST", "/api/v1/auth/tokens"): P.ACCOUNT_SELF,
    ("GET", "/api/v1/auth/tokens"): P.ACCOUNT_SELF,
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): P.ACCOUNT_SELF,
    ("GET", "/api/v1/users"): P.USERS_MANAGE,
    ("POST", "/api/v1/users"): P.USERS_MANAGE,
    ("GET", "/api/v1/users/{user_id}"): P.USERS_MANAGE,
    ("PATCH", "/api/v1/users/{user_id}"): P.USERS_MANAGE,
    ("DELETE", "/api/v1/users/{user_id}"): P.USERS_MANAGE,
    ("GET", "/api/v1/audit"): P.AUDIT_READ,
    ("POST", "/api/v1/datasets"): P.DATASETS_WRITE,
    ("GET", "/api/v1/datasets"): P.DATASETS_READ,
    ("GET", "/api/v1/datasets/{dataset_id}"): P.DATASETS_READ,
    ("GET", "/api/v1/datasets/{dataset_id}/preview"): P.DATASETS_READ,
    ("DELETE", "/api/v1/datasets/{dataset_id}"): P.DATASETS_WRITE,
    ("POST", "/api/v1/models"): P.MODELS_REGISTER,
    ("POST", "/api/v1/models/import"): P.MODELS_WRITE,
    ("POST", "/api/v1/models/{model_id}/reprobe"): P.MODELS_WRITE,
    ("GET", "/api/v1/models"): P.MODELS_READ,
    ("GET", "/api/v1/models/{model_id}"): P.MODELS_READ,
    ("GET", "/api/v1/models/{model_id}/download"): P.MODELS_WRITE,
    ("DELETE", "/api/v1/models/{model_id}"): P.MODELS_WRITE,
    ("POST", "/api/v1/models/{model_id}/exports"): P.JOBS_CREATE,
    ("GET", "/api/v1/models/{model_id}/exports"): P.MODELS_READ,
    ("GET", "/api/v1/exports/{export_id}/download"): P.MODELS_READ,
    ("DELETE", "/api/v1/exports/{export_id}"): P.MODELS_WRITE,
    ("GET", "/api/v1/models/{model_id}/serving"): P.MODELS_WRITE,
    ("POST", "/api/v1/intent/plan"): P.JOBS_CREATE,
    ("POST", "/api/v1/jobs"): P.JOBS_CREATE,
    ("GET", "/api/v1/jobs"): P.JOBS_READ,
    ("GET", "/api/v1/dashboard"): P.JOBS_READ,
    ("GET", "/api/v1/jobs/{job_id}"): P.JOBS_READ,
    ("POST", "/api/v1/jobs/{job_id}/cancel"): P.JOBS_CREATE,
    ("POST", "/api/v1/jobs/{job_id}/retry"): P.JOBS_CREATE,
    ("GET", "/api/v1/jobs/{job_id}/events"): P.JOBS_READ,
    ("GET", "/api/v1/jobs/{job_id}/metrics"): P.JOBS_READ,
    ("GET", "/api/v1/jobs/{job_id}/checkpoints"): P.JOBS_READ,
    ("GET", "/api/v1/jobs/{job_id}/evaluation"): P.JOBS_READ,
    ("POST", "/api/v1/evaluations"): P.JOBS_CREATE,
    ("GET", "/api/v1/evaluations/{job_id}"): P.JOBS_READ,
    ("GET", "/api/v1/jobs/{job_id}/stream"): P.JOBS_READ,
    ("POST", "/api/v1/playground/generate"): P.PLAYGROUND_USE,
    # The OpenAI-compatible API (easytune.openai).
    ("GET", "/v1/models"): P.MODELS_READ,
    ("GET", "/v1/models/{model:path}"): P.MODELS_READ,
    ("POST", "/v1/chat/completions"): P.PLAYGROUND_USE,
    ("POST", "/v1/completions"): P.PLAYGROUND_USE,
    ("POST", "/v1/files"): P.DATASETS_WRITE,
    ("GET", "/v1/files"): P.DATASETS_READ,
    ("GET", "/v1/files/{file_id}"): P.DATASETS_READ,
    ("DELETE", "/v1/files/{file_id}"): P.DATASETS_WRITE,
    ("POST", "/v1/fine_tuning/jobs"): P.JOBS_CREATE,
    ("GET", "/v1/fine_tuning/jobs"): P.JOBS_READ,
    ("GET", "/v1/fine_tuning/jobs/{job_id}"): P.JOBS_READ,
    ("POST", "/v1/fine_tuning/jobs/{job_id}/cancel"): P.JOBS_CREATE,
    ("GET", "/v1/fine_tuning/jobs/{job_id}/events"): P.JOBS_READ,
    ("GET", "/v1/fine_tuning/jobs/{job_id}/checkpoints"): P.JOBS_READ,
}
# FastAPI's own documentation routes and the Prometheus scrape endpoint are not APIRoutes
# and carry no user data (keep /metrics internal: docs/operations.md).
NON_API_PATHS = {
    "/docs",
    "/docs/oauth2-redirect",
    "/docs/assets",
    "/redoc",
    "/openapi.json",
    "/metrics",
}


def _rules(dependant: Dependant) -> list[Permission | str]:
    found: list[Permission | str] = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, PermissionCheck):
            found.append(dep.call.permission)
        elif isinstance(dep.call, PublicAccess):
            found.append(PUBLIC)
        found.extend(_rules(dep))
    return found


def _contexts(app: FastAPI) -> list[Any]:
    # FastAPI >= 0.16x keeps included routers as branches; iter_route_contexts flattens them.
    iterate = getattr(routing, "iter_route_contexts", None)
    return list(iterate(app.routes)) if iterate else list(app.routes)


def _api_routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    return [
        (method, route.path, route)
        for route in _contexts(app)
        if isinstance(getattr(route, "original_route", route), APIRoute)
        for method in sorted(route.methods)
    ]


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    path = tmp_path_factory.mktemp("routes")
    return create_app(platform_settings_for(f"sqlite:///{path / 'x.db'}", path))


def test_every_route_is_listed_and_declares_one_rule(bare_app: FastAPI) -> None:
    seen = set()
    for method, path, route in _api_routes(bare_app):
        assert (method, path) in MATRIX, f"{method} {path}: add it to MATRIX with its permission"
        rules = set(_rules(route.dependant))
        assert rules == {MATRIX[(method, path)]}, f"{method} {path} declares {rules}"
        seen.add((method, path))
    assert seen == set(MATRIX), f"stale MATRIX entries: {set(MATRIX) - seen}"
    others = {
        r.path
        for r in _contexts(bare_app)
        if not isinstance(getattr(r, "original_route", r), APIRoute)
    }
    # The web UI (api/web.py): the built app with its fallback, or a note on building it.
    ui_paths = {"/{path:path}", "/"}
    assert seen and others <= NON_API_PATHS | ui_paths


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


def test_each_role_gets_exactly_its_permissions(
    app: FastAPI, client: TestClient, client_as: Callable[[str], TestClient]
) -> None:
    for method, path, _route in _api_routes(app):
        need = MATRIX[(method, path)]
        if need == PUBLIC or (method, path) == ("POST", "/api/v1/auth/logout"):
            continue  # logout would end the session the rest of the loop uses
        anonymous = client.request(method, _concrete(path), json={})
        assert anonymous.status_code == 401, f"anonymous {method} {path}"
        for role in Role:
            response = client_as(role.value).request(method, _concrete(path), json={})
            allowed = need in ROLE_PERMISSIONS[role]
            assert (response.status_code != 403) == allowed, f"{role} {method} {path}"
            if not allowed:
                assert response.json()["error"]["code"] == "forbidden"


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong_method = client.put("/api/v1/auth/login")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_health_readiness_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/v1/users" in schema["paths"] and "ErrorResponse" in schema["components"]["schemas"]


def test_readyz_reports_an_unreachable_database(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = create_app(platform_settings_for(url, tmp_path))
    response = TestClient(app).get("/readyz")  # no lifespan: start-up would fail to migrate
    assert response.status_code == 503 and response.json()["error"]["code"] == "unavailable"


def test_unexpected_errors_use_the_error_shape() -> None:
    app = FastAPI()
    from easytune.api.errors import install_error_handlers

    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret internals" not in response.text
