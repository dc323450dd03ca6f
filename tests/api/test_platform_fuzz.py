"""Property-based fuzz over the OpenAPI schema: no input may produce a 5xx answer."""
# mypy: disable-error-code="union-attr"
# schemathesis returns Ok | Err; an Err fails the test through .ok() raising.

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from easytune.api import create_app
from easytune.testing.fixtures import login_headers, platform_settings_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        platform_settings_for(
            f"sqlite:///{folder / 'fuzz.db'}", folder / "data", rate_limit_per_minute=1_000_000
        )
    )
    with TestClient(app):  # runs the lifespan: migrations and the first admin
        yield app


@pytest.fixture(scope="module")
def admin_headers(fuzz_app: FastAPI) -> dict[str, str]:
    with TestClient(fuzz_app) as client:
        return login_headers(client, "admin")


def test_no_input_gives_a_server_error(fuzz_app: FastAPI, admin_headers: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        # Signed in as admin so that every route's body is parsed and run, not only refused.
        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def no_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])

        no_server_error()


def test_every_operation_all_phases_against_a_live_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """schemathesis's own runner, every phase, as an admin whose token the run cannot revoke
    (bench/fuzz.py runs the same with a larger budget)."""
    from easytune.testing.fuzz import run_fuzz
    from easytune.testing.live import live_server

    folder = tmp_path_factory.mktemp("fuzz-live")
    env = {"EASYTUNE_RATE_LIMIT_PER_MINUTE": "1000000"}
    with live_server(folder / "data", env=env) as server:
        result = run_fuzz(server, 2, folder)
    assert result.server_errors == 0, result.output
    assert result.requests >= 300, result.output
    assert result.schemathesis_exit == 0, result.output
